"""Data access for the proactive register and the appeals: documents issued and repealed, yearly
figures, the log of what was published, reconsideration and litigation cases.

Nothing is deleted: an entry made by mistake is withdrawn (kept, not counted); every change goes
into the audit trail with its before and after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gongkai.casework.annual import (
    APPEAL_KIND_LABELS,
    APPEAL_KINDS,
    APPEAL_RESULT_LABELS,
    APPEAL_RESULTS,
    DOCUMENT_KINDS,
    TALLY_KEYS,
)
from gongkai.model.numbers import plain
from gongkai.store.records import NotFound, Refused, audit
from gongkai.store.tables import Appeal, Document, Organ, Publication, Request, Tally

# The sign-offs every proactive publication needs: 三审三校 and the 保密审查.
SIGN_OFFS = {
    "first_review": "初审",
    "second_review": "复审",
    "final_review": "终审",
    "secrecy_review": "保密审查",
}


def _document_json(doc: Document) -> dict:
    return {
        "kind": doc.kind,
        "title": doc.title,
        "doc_number": doc.doc_number,
        "issued_on": doc.issued_on.isoformat(),
        "published_on": doc.published_on.isoformat() if doc.published_on else None,
        "repealed_on": doc.repealed_on.isoformat() if doc.repealed_on else None,
        "withdrawn": doc.withdrawn,
    }


def document_problems(
    kind: str,
    title: str,
    issued_on: date | None,
    published_on: date | None,
    repealed_on: date | None,
    doc_number: str = "",
) -> list[str]:
    """What is wrong with a document entry, in Chinese (empty when it can be entered)."""
    problems = []
    if len(doc_number.strip()) > 100:  # the column's width: PostgreSQL would refuse the row
        problems.append("文号超过 100 字")
    if kind not in DOCUMENT_KINDS:
        problems.append(f"类别应为「规章」或「行政规范性文件」，而不是「{kind}」")
    if not title.strip():
        problems.append("文件名称为空")
    elif len(title.strip()) > 300:
        problems.append("文件名称超过 300 字")
    if issued_on is None:
        problems.append("缺少印发日期")
    else:
        if published_on is not None and published_on < issued_on:
            problems.append(f"公开日期 {published_on} 早于印发日期 {issued_on}")
        if repealed_on is not None and repealed_on < issued_on:
            problems.append(f"废止日期 {repealed_on} 早于印发日期 {issued_on}")
    return problems


def add_document(
    session: Session,
    organ: Organ,
    *,
    kind: str,
    title: str,
    issued_on: date,
    doc_number: str = "",
    published_on: date | None = None,
    repealed_on: date | None = None,
    actor: str,
    import_id: str | None = None,
) -> Document:
    """Enter a 规章 or 行政规范性文件; ``import_id`` names the 台账 import it came from, in the audit."""
    problems = document_problems(kind, title, issued_on, published_on, repealed_on, doc_number)
    if problems:
        raise Refused("；".join(problems))
    doc = Document(
        organ_id=organ.id,
        kind=kind,
        title=title.strip(),
        doc_number=doc_number.strip(),
        issued_on=issued_on,
        published_on=published_on,
        repealed_on=repealed_on,
    )
    session.add(doc)
    session.flush()
    after = _document_json(doc) | ({"import": import_id} if import_id else {})
    audit(session, actor, "document", doc.id, "create", organ_id=organ.id, after=after)
    return doc


def documents_of(session: Session, organ: Organ) -> list[Document]:
    """The organ's documents, newest issued first."""
    return list(
        session.scalars(
            select(Document).where(Document.organ_id == organ.id).order_by(Document.issued_on.desc())
        )
    )


def find_document(session: Session, organ: Organ, key: str) -> Document:
    """A document by its id or its 文号."""
    query = select(Document).where(Document.organ_id == organ.id)
    doc = session.scalar(query.where(Document.id == int(key))) if key.isdigit() and len(key) < 10 else None
    doc = doc or session.scalar(query.where(Document.doc_number == key))
    if doc is None:
        raise NotFound(f"{organ.name}没有编号或文号为「{key}」的文件")
    return doc


def repeal_document(session: Session, doc: Document, on: date, *, actor: str) -> None:
    """Record that a document was repealed on ``on``."""
    if doc.repealed_on is not None:
        raise Refused(f"「{doc.title}」已于 {doc.repealed_on} 废止")
    if on < doc.issued_on:
        raise Refused(f"废止日期 {on} 早于印发日期 {doc.issued_on}")
    before = _document_json(doc)
    doc.repealed_on = on
    audit(
        session,
        actor,
        "document",
        doc.id,
        "repeal",
        organ_id=doc.organ_id,
        before=before,
        after=_document_json(doc),
    )


def withdraw_document(session: Session, doc: Document, *, actor: str) -> None:
    """Withdraw an entry made by mistake: it stays in the store and is no longer counted."""
    if doc.withdrawn:
        raise Refused(f"「{doc.title}」已撤销登记")
    before = _document_json(doc)
    doc.withdrawn = True
    audit(
        session,
        actor,
        "document",
        doc.id,
        "withdraw",
        organ_id=doc.organ_id,
        before=before,
        after=_document_json(doc),
    )


def parse_tally(key: str, text: str) -> Decimal:
    """A yearly figure as entered: a whole count, or an amount of money for ``fees.amount`` and
    ``procurement.amount``."""
    if key not in TALLY_KEYS:
        raise Refused(
            f"未知的统计项「{key}」；可用：" + "、".join(f"{k}（{v}）" for k, v in TALLY_KEYS.items())
        )
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        raise Refused(f"{TALLY_KEYS[key]}：「{text}」不是数字") from None
    if not value.is_finite() or value >= Decimal(10) ** 13:
        raise Refused(f"{TALLY_KEYS[key]}：「{text}」不是合理的数值")
    if value < 0:
        raise Refused(f"{TALLY_KEYS[key]}：不能为负数")
    if not key.endswith("amount") and value != value.to_integral_value():
        raise Refused(f"{TALLY_KEYS[key]}：应为整数")
    if value.as_tuple().exponent < -6:  # type: ignore[operator]
        raise Refused(f"{TALLY_KEYS[key]}：最多 6 位小数（万元精确到分）")
    if len(value.normalize().as_tuple().digits) > 15:
        # a report's cells are JSON numbers: up to 15 digits they read back exactly as entered
        raise Refused(f"{TALLY_KEYS[key]}：「{text}」位数过多（最多 15 位有效数字）")
    return value


def tallies_of(session: Session, organ: Organ, year: int) -> dict[str, Decimal]:
    """The yearly figures the organ entered for ``year``, by key."""
    return {
        t.key: t.value
        for t in session.scalars(select(Tally).where(Tally.organ_id == organ.id, Tally.year == year))
    }


def set_tally(session: Session, organ: Organ, year: int, key: str, value: Decimal, *, actor: str) -> None:
    """Enter (or correct) a yearly figure; a correction keeps the old value in the audit trail."""
    row = session.scalar(
        select(Tally).where(Tally.organ_id == organ.id, Tally.year == year, Tally.key == key)
    )
    before = {"value": plain(row.value)} if row is not None else None
    if row is None:
        row = Tally(organ_id=organ.id, year=year, key=key, value=value)
        session.add(row)
    else:
        row.value = value
    audit(
        session,
        actor,
        "tally",
        f"{year}:{key}",
        "set",
        organ_id=organ.id,
        before=before,
        after={"value": plain(value)},
    )


# What the public catalogue shows of an entry besides its title and date (issue 13): field →
# (label, longest). All optional: an entry logged before had none of them.
CATALOGUE_FIELDS = {
    "index_number": ("索引号", 64),
    "doc_number": ("文号", 100),
    "issuer": ("发布机构", 200),
    "url": ("链接", 500),
}


def catalogue_problems(details: dict[str, str]) -> list[str]:
    """What is wrong with an entry's 索引号, 文号, 发布机构 and link, in Chinese."""
    problems = []
    for key, (label, longest) in CATALOGUE_FIELDS.items():
        if len(details.get(key, "").strip()) > longest:
            problems.append(f"{label}超过 {longest} 字")
    url = details.get("url", "").strip()
    # a link the public follows: to a web page, never a script or a file on someone's computer
    if url and not re.match(r"https?://[^\s/]+\S*$|/(?!/)\S*$", url, re.IGNORECASE):
        problems.append("链接应为以 http:// 或 https:// 开头的网址")
    return problems


def publication_problems(
    title: str,
    category: str,
    published_on: date | None,
    channels: list[str],
    sign_offs: dict[str, str],
    catalogue: dict[str, str] | None = None,
) -> list[str]:
    """What is wrong with a publication entry, in Chinese."""
    problems = catalogue_problems(catalogue or {})
    if not title.strip():
        problems.append("标题为空")
    if not category.strip():
        problems.append("缺少公开目录类别")
    if len(title.strip()) > 300 or len(category.strip()) > 60:
        problems.append("标题超过 300 字或类别超过 60 字")
    if published_on is None:
        problems.append("缺少发布日期")
    if not [c for c in channels if c.strip()]:
        problems.append("缺少发布渠道")
    missing = [label for key, label in SIGN_OFFS.items() if not sign_offs.get(key, "").strip()]
    if missing:
        problems.append(f"缺少{'、'.join(missing)}签字（三审三校和保密审查）")
    # the columns' width: PostgreSQL would refuse the row, SQLite keep it
    long = [label for key, label in SIGN_OFFS.items() if len(sign_offs.get(key, "").strip()) > 100]
    if long:
        problems.append(f"{'、'.join(long)}签字超过 100 字")
    return problems


def add_publication(
    session: Session,
    organ: Organ,
    *,
    title: str,
    category: str,
    published_on: date,
    channels: list[str],
    sign_offs: dict[str, str],
    actor: str,
    catalogue: dict[str, str] | None = None,
    import_id: str | None = None,
) -> Publication:
    """Log an item published on the organ's own initiative; ``catalogue`` holds what the public
    catalogue shows of it besides title and date (:data:`CATALOGUE_FIELDS`, each optional);
    ``import_id`` names the 台账 import it came from, in the audit."""
    catalogue = {key: (catalogue or {}).get(key, "").strip() for key in CATALOGUE_FIELDS}
    problems = publication_problems(title, category, published_on, channels, sign_offs, catalogue)
    if problems:
        raise Refused("；".join(problems))
    item = Publication(
        organ_id=organ.id,
        title=title.strip(),
        category=category.strip(),
        published_on=published_on,
        channels=[c.strip() for c in channels if c.strip()],
        **{key: sign_offs[key].strip() for key in SIGN_OFFS},
        **catalogue,
    )
    session.add(item)
    session.flush()
    audit(
        session,
        actor,
        "publication",
        item.id,
        "create",
        organ_id=organ.id,
        after={
            "title": item.title,
            "category": item.category,
            "published_on": published_on.isoformat(),
            "channels": channels,
            **{key: value for key, value in catalogue.items() if value},
            **({"import": import_id} if import_id else {}),
        },
    )
    return item


CATALOGUE_PAGE_SIZE = 50  # entries on a page of the public catalogue


@dataclass(frozen=True)
class CataloguePage:
    """One page of an organ's public catalogue (or of its publication log), newest first."""

    entries: list[Publication]
    page: int  # 1-based; a page past the end is the last one
    pages: int  # at least 1
    total: int
    category: str | None  # None: every category


def catalogue_categories(session: Session, organ: Organ) -> list[tuple[str, int]]:
    """The categories of the organ's public catalogue, each with how many entries it holds."""
    rows = session.execute(
        select(Publication.category, func.count())
        .where(Publication.organ_id == organ.id, Publication.withdrawn.is_(False))
        .group_by(Publication.category)
        .order_by(Publication.category)
    )
    return [(category, count) for category, count in rows]


def catalogue_page(
    session: Session,
    organ: Organ,
    page: int = 1,
    category: str | None = None,
    size: int = CATALOGUE_PAGE_SIZE,
    categories: list[tuple[str, int]] | None = None,
) -> CataloguePage:
    """A page of what the organ published (withdrawn entries left out), of one category or all.
    ``categories``, when the caller has them (:func:`catalogue_categories`), give the total without
    counting the entries a second time."""
    where = [Publication.organ_id == organ.id, Publication.withdrawn.is_(False)]
    if category:
        where.append(Publication.category == category)
    if categories is not None:
        total = sum(count for name, count in categories if not category or name == category)
    else:
        total = session.scalar(select(func.count()).select_from(Publication).where(*where)) or 0
    return _newest_first(session, where, page, size, total, category or None)


def publication_log_page(
    session: Session, organ: Organ, page: int = 1, size: int = CATALOGUE_PAGE_SIZE
) -> CataloguePage:
    """A page of the organ's publication log as its staff see it: every entry, withdrawn ones too,
    newest first."""
    where = [Publication.organ_id == organ.id]
    total = session.scalar(select(func.count()).select_from(Publication).where(*where)) or 0
    return _newest_first(session, where, page, size, total, None)


def _newest_first(
    session: Session, where: list, page: int, size: int, total: int, category: str | None
) -> CataloguePage:
    """The page ``page`` (clamped to the pages there are) of the entries ``where`` picks."""
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    newest_first = (Publication.published_on.desc(), Publication.id.desc())
    # The page's ids first, from an index alone (ix_publications_catalogue* for the catalogue), then
    # only those rows: a deep page skips index entries, never the rows of the pages before it.
    ids = select(Publication.id).where(*where).order_by(*newest_first).offset((page - 1) * size).limit(size)
    entries = session.scalars(
        select(Publication).where(Publication.id.in_(ids)).order_by(*newest_first)
    ).all()
    return CataloguePage(list(entries), page, pages, total, category)


# --- appeals -------------------------------------------------------------------------------------


def _appeal_json(appeal: Appeal) -> dict:
    return {
        "kind": appeal.kind,
        "filed_on": appeal.filed_on.isoformat(),
        "result": appeal.result,
        "decided_on": appeal.decided_on.isoformat() if appeal.decided_on else None,
        "withdrawn": appeal.withdrawn,
    }


def add_appeal(
    session: Session,
    organ: Organ,
    *,
    number: str,
    kind: str,
    filed_on: date,
    request_number: str | None = None,
    summary: str = "",
    actor: str,
) -> Appeal:
    """Enter a reconsideration or a suit about one of the organ's disclosure decisions."""
    if kind not in APPEAL_KINDS:
        raise Refused("案件类别应为 " + "、".join(f"{k}（{v}）" for k, v in APPEAL_KIND_LABELS.items()))
    number = number.strip()
    if not number or len(number) > 64:
        raise Refused("案号不能为空，也不能超过 64 字")
    if session.scalar(select(Appeal).where(Appeal.organ_id == organ.id, Appeal.number == number)) is not None:
        raise Refused(f"案号「{number}」已登记")
    request_id = None
    if request_number:
        found = session.scalar(
            select(Request).where(Request.organ_id == organ.id, Request.number == request_number)
        )
        if found is None:
            raise NotFound(f"{organ.name}没有编号为「{request_number}」的申请")
        request_id = found.id
    appeal = Appeal(
        organ_id=organ.id, number=number, kind=kind, filed_on=filed_on, request_id=request_id, summary=summary
    )
    session.add(appeal)
    session.flush()
    audit(session, actor, "appeal", number, "create", organ_id=organ.id, after=_appeal_json(appeal))
    return appeal


def appeals_of(session: Session, organ: Organ) -> list[Appeal]:
    """The organ's reconsiderations and suits, the newest filed first."""
    return list(
        session.scalars(select(Appeal).where(Appeal.organ_id == organ.id).order_by(Appeal.filed_on.desc()))
    )


def find_appeal(session: Session, organ: Organ, number: str) -> Appeal:
    """The organ's appeal with this case number."""
    appeal = session.scalar(select(Appeal).where(Appeal.organ_id == organ.id, Appeal.number == number))
    if appeal is None:
        raise NotFound(f"{organ.name}没有案号为「{number}」的复议或诉讼")
    return appeal


def decide_appeal(session: Session, appeal: Appeal, result: str, on: date, *, actor: str) -> None:
    """Record the result of an appeal: 维持 (upheld), 纠正 (corrected) or 其他 (other)."""
    if result not in APPEAL_RESULTS:
        raise Refused("审结结果应为 " + "、".join(f"{k}（{v}）" for k, v in APPEAL_RESULT_LABELS.items()))
    if appeal.decided_on is not None:
        raise Refused(f"案件「{appeal.number}」已于 {appeal.decided_on} 审结")
    if on < appeal.filed_on:
        raise Refused(f"审结日期 {on} 早于立案日期 {appeal.filed_on}")
    before = _appeal_json(appeal)
    appeal.result, appeal.decided_on = result, on
    audit(
        session,
        actor,
        "appeal",
        appeal.number,
        "decide",
        organ_id=appeal.organ_id,
        before=before,
        after=_appeal_json(appeal),
    )


def withdraw_appeal(session: Session, appeal: Appeal, *, actor: str) -> None:
    """Withdraw an appeal entered by mistake: it stays in the store and is no longer counted."""
    if appeal.withdrawn:
        raise Refused(f"案件「{appeal.number}」已撤销登记")
    before = _appeal_json(appeal)
    appeal.withdrawn = True
    audit(
        session,
        actor,
        "appeal",
        appeal.number,
        "withdraw",
        organ_id=appeal.organ_id,
        before=before,
        after=_appeal_json(appeal),
    )
