"""Written notice speed (issue 13 §4 goal: a notice rendered to DOCX in ≤ 0.3 s): composing the
letter from the templates (sandboxed Jinja2, the case replayed), writing its DOCX, and converting it
to PDF with LibreOffice. Figures only, no assertion.

    .venv/bin/python bench/notices.py [--count 50] [--pdf 3]
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from gongkai.casework.letters import TEMPLATE_NAMES, TemplateSet
from gongkai.casework.notices import NoticeSettings, compose, sample_case
from gongkai.casework.workdays import WorkCalendar
from gongkai.writers import WriterUnavailable
from gongkai.writers.letter import letter_to_docx, letter_to_pdf

SETTINGS = NoticeSettings(short_name="区科技局", review_organ="某某区人民政府", court="某某区人民法院")


def _letter(name: str, calendar: WorkCalendar):
    case, step = sample_case(name, calendar)
    return compose(
        case,
        step,
        TemplateSet(),  # a fresh set each time: templates compiled as for each issued notice
        organ_name="某某区科学技术局",
        settings=SETTINGS,
        issued_on=date(2026, 3, 20),
        number="区科技局依申复〔2026〕1号",
        request_number="2026-0001",
    )


def _through_the_store(count: int) -> None:
    """Issuing through the store (a SQLite file): the case replayed from its events, the organ's
    templates and settings read, the 文号 taken, the letter kept; then printed again to DOCX."""
    import tempfile
    from datetime import datetime
    from pathlib import Path

    from gongkai.casework.law import Channel
    from gongkai.casework.requests import Extended, make_registration
    from gongkai.store.casefiles import register, take_step
    from gongkai.store.db import open_store, transaction
    from gongkai.store.notices import issue_notice, letter_of
    from gongkai.store.records import add_organ, work_calendar
    from gongkai.store.tables import Organ, Request

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'bench.db'}")
        rows = []
        with transaction(store) as s:
            organ = add_organ(s, "kj", "某某区科学技术局", actor="bench")
            calendar = work_calendar(s)
            for _ in range(count):
                registration = make_registration(
                    channel=Channel.IN_PERSON,
                    arrived=datetime(2026, 3, 2, 9),
                    confirmed_on=None,
                    applicant_kind="natural",
                    applicant_name="张三",
                    subject="某项目的批复",
                )
                row = register(s, organ, registration, calendar, actor="bench")
                take_step(
                    s,
                    row,
                    Extended(on=date(2026, 3, 20), days=10, approver="主任", reason="档案"),
                    calendar,
                    actor="bench",
                )
                rows.append(row.id)
        started = time.perf_counter()
        notices = []
        for row_id in rows:
            with transaction(store) as s:
                organ, row = s.get(Organ, 1), s.get(Request, row_id)
                notices.append(
                    issue_notice(
                        s,
                        organ,
                        row,
                        2,
                        work_calendar(s),
                        issued_on=date(2026, 3, 20),
                        extras={},
                        actor="bench",
                    )
                )
        issued = time.perf_counter() - started
        started = time.perf_counter()
        for notice in notices:
            letter_to_docx(letter_of(notice))
        again = time.perf_counter() - started
        store.kw["bind"].dispose()
    print(f"store   {issued / count:7.4f} s per notice issued (SQLite, its own transaction each)")
    print(f"again   {again / count:7.4f} s per stored notice printed again to DOCX")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50, help="notices composed and written as DOCX")
    parser.add_argument("--pdf", type=int, default=3, help="notices converted to PDF (LibreOffice, slow)")
    args = parser.parse_args()
    calendar = WorkCalendar([])
    names = [TEMPLATE_NAMES[i % len(TEMPLATE_NAMES)] for i in range(args.count)]
    letter_to_docx(_letter("fee", calendar))  # imports and first use out of the figures
    started = time.perf_counter()
    letters = [_letter(name, calendar) for name in names]
    composed = time.perf_counter() - started
    started = time.perf_counter()
    sizes = [len(letter_to_docx(letter)) for letter in letters]
    written = time.perf_counter() - started
    n = len(letters)
    print(f"compose {composed / n:7.4f} s per notice (templates rendered from the case)")
    print(f"docx    {written / n:7.4f} s per notice  {sum(sizes) / n / 1024:5.1f} KB")
    print(f"total   {(composed + written) / n:7.4f} s per notice to DOCX (goal ≤ 0.3 s)")
    _through_the_store(min(n, 20))
    if args.pdf:
        try:
            started = time.perf_counter()
            for letter in letters[: args.pdf]:
                letter_to_pdf(letter)
            print(
                f"pdf     {(time.perf_counter() - started) / min(args.pdf, n):7.3f} s per notice (LibreOffice)"
            )
        except WriterUnavailable as exc:
            print(f"pdf     skipped: {exc}")


if __name__ == "__main__":
    main()
