"""The gongkai command: JSON output, exit codes, clear one-line errors, standard input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, clean_report_2021, needs_seeds, seed_pairs
from typer.testing import CliRunner

from gongkai.cli import app
from gongkai.model.report import report_to_json

runner = CliRunner()


def run(*args: str, input: bytes | None = None):
    return runner.invoke(app, list(args), input=input)


@needs_seeds
def test_parse_json_is_exactly_the_canonical_json():
    """Standard output of ``parse --json`` is one JSON document: the report with sections and findings."""
    text, gold = seed_pairs()[0]
    result = run("parse", "--json", str(text))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data)[:4] == ["schema", "format", "agency", "year"]
    assert data["schema"] == "gongkai.report/1"
    assert set(data["sections"]) == {"overview", "active", "requests", "appeals", "problems", "other"}
    assert data["findings"] == []
    expected = json.loads(gold.read_text(encoding="utf-8"))
    assert {t: data[t] for t in ("active", "requests", "appeals")} == {
        t: expected[t] for t in ("active", "requests", "appeals")
    }


@needs_seeds
def test_check_exit_zero_on_seeds_and_reads_stdin():
    """The seeds have no error: exit 0; ``-`` reads standard input."""
    text, _ = seed_pairs()[2]
    result = run("check", "-", input=text.read_bytes())
    assert result.exit_code == 0, result.stdout
    assert "LAY-T2-PROC-UNIT" in result.stdout


def test_check_exit_one_on_an_error(tmp_path):
    """An error-severity finding makes ``check`` exit 1; ``--json`` gives one line per file."""
    report = clean_report_2021(**{"requests.new.natural": 9})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(report_to_json(report), ensure_ascii=False), encoding="utf-8")
    result = run("check", "--json", str(path))
    assert result.exit_code == 1
    [line] = result.stdout.splitlines()
    found = json.loads(line)
    assert found["file"] == str(path)
    assert "T3-BALANCE" in {f["rule"] for f in found["findings"]}


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"", "\u6587\u4ef6\u662f\u7a7a\u7684"),  # 文件是空的
        (bytes(range(256)) * 40, "\u4e8c\u8fdb\u5236"),  # 二进制
        ("这是一封普通的信，没有任何表格。\n".encode(), "没有找到年度报告的统计表"),
        (b"%PDF-1.7\n...", "PDF"),
        (
            b'{"schema": "gongkai.report/1", "format": "2021", "requests": {"new": {"natural": "x"}}}',
            "gongkai.report/1",
        ),
        (b"{not json", "JSON"),
        (b"\t0\n" * 25_000, "\u8d85\u8fc720000\u4e2a\u5355\u5143\u683c"),  # 超过20000个单元格
        ("政府信息公开".encode() * 300_000, "\u6587\u4ef6\u8fc7\u5927"),  # 文件过大
    ],
    ids=["empty", "binary", "no-tables", "pdf", "bad-report-json", "broken-json", "huge-table", "too-large"],
)
def test_not_a_report_is_one_clear_line_and_exit_two(tmp_path, content, phrase):
    """Bad input: one line naming the file and what is wrong, exit 2, no traceback."""
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    proc = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", "check", str(path)], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0] and phrase in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout


def test_missing_file_and_bad_options():
    """A missing file, an unknown rule and a malformed date are each named in one line."""
    assert run("check", "no/such/file.txt").exit_code == 2
    result = run("check", "--select", "NO-SUCH-RULE", "x.txt")
    assert result.exit_code == 2 and "NO-SUCH-RULE" in result.output
    result = run("check", "--published", "2025-13-40", "x.txt")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_schema_and_rules_are_generated():
    """``schema`` prints the JSON Schema of both layouts; ``rules --json`` the catalogue."""
    schema = json.loads(run("schema").stdout)
    assert schema["$id"] == "gongkai.report/1"
    assert {"Report2021", "Report2019"} <= set(schema["$defs"])
    rules = json.loads(run("rules", "--json").stdout)
    assert {"T3-BALANCE", "SEC-SIX", "LAY-T3-SHAPE"} <= {r["id"] for r in rules}
    assert all(r["clause"] for r in rules)


def test_check_a_folder_summarises(tmp_path):
    """A folder is read file by file, ending with a count of read, with errors and unreadable."""
    (tmp_path / "good.json").write_text(json.dumps(report_to_json(clean_report_2021()), ensure_ascii=False))
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run("check", str(tmp_path))
    assert result.exit_code == 2
    assert "共2个文件：读取1个，其中0个有错误；无法读取1个" in result.output


def test_level_and_limit_narrow_the_listing_not_the_exit_status():
    """--level and --limit show fewer findings and say how many are left out; exit 1 stays."""
    path = str(ROOT / "samples" / "2023-示例区人民政府办公室-有误.txt")
    result = run("check", "--json", "--level", "error", "--limit", "2", path)
    assert result.exit_code == 1
    line = json.loads(result.stdout)
    assert [f["severity"] for f in line["findings"]] == ["error", "error"]
    assert line["not_shown"] == 2
    result = run("check", "--level", "warning", "--limit", "1", path)
    assert "另有3条问题未显示" in result.output


@pytest.mark.office  # the RTF goes to LibreOffice
def test_text_opening_with_a_brace_or_bracket_is_a_document_not_json(tmp_path):
    """Markdown that opens with a link, and an RTF file, are read as documents; a broken .json
    file still gets the JSON message."""
    from support.textwriter import write_markdown

    from gongkai.batch import BadInput, load_report

    markdown = tmp_path / "report.md"
    markdown.write_text("[返回首页](/)\n\n" + write_markdown(clean_report_2021()), encoding="utf-8")
    assert load_report(str(markdown)).report.agency == clean_report_2021().agency
    broken = tmp_path / "report.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(BadInput, match="不是有效的 JSON"):
        load_report(str(broken))
    rtf = tmp_path / "report.rtf"
    rtf.write_bytes(b"{\\rtf1\\ansi junk")
    with pytest.raises(BadInput) as caught:
        load_report(str(rtf))
    assert "JSON" not in str(caught.value)


def test_make_run_and_the_command_line_share_one_database_issue_13(tmp_path, monkeypatch):
    """The README's commands (`.venv/bin/gongkai organs add …`) and the platform `make run` starts
    work on one database by default, so what the commands record shows in the web."""
    import re
    import shlex
    import shutil

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    from gongkai.store.db import database_url

    home = tmp_path / "home"
    for name in ("GONGKAI_HOME", "GONGKAI_DATABASE_URL", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    # the recipe as make would run it (the install step's stamp taken as done)
    recipe = subprocess.run(
        ["make", "-n", "run", "STAMP="], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    started = [line for line in recipe.splitlines() if re.search(r"gongkai (demo|serve)\b", line)]
    assert len(started) == 2, recipe
    cli_default = database_url()
    assert cli_default == f"sqlite:///{home / '.local/share/gongkai/gongkai.db'}"
    for line in started:
        words = shlex.split(line)
        settings = dict(
            w.split("=", 1) for w in words[: next(i for i, w in enumerate(words) if "=" not in w)]
        )
        assert "--database-url" not in words and "--data-dir" not in words, line
        with monkeypatch.context() as scoped:
            for name, value in settings.items():
                scoped.setenv(name, value)
            assert database_url() == cli_default, line


def _cli(*args: str, columns: int = 80) -> str:
    """A command's output as a terminal of ``columns`` shows it (a fresh process: rich reads COLUMNS)."""
    import os

    env = {**os.environ, "COLUMNS": str(columns)}
    done = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_rules_read_at_80_columns_and_cite_public_documents_issue_13():
    """Every rule, its title and its whole basis, in lines of at most 80 columns (nothing cut off
    with 「…」); each basis a public document (the 条例, the two notices, the fee measures), never
    a file of this project."""
    import re

    from rich.cells import cell_len

    from gongkai.checks import RULES

    text = _cli("rules")
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 80 and "…" not in text
    flowing = "".join(line.strip() for line in lines).replace(" ", "")  # a line may break at a space
    for rule in RULES.values():
        assert f"{rule.id}  " in text and rule.title.replace(" ", "") in flowing
        assert f"依据：{rule.clause}".replace(" ", "") in flowing, rule.id
        assert re.search(
            r"《政府信息公开条例》|国办公开办函〔20(19|21)〕|国办函〔2020〕109号", rule.clause
        ), rule.id
        assert not re.search(r"\.md\b|§|report-json|format-and-law", rule.clause), rule.id


def test_parse_lists_cells_in_the_order_of_the_tables_issue_13():
    """表二 before 表三 before 表四, each in its printed order — not sorted by key."""
    import re

    from gongkai.model.layouts import LAYOUT_2021, cell_name

    text = _cli("parse", "samples/2024-示例市科学技术局.txt")
    names = re.findall(r"^    (.+?) = ", text, re.MULTILINE)
    order = {cell_name(key, LAYOUT_2021): i for i, key in enumerate(LAYOUT_2021.cell_keys)}
    assert len(names) > 10 and all(name in order for name in names)
    assert [order[n] for n in names] == sorted(order[n] for n in names)
    assert names[0].startswith("表二") and names[-1].startswith("表四")


def test_help_is_chinese_throughout_issue_13():
    """Every command's and option's help says it in Chinese (English only in brackets after it),
    and so does the frame around it."""
    import re

    import typer

    def outside_brackets(text: str) -> str:
        before = None
        while before != text:
            before, text = text, re.sub(r"（[^（）]*）|\([^()]*\)", "", text)
        return text

    english = re.compile(r"[A-Za-z]+[ ,;:'][A-Za-z]+[ ,;:']+[A-Za-z]+")  # three English words in a row
    wrong = []

    def walk(command, path: str) -> None:
        helps = [(path, command.help or "")]
        helps += [
            (f"{path} {'/'.join(p.opts) or p.name}", getattr(p, "help", "") or "") for p in command.params
        ]
        wrong.extend(
            where for where, text in helps if not text.strip() or english.search(outside_brackets(text))
        )
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "gongkai")
    assert wrong == []
    shown = _cli("register", "tally", "--help")
    for english_word in ("Show this message", "Options", "Arguments", "[required]", "[default"):
        assert english_word not in shown
    assert "显示本帮助并退出" in shown and "选项" in shown


@pytest.mark.parametrize("name", ["deep.json", "deep.txt"])
def test_json_nested_beyond_reason_is_one_clear_line_issue_14(tmp_path, name):
    """A report JSON nested 100,000 deep: no RecursionError, one line naming the file and the place."""
    path = tmp_path / name
    path.write_text('{"schema": "gongkai.report/1",\n "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    for command in ("check", "parse"):
        proc = subprocess.run(
            [sys.executable, "-m", "gongkai.cli", command, str(path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1, proc.stderr[-2000:]
        assert str(path) in lines[0] and "嵌套超过200层（第2行第" in lines[0]
        assert "Traceback" not in proc.stdout + proc.stderr


def test_check_two_years_of_one_organ_compares_them(tmp_path):
    """Protects the cross-year rules from the command line: given two years of one organ (any
    forms), ``check`` adds a result for the pair with its XY-* findings; ``--json`` one more line."""
    from support.textwriter import write_tab_text

    before = clean_report_2021().model_copy(update={"year": 2023})
    changed = {"requests.carried_in.natural": 3, "requests.new.natural": 3, "requests.new.total": 5}
    after = clean_report_2021(**changed).model_copy(update={"year": 2024})
    (tmp_path / "2023.json").write_text(
        json.dumps(report_to_json(before), ensure_ascii=False), encoding="utf-8"
    )
    (tmp_path / "2024.txt").write_text(write_tab_text(after), encoding="utf-8")
    result = run("check", "--json", str(tmp_path / "2023.json"), str(tmp_path / "2024.txt"))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("years") for line in lines] == [None, None, [2023, 2024]]
    pair = lines[-1]
    assert pair["file"] == f"{tmp_path / '2023.json'} → {tmp_path / '2024.txt'}"
    assert [(f["rule"], f["cells"]) for f in pair["findings"] if f["rule"] == "XY-T3-CARRY"] == [
        ("XY-T3-CARRY", ["requests.carried_in.natural"])
    ]
    assert "report" not in lines[0]  # the kept report is the command's, not the output's
    shown = run("check", str(tmp_path / "2023.json"), str(tmp_path / "2024.txt")).stdout
    assert "2023—2024年度 · 跨年核对" in shown and "XY-T3-CARRY" in shown
    alone = run("check", "--json", str(tmp_path / "2024.txt")).stdout
    assert "XY-" not in alone  # one year alone: nothing to compare
