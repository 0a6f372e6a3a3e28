"""The corpus of published reports (issue 17 §1), on SQLite and PostgreSQL: files taken in once by
their content, every report with its findings and its organ matched by name or alias, a run that
stops part-way finished by running it again with nothing doubled or lost, unreadable files kept
with their error and not read again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import clean_report_2019, clean_report_2021
from sqlalchemy import func, select, text
from support.htmlwriter import write_docx
from support.textwriter import write_tab_text
from support.zipwriter import write_zip

from gongkai.batch_ingest import Outcome, ingest
from gongkai.model.text import organ_key
from gongkai.store.corpus import add_alias, aliases_of, corpus_counts, unmatched_names
from gongkai.store.db import transaction
from gongkai.store.records import Refused, add_organ, find_organ, rename_organ
from gongkai.store.tables import CorpusReport, CorpusSource

AGENCIES = ["示例市科学技术局", "示例市教育局", "示例市民政局", "示例市财政局"]


def write_corpus(folder: Path, count: int = 6) -> list[Path]:
    """``count`` distinct reports of the agencies and years above, as text and Word files, some in
    a subfolder; the files written."""
    files = []
    for i in range(count):
        make = clean_report_2021 if i % 3 else clean_report_2019
        report = make().model_copy(update={"agency": AGENCIES[i % len(AGENCIES)], "year": 2019 + i})
        target = folder / ("sub" if i % 2 else "") / f"report{i}.{'docx' if i % 3 == 2 else 'txt'}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix == ".docx":
            target.write_bytes(write_docx(report))
        else:
            target.write_text(write_tab_text(report), encoding="utf-8")
        files.append(target)
    return files


def held(store) -> tuple[list[str], list[tuple[str, int | None, int]]]:
    """The names of the sources held, and (organ name, year, position) of every report held."""
    with transaction(store) as s:
        names = sorted(s.scalars(select(CorpusSource.name)))
        reports = sorted(
            s.execute(select(CorpusReport.organ_name, CorpusReport.year, CorpusReport.position)).all()
        )
    return names, reports


def test_a_folder_is_taken_in_once_whatever_the_names(store, tmp_path: Path) -> None:
    files = write_corpus(tmp_path / "in")
    copy = tmp_path / "in" / "sub" / "copy of report0.txt"
    copy.write_bytes(files[0].read_bytes())
    tally = ingest(store, [str(tmp_path / "in")], jobs=2)
    assert (tally.files, tally.new, tally.repeat, tally.held, tally.unreadable) == (7, 6, 1, 0, 0)
    assert tally.reports == 6 and tally.unmatched == 6  # no organ registered yet
    names, reports = held(store)
    assert len(names) == 6 and len({Path(n).name for n in names} & {"report0.txt", copy.name}) == 1
    assert reports == sorted((AGENCIES[i % 4], 2019 + i, 0) for i in range(6))
    with transaction(store) as s:
        row = s.scalar(select(CorpusReport).where(CorpusReport.year == 2021))
        # the report itself as canonical JSON, and what `gongkai check` says of it (a clean report
        # read from Word: no error-severity finding)
        assert row.body["agency"] == AGENCIES[2] and row.format == "2021"
        assert not [f for f in row.findings if f["severity"] == "error"]
        source = s.get(CorpusSource, row.source_id)
        assert source.form == "docx" and source.size == files[2].stat().st_size and source.error is None
    # run again, and again with the same files named another way: nothing is added
    again = ingest(store, [str(f) for f in files] + [str(copy)], jobs=1)
    assert (again.new, again.held, again.repeat, again.reports) == (0, 6, 1, 0)
    assert held(store) == (names, reports)


def test_a_run_stopped_part_way_is_finished_by_the_next(store, tmp_path: Path) -> None:
    """A run that fails after three files (as a killed one would, between two files) keeps those
    three; the next run keeps the rest, each file exactly once."""
    write_corpus(tmp_path / "in", count=8)
    kept: list[Outcome] = []

    def stop_after_three(outcome: Outcome) -> None:
        kept.append(outcome)
        if len(kept) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest(store, [str(tmp_path / "in")], jobs=2, on_file=stop_after_three)
    with transaction(store) as s:
        assert corpus_counts(s) == {"sources": 3, "unreadable": 0, "reports": 3, "unmatched": 3}
    rest = ingest(store, [str(tmp_path / "in")], jobs=2)
    assert (rest.held, rest.new) == (3, 5)
    names, reports = held(store)
    assert len(names) == len(set(names)) == 8
    assert reports == sorted((AGENCIES[i % 4], 2019 + i, 0) for i in range(8))


def test_several_reports_in_one_file_each_kept(store, tmp_path: Path) -> None:
    reports = [clean_report_2021(), clean_report_2019().model_copy(update={"agency": "示例市教育局"})]
    (tmp_path / "two.txt").write_text("\n\n".join(write_tab_text(r) for r in reports), encoding="utf-8")
    tally = ingest(store, [str(tmp_path / "two.txt")])
    assert (tally.new, tally.reports) == (1, 2)
    assert held(store)[1] == sorted((r.agency, r.year, i) for i, r in enumerate(reports))


def test_unmatched_organs_are_listed_until_an_alias_matches_them(store, tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", count=4)
    with transaction(store) as s:
        # the organ's name as registered differs from the printed one only in spaces and brackets
        add_organ(s, "kj", "示例市 科学技术局", actor="t")
        add_organ(s, "jy", "示例市教育体育局", actor="t")  # renamed since (机构改革)
    tally = ingest(store, [str(tmp_path / "in")])
    assert (tally.reports, tally.unmatched) == (4, 3)
    with transaction(store) as s:
        assert unmatched_names(s) == [("示例市教育局", 1), ("示例市民政局", 1), ("示例市财政局", 1)]
        assert add_alias(s, find_organ(s, "jy"), "示例市教育局（旧称）", actor="t") == 0  # no such report
        assert add_alias(s, find_organ(s, "jy"), " 示例市教育局 ", actor="t") == 1
        with pytest.raises(Refused, match="示例市科学技术局"):
            add_alias(s, find_organ(s, "jy"), "示例市科学技术局", actor="t")
        assert [n for n, _ in unmatched_names(s)] == ["示例市民政局", "示例市财政局"]
        matched = dict(s.execute(select(CorpusReport.organ_name, CorpusReport.organ_id)).all())
        assert matched["示例市科学技术局"] == find_organ(s, "kj").id
        assert matched["示例市教育局"] == find_organ(s, "jy").id
        # an organ registered later is matched by the next run, which reads nothing again
        add_organ(s, "mz", "示例市民政局", actor="t")
    again = ingest(store, [str(tmp_path / "in")])
    assert (again.new, again.rematched) == (0, 1)
    with transaction(store) as s:
        assert unmatched_names(s) == [("示例市财政局", 1)]


def test_a_renamed_organ_keeps_its_former_name_as_an_alias(store, tmp_path: Path) -> None:
    with transaction(store) as s:
        organ = add_organ(s, "cz", "示例市财政局", actor="t")
        rename_organ(s, organ, "示例市财政和国有资产管理局", actor="t")
        assert aliases_of(s, organ) == [organ_key("示例市财政局")]
    write_corpus(tmp_path / "in", count=4)  # report3 is the 财政局's
    assert ingest(store, [str(tmp_path / "in")]).unmatched == 3
    with transaction(store) as s:
        assert (
            s.scalar(select(CorpusReport.organ_id).where(CorpusReport.organ_name == "示例市财政局"))
            == organ.id
        )


def test_an_unreadable_file_is_kept_with_its_error_and_not_read_again(store, tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", count=2)
    (tmp_path / "in" / "broken.pdf").write_bytes(b"%PDF-1.4\n not really a PDF")
    (tmp_path / "in" / "notes.txt").write_text("会议纪要：本周无事。", encoding="utf-8")
    tally = ingest(store, [str(tmp_path / "in")])
    assert (tally.new, tally.unreadable, tally.reports) == (2, 2, 2)
    with transaction(store) as s:
        errors = dict(s.execute(select(CorpusSource.name, CorpusSource.error)).all())
    broken = str(tmp_path / "in" / "broken.pdf")
    assert "PDF" in errors[broken] and broken in errors[broken]
    assert errors[str(tmp_path / "in" / "notes.txt")]
    again = ingest(store, [str(tmp_path / "in")])
    assert (again.held, again.unreadable) == (4, 0)  # not read again …
    retried = ingest(store, [str(tmp_path / "in")], retry_errors=True)
    assert (retried.held, retried.unreadable) == (2, 2)  # … unless asked
    with transaction(store) as s:
        assert s.scalar(select(func.count()).select_from(CorpusSource)) == 4


@pytest.mark.parametrize("gbk_names", [False, True], ids=["utf8-names", "gbk-names"])
def test_reports_in_a_zip_archive_are_taken_in_as_files(store, tmp_path: Path, gbk_names: bool) -> None:
    files = write_corpus(tmp_path / "loose", count=3)
    members = {
        "2023年报告/科技局.txt": files[0].read_bytes(),  # the same content as a loose file
        "2023年报告/教育局.txt": files[1].read_bytes(),
        "2023年报告/民政局.docx": files[2].read_bytes(),
        "2023年报告/损坏.pdf": b"%PDF-1.4\n cut short",
        "README.txt": "说明".encode(),
        "2023年报告/": b"",
    }
    (tmp_path / "in").mkdir()
    archive = write_zip(tmp_path / "in" / "reports.zip", members, gbk_names=gbk_names)
    tally = ingest(store, [str(tmp_path / "in"), str(files[0])], jobs=2)
    # the four report members, and the loose copy of the first of them
    assert (tally.files, tally.new, tally.repeat, tally.unreadable, tally.reports) == (5, 3, 1, 1, 3)
    names, reports = held(store)
    assert names == sorted(
        f"{archive}/2023年报告/{m}" for m in ("科技局.txt", "教育局.txt", "民政局.docx", "损坏.pdf")
    )
    assert reports == sorted((AGENCIES[i], 2019 + i, 0) for i in range(3))
    with transaction(store) as s:
        error = s.scalar(select(CorpusSource.error).where(CorpusSource.error.is_not(None)))
    assert error.startswith(f"{archive}/2023年报告/损坏.pdf: ")  # named by the member, not by its copy
    again = ingest(store, [str(archive), *map(str, files)])
    assert (again.new, again.held, again.repeat) == (0, 4, 3)  # the loose files repeat members


def test_the_migration_sums_up_the_findings_of_reports_already_held(tmp_path: Path) -> None:
    """Migration 0016 fills corpus_report_rules and the error and warning counts for a corpus
    taken in before it (the league tables count on them)."""
    from alembic import command

    from gongkai.store.db import _alembic_config, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = _alembic_config()
    findings = [
        {"rule": "T3-ROW-SUM", "severity": "error", "message": "a"},
        {"rule": "T3-ROW-SUM", "severity": "error", "message": "b"},
        {"rule": "SEC-MISSING", "severity": "warning", "message": "c"},
    ]
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0015")
        connection.execute(
            text(
                "INSERT INTO corpus_sources (id, sha256, name, size, form, ingested_at) "
                "VALUES (1, :sha, 'a.txt', 1, 'text', '2026-01-01')"
            ),
            {"sha": "0" * 64},
        )
        for report_id, found in ((1, findings), (2, [])):
            connection.execute(
                text(
                    "INSERT INTO corpus_reports (id, source_id, position, organ_name, organ_key, year, format, body, findings) "
                    "VALUES (:id, 1, :id, '某局', '某局', 2024, '2021', '{}', :findings)"
                ),
                {"id": report_id, "findings": json.dumps(found)},
            )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        counts = connection.execute(text("SELECT id, errors, warnings FROM corpus_reports ORDER BY id")).all()
        rules = connection.execute(
            text("SELECT report_id, rule, severity, count FROM corpus_report_rules ORDER BY rule")
        ).all()
    engine.dispose()
    assert [tuple(row) for row in counts] == [(1, 2, 1), (2, 0, 0)]
    assert [tuple(row) for row in rules] == [(1, "SEC-MISSING", "warning", 1), (1, "T3-ROW-SUM", "error", 2)]
