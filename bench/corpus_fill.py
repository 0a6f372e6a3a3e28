"""A generated corpus of published reports at the size of a province (issue 17 §8), for
bench/corpus_scale.py: an organ tree, ``reports`` corpus reports over 2019–2025 in both layouts with
their findings, rule summaries, dates and a few thousand judgements, and the organs' own reports of
the last two years for the supervisor console. Written with COPY: 100,000 reports in 20–30 s.

Its bodies are a few dozen canonical reports made with the tests' builders (clean_report_2021 and
clean_report_2019, some cells changed), checked by the project's own checks; each report takes one,
its organ and year set.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from conftest import clean_report_2019, clean_report_2021
from sqlalchemy import text

from gongkai.checks import check_report
from gongkai.model.report import report_to_json
from gongkai.model.text import organ_key
from gongkai.store.corpus import finding_counts, rules_of
from gongkai.store.judgements import finding_key
from gongkai.store.reports import report_summary

YEARS = range(2019, 2026)
CITIES, DISTRICTS = 20, 12  # 20 cities of 12 districts each: 260 units holding organs
DEPARTMENTS = (
    "教育局",
    "民政局",
    "财政局",
    "科学技术局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
)
UNMATCHED_SHARE = 0.08  # reports whose printed name answers to no organ yet
PRESENT = 0.9  # an organ's report of a year is in the corpus (coverage has gaps)
TWICE = 0.03  # a report corrected and published again: two of the same organ and year
# Cells whose change breaks an identity (an error), and cells free of any (a clean variant).
BREAKING = ("requests.new.natural", "requests.granted.natural", "requests.carried_over.commercial")
FREE = ("active.licensing.decisions", "appeals.review.upheld")
NOW = datetime(2026, 12, 1, tzinfo=UTC)


@dataclass
class Variant:
    """A canonical body (as JSON text, its organ and year to fill in) and its findings."""

    layout: str
    body: str
    findings: list[dict[str, Any]]
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(n for (_, severity), n in self.counts.items() if severity == "error")

    @property
    def warnings(self) -> int:
        return sum(n for (_, severity), n in self.counts.items() if severity == "warning")


AGENCY, YEAR = "@@AGENCY@@", 1999  # placeholders replaced in each report's body text


def variants(rng: random.Random) -> tuple[list[Variant], list[Variant]]:
    """About two dozen bodies a layout: (clean ones, ones with an error)."""
    clean: list[Variant] = []
    broken: list[Variant] = []
    for layout, make in (("2021", clean_report_2021), ("2019", clean_report_2019)):
        for n in range(24):
            cells = {rng.choice(FREE): rng.randint(1, 500)}
            if n % 2:
                cells[rng.choice(BREAKING)] = rng.randint(10, 40)
            report = make(**cells).model_copy(update={"agency": AGENCY, "year": YEAR})
            findings = [f.model_dump(mode="json", exclude_none=True) for f in check_report(report)]
            body = json.dumps(report_to_json(report), ensure_ascii=False)
            variant = Variant(layout, body, findings, dict(finding_counts(findings)))
            (broken if variant.errors else clean).append(variant)
    return clean, broken


@dataclass
class Tree:
    """The organ rows made, and which are organs (not regions)."""

    rows: list[tuple[int, str, str, str, int | None]] = field(
        default_factory=list
    )  # id, code, name, kind, parent
    organs: list[tuple[int, str]] = field(default_factory=list)  # (id, name) of kind organ
    regions: list[tuple[int, str]] = field(default_factory=list)  # (id, name) below the province

    def add(self, code: str, name: str, kind: str, parent: int | None) -> int:
        organ_id = len(self.rows) + 1
        self.rows.append((organ_id, code, name, kind, parent))
        (self.organs if kind == "organ" else self.regions if parent else []).append((organ_id, name))
        return organ_id


def organ_tree(per_unit: int) -> Tree:
    """One province, its cities and their districts, each city and district holding ``per_unit``
    organs: departments and, in a district, towns (乡镇, with no due date set)."""
    tree = Tree()
    province = tree.add("p", "示例省人民政府", "region", None)
    for c in range(1, CITIES + 1):
        city_name = f"示例省第{c}市"
        city = tree.add(f"c{c}", f"{city_name}人民政府", "region", province)
        units = [(f"c{c}", city_name, city, False)]
        for d in range(1, DISTRICTS + 1):
            name = f"{city_name}第{d}区"
            units.append((f"c{c}d{d}", name, tree.add(f"c{c}d{d}", f"{name}人民政府", "region", city), True))
        for code, name, unit, district in units:
            for k in range(per_unit):
                if district and k % 4 == 3:  # a quarter of a district's organs are towns
                    organ_name = f"{name}第{k}镇人民政府"
                else:
                    organ_name = f"{name}{DEPARTMENTS[k % len(DEPARTMENTS)]}" + (
                        f"第{k}分局" if k >= 8 else ""
                    )
                tree.add(f"{code}o{k}", organ_name, "organ", unit)
    return tree


def per_unit_for(reports: int) -> int:
    """Organs a unit so that the corpus holds about one report an organ and year."""
    matched = reports * (1 - UNMATCHED_SHARE) / (len(YEARS) * PRESENT * (1 + TWICE))
    return max(2, round(matched / (CITIES * (DISTRICTS + 1))))


def _dates(rng: random.Random, year: int) -> tuple[date | None, str | None, date | None]:
    """(published_on, published_from, signed_on): most near the deadline, some late, some unknown."""
    due = date(year + 1, 1, 31)
    signed = due - timedelta(days=rng.randint(-20, 40)) if rng.random() < 0.8 else None
    if rng.random() < 0.6:
        published = (signed or due) + timedelta(days=rng.randint(0, 30))
        return published, rng.choice(("page", "list")), signed
    return None, None, signed


def fill(engine: Any, reports: int, seed: int = 17) -> dict[str, int]:
    """Write the corpus into the (migrated, empty) database of ``engine``; what it wrote, by table."""
    rng = random.Random(seed)
    clean, broken = variants(rng)
    tree = organ_tree(per_unit_for(reports))
    raw = engine.raw_connection()
    connection = raw.driver_connection
    written = {"organs": len(tree.rows)}
    try:
        with connection.cursor() as cursor:
            with cursor.copy("COPY organs (id, code, name, kind, parent_id, created_at) FROM STDIN") as copy:
                for row in tree.rows:
                    copy.write_row((*row, NOW))
            written.update(_copy_corpus(cursor, rng, tree, reports, clean, broken))
            written["reports"] = _copy_records(cursor, rng, tree, clean + broken)
            for table in ("organs", "corpus_sources", "corpus_reports", "finding_judgements", "reports"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        connection.commit()
    finally:
        raw.close()
    # what autovacuum does soon after a bulk load: without statistics the plans are guesses
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        autocommit.execute(text("VACUUM ANALYZE"))
    return written


def _plan(rng: random.Random, tree: Tree, reports: int) -> list[tuple[int | None, str, int]]:
    """(organ id or None, printed name, year) of every report, in the order they were taken in."""
    plan: list[tuple[int | None, str, int]] = []
    matched = round(reports * (1 - UNMATCHED_SHARE))
    issuers = tree.organs + tree.regions
    while len(plan) < matched:
        for year in YEARS:
            for organ_id, name in issuers:
                if rng.random() < PRESENT:
                    plan += [(organ_id, name, year)] * (2 if rng.random() < TWICE else 1)
        if not issuers:
            break
    rng.shuffle(plan)
    plan = plan[:matched]
    plan += [(None, f"示例省某某{n % 500}办公室", rng.choice(YEARS)) for n in range(reports - len(plan))]
    rng.shuffle(plan)
    return plan


def _copy_corpus(
    cursor: Any, rng: random.Random, tree: Tree, reports: int, clean: list[Variant], broken: list[Variant]
) -> dict[str, int]:
    """Sources, corpus reports, their rule summaries and some judgements, by COPY."""
    rules: list[tuple[int, str, str, int]] = []
    judged: list[tuple[str, int, str]] = []
    report_columns = (
        "id, source_id, position, organ_id, organ_name, organ_key, year, format, body, findings, "
        "published_on, published_from, signed_on, errors, warnings"
    )
    plan = _plan(rng, tree, reports)
    with cursor.copy("COPY corpus_sources (id, sha256, name, size, form, ingested_at) FROM STDIN") as copy:
        for report_id, (_, name, year) in enumerate(plan, start=1):
            copy.write_row((report_id, _sha(report_id), f"{year}/{name}.pdf", 200_000, "pdf", NOW))
    with cursor.copy(f"COPY corpus_reports ({report_columns}) FROM STDIN") as copy:
        for report_id, (organ_id, name, year) in enumerate(plan, start=1):
            layout = "2019" if year <= 2020 else "2021"
            pool = broken if rng.random() < 0.25 else clean
            variant = rng.choice([v for v in pool if v.layout == layout])
            sha = _sha(report_id)
            body = variant.body.replace(AGENCY, name).replace(f'"year": {YEAR}', f'"year": {year}')
            findings = json.dumps(variant.findings, ensure_ascii=False)
            published, source, signed = _dates(rng, year)
            copy.write_row(
                (
                    report_id,
                    report_id,
                    0,
                    organ_id,
                    name,
                    organ_key(name),
                    year,
                    layout,
                    body,
                    findings,
                    published,
                    source,
                    signed,
                    variant.errors,
                    variant.warnings,
                )
            )
            rules += [
                (report_id, rule, severity, n)
                for rule, (severity, n) in rules_of(Counter(variant.counts)).items()
            ]
            if variant.findings and rng.random() < 0.1:
                judged.append((sha, 0, finding_key(rng.choice(variant.findings))))
    with cursor.copy("COPY corpus_report_rules (report_id, rule, severity, count) FROM STDIN") as copy:
        for row in rules:
            copy.write_row(row)
    verdicts = ("confirmed", "not_a_problem", "fixed")
    with cursor.copy(
        "COPY finding_judgements (source_sha256, position, finding_key, verdict, reason, judged_by, judged_at) FROM STDIN"
    ) as copy:
        for sha, position, key in judged:
            verdict = rng.choice(verdicts)
            reason = "口径不同，已核实" if verdict == "not_a_problem" else ""
            copy.write_row((sha, position, key, verdict, reason, "bench", NOW))
    return {
        "corpus_sources": len(plan),
        "corpus_reports": len(plan),
        "corpus_report_rules": len(rules),
        "finding_judgements": len(judged),
    }


def _sha(report_id: int) -> str:
    """A source file's content hash, made up."""
    return hashlib.sha256(str(report_id).encode()).hexdigest()


def _copy_records(cursor: Any, rng: random.Random, tree: Tree, pool: list[Variant]) -> int:
    """The organs' own reports (the console's): 2024 and 2025, published, for half of the organs,
    summed up as the store sums a filed report up (reports.summarise: counts, figures, rules)."""
    written = 0
    columns = (
        "id, organ_id, year, status, source, source_name, body, findings, version, updated_at, "
        "published_at, errors, warnings, figures"
    )
    # a variant's summary does not depend on its organ or year
    summaries = {
        id(v): report_summary(json.loads(v.body.replace(f'"year": {YEAR}', '"year": 2024')), v.findings)
        for v in pool
        if v.layout == "2021"
    }
    rules: list[tuple[int, str, str, int]] = []
    with cursor.copy(f"COPY reports ({columns}) FROM STDIN") as copy:
        for organ_id, name in tree.organs:
            if rng.random() >= 0.5:
                continue
            for year in (2024, 2025):
                variant = rng.choice([v for v in pool if v.layout == "2021"])
                body = variant.body.replace(AGENCY, name).replace(f'"year": {YEAR}', f'"year": {year}')
                findings = json.dumps(variant.findings, ensure_ascii=False)
                summary = summaries[id(variant)]
                written += 1
                copy.write_row(
                    (
                        written,
                        organ_id,
                        year,
                        "published",
                        "uploaded",
                        f"{name}.pdf",
                        body,
                        findings,
                        1,
                        NOW,
                        NOW,
                        summary.errors,
                        summary.warnings,
                        json.dumps(summary.figures),
                    )
                )
                rules += [(written, rule, severity, n) for (rule, severity), n in summary.rules.items()]
    with cursor.copy("COPY report_rules (report_id, rule, severity, count) FROM STDIN") as copy:
        for row in rules:
            copy.write_row(row)
    return written
