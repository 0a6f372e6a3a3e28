"""A published report's DOCX and PDF, rendered once and handed out on every download (issue 13).

Rendering a PDF goes through LibreOffice and took about 4 seconds for each portal download. The
files are now rendered when the report is published, outside any transaction (so that no clerk
waits on the database meanwhile), and kept in the ``report_files`` table with the report's
version: a report published again (a supervisor's new upload) is rendered again.

Why a table rather than files under the data folder: it is written in the same database as the
report, so every worker and every server behind a PostgreSQL database finds it, backups hold it,
and there is no file to go missing or to outlive its report. The files are small (tens of KB).

A published report whose files are not kept yet (published before, uploaded, or rendered while
LibreOffice was missing) is rendered at its first download and kept then.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from gongkai.store.db import READ_ONLY
from gongkai.store.records import now
from gongkai.store.reports import ReportStatus, report_of
from gongkai.store.tables import ReportFile, ReportRecord
from gongkai.writers import WriterUnavailable, render

KEPT_FORMS = ("docx", "pdf")  # the forms that take time to render; the others are rendered at once


def kept_file(session: Session, row: ReportRecord, form: str) -> bytes | None:
    """The report's file of ``form`` as rendered from its current version, if kept."""
    return session.scalar(
        select(ReportFile.data).where(
            ReportFile.report_id == row.id, ReportFile.form == form, ReportFile.version == row.version
        )
    )


def render_public(row: ReportRecord, form: str) -> bytes:
    """The report as the public downloads it: without findings (raises ``WriterUnavailable``)."""
    return render(report_of(row), form, findings=[])


def keep_file(factory: sessionmaker[Session], report_id: int, version: int, form: str, data: bytes) -> bool:
    """Keep a rendered file, in a short transaction of its own, if the report is still published
    at that version; False when it was not kept (changed meanwhile, or kept by another worker)."""
    try:
        with factory() as session, session.begin():
            row = session.get(ReportRecord, report_id)
            if row is None or row.status != ReportStatus.PUBLISHED or row.version != version:
                return False
            session.execute(
                delete(ReportFile).where(ReportFile.report_id == report_id, ReportFile.form == form)
            )
            session.add(
                ReportFile(report_id=report_id, form=form, version=version, data=data, rendered_at=now())
            )
    except DBAPIError:  # two workers keeping the same file at once: the other one's is as good
        return False
    return True


def render_published(factory: sessionmaker[Session], report_id: int) -> list[str]:
    """Render a published report's DOCX and PDF and keep them; the forms kept. Run once the report
    is published (after its transaction is committed); a form this machine cannot render (no
    LibreOffice) is left to its first download."""
    with factory() as session:
        session.connection(execution_options=READ_ONLY)  # a read: SQLite begins it deferred
        row = session.get(ReportRecord, report_id)
        if row is None or row.status != ReportStatus.PUBLISHED:
            return []
        session.expunge(row)  # read; rendering below holds no connection
    kept = []
    for form in KEPT_FORMS:
        try:
            data = render_public(row, form)
        except WriterUnavailable:
            continue
        if keep_file(factory, row.id, row.version, form, data):
            kept.append(form)
    return kept
