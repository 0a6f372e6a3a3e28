"""The cross-year rules over the corpus (issue 17 §3), on SQLite and PostgreSQL: every organ's
reports of consecutive years paired — a registered organ under any of its names, an organ not
matched by its printed name — each pair checked, a second report of one year set aside."""

from __future__ import annotations

from pathlib import Path

from conftest import clean_report_2021
from support.corpuswriter import CZ, JY, KJ, KJ_ALIAS, MZ, second_copy, write_reports, year_corpus

from gongkai.batch import CheckOptions, check_files_grouped
from gongkai.batch_ingest import ingest
from gongkai.checks import check_years, report_context, year_pairs
from gongkai.model.report import report_from_json
from gongkai.store.corpus import add_alias
from gongkai.store.corpus_years import SetAside, corpus_year_pairs
from gongkai.store.db import transaction
from gongkai.store.records import add_organ, find_organ


def build(store, tmp_path: Path) -> dict[str, Path]:
    """Organs kj (with an alias) and jy registered, the corpus ingested, then kj's second 2023."""
    with transaction(store) as s:
        add_alias(s, add_organ(s, "kj", KJ, actor="t"), KJ_ALIAS, actor="t")
        add_organ(s, "jy", JY, actor="t")
    files = write_reports(tmp_path / "in", year_corpus(clean_report_2021))
    assert ingest(store, [str(tmp_path / "in")], jobs=1).reports == 8
    files |= write_reports(tmp_path / "later", second_copy(clean_report_2021))
    assert ingest(store, [str(tmp_path / "later")], jobs=1).reports == 1
    return files


def test_every_pair_of_consecutive_years_is_checked(store, tmp_path: Path) -> None:
    files = build(store, tmp_path)
    with transaction(store) as s:
        pairs = list(corpus_year_pairs(s))
    # kj's three years (two names, one organ) make two pairs; mz, not registered, one by its name;
    # jy (one year) and cz (2020 and 2022) none
    assert [(p.organ, p.code, p.years, p.sources) for p in pairs] == [
        (KJ, "kj", (2022, 2023), (str(files["kj2022.txt"]), str(files["kj2023.txt"]))),
        (KJ, "kj", (2023, 2024), (str(files["kj2023.txt"]), str(files["kj2024.txt"]))),
        (MZ, None, (2021, 2022), (str(files["mz2021.txt"]), str(files["mz2022.txt"]))),
    ]
    assert not {JY, CZ} & {p.organ for p in pairs}
    # every pair: 现行有效件数 10 stays 10 although 2 were issued and 1 repealed (the clean report's
    # figures, the same each year); kj's 2024 report carries in 3 where 2023 carried over 1
    assert [sorted(f.rule for f in p.findings) for p in pairs] == [
        ["XY-T2-INFORCE"],
        ["XY-T2-INFORCE", "XY-T3-CARRY"],
        ["XY-T2-INFORCE"],
    ]
    # and what `gongkai check` finds of the same files given together
    read = [
        r
        for group in check_files_grouped([str(f) for f in files.values()], CheckOptions(keep_reports=True))
        for r in group
    ]
    # (kj's 2024 report under kj's registered name: `check` pairs reports by their printed names)
    contexts = [
        report_context(
            report_from_json({**r["report"], "agency": KJ} if r["agency"] == KJ_ALIAS else r["report"])
        )
        for r in read
        if r["file"] != str(files["kj2023-again.txt"])
    ]
    checked = {(p.current.report.agency, p.current.report.year): check_years(p) for p in year_pairs(contexts)}
    assert {(p.organ, p.years[1]): p.findings for p in pairs} == checked
    carry = [[(f.cells, f.expected, f.found) for f in p.findings if f.rule == "XY-T3-CARRY"] for p in pairs]
    assert carry == [[], [(["requests.carried_in.natural"], 1, 3)], []]
    # kj's second 2023 report, ingested later, is set aside (used, it would break 2022→2023)
    aside = SetAside(2023, str(files["kj2023-again.txt"]), str(files["kj2023.txt"]))
    assert [p.set_aside for p in pairs] == [[aside], [aside], []]


def test_one_organs_pairs(store, tmp_path: Path) -> None:
    build(store, tmp_path)
    with transaction(store) as s:
        assert [p.years for p in corpus_year_pairs(s, organ=find_organ(s, "kj"))] == [
            (2022, 2023),
            (2023, 2024),
        ]
        assert list(corpus_year_pairs(s, organ=find_organ(s, "jy"))) == []
        # the rules chosen, as `gongkai check --select` chooses them
        only = corpus_year_pairs(s, organ=find_organ(s, "kj"), select_rules=["XY-T3-CARRY"])
        assert [[f.rule for f in p.findings] for p in only] == [[], ["XY-T3-CARRY"]]
        # mz registered later (and its reports matched): its pair is now the organ's
        add_organ(s, "mz", MZ, actor="t")
        add_alias(s, find_organ(s, "mz"), MZ + "（民政）", actor="t")
    with transaction(store) as s:
        assert [(p.code, p.years) for p in corpus_year_pairs(s)][-1] == (None, (2021, 2022))


def test_an_empty_corpus_has_no_pairs(store) -> None:
    with transaction(store) as s:
        assert list(corpus_year_pairs(s)) == []
