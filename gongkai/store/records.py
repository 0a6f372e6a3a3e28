"""Data access for organs, the audit trail and the calendar's entered years.

Functions take a session inside a transaction (:func:`gongkai.store.db.transaction`) and raise
:class:`NotFound` or :class:`Refused` with a message fit to show as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from gongkai import clock
from gongkai.casework.workdays import WorkCalendar, YearArrangement
from gongkai.model.text import organ_key
from gongkai.store.tables import AuditEntry, CalendarDay, CalendarYear, Organ, OrganAlias

ORGAN_KINDS = ("region", "organ")
# An organ's code, and a login, stand in addresses (/organs/{code}/…), file names and commands.
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class NotFound(LookupError):
    """No record answers to the name given."""


class Refused(ValueError):
    """The change would break a rule of the store (a duplicate, a bad parent…)."""


CONFLICT = "已被他人处理，请刷新后查看"


class Conflict(Refused):
    """Someone else changed the record between the page being shown and the change (issue 14):
    the second of two racers is refused, never given a duplicate or a server error."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}{CONFLICT}")


def lock_row(session: Session, row: object) -> None:
    """Reload ``row`` and lock it until the transaction ends, so that a state change checks the
    state as it is now. On PostgreSQL ``SELECT … FOR UPDATE``: a second writer waits for the first
    to commit and then reads what it wrote. SQLite writers are already serialised at BEGIN
    IMMEDIATE (gongkai.store.db), where the reload alone is needed."""
    session.flush()  # changes not yet flushed would be lost by the reload
    session.refresh(row, with_for_update=True)


def now() -> datetime:
    """The time a change is recorded at (aware, UTC; shown in China time)."""
    return clock.now_utc()


def audit(
    session: Session,
    actor: str,
    entity: str,
    entity_id: object,
    action: str,
    *,
    organ_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Write who changed what, from what to what, into the audit trail."""
    session.add(
        AuditEntry(
            at=now(),
            actor=actor,
            organ_id=organ_id,
            entity=entity,
            entity_id=str(entity_id),
            action=action,
            before=before,
            after=after,
        )
    )


# --- organs --------------------------------------------------------------------------------------


def add_organ(
    session: Session, code: str, name: str, *, kind: str = "organ", parent: str | None = None, actor: str
) -> Organ:
    """Add a region or an organ under ``parent`` (a region's code)."""
    code, name, parent = code.strip(), name.strip(), (parent or "").strip() or None
    problems = organ_problems(session, code, name, kind, parent)
    if problems:
        raise Refused("；".join(problems.values()))
    parent_id = find_organ(session, parent).id if parent is not None else None
    organ = Organ(code=code, name=name, kind=kind, parent_id=parent_id, created_at=now())
    session.add(organ)
    session.flush()
    audit(
        session,
        actor,
        "organ",
        organ.id,
        "create",
        organ_id=organ.id,
        after={"code": code, "name": name, "kind": kind, "parent": parent},
    )
    return organ


def organ_problems(session: Session, code: str, name: str, kind: str, parent: str | None) -> dict[str, str]:
    """What is wrong with a new organ's fields, by field (empty when nothing is): the one set of
    rules behind ``gongkai organs add`` and the administrator's web form."""
    code, name = code.strip(), name.strip()
    problems: dict[str, str] = {}
    if not CODE_PATTERN.fullmatch(code):
        problems["code"] = (
            "机关代码只用英文字母、数字和 . _ -（如 xq-kjj），以字母或数字开头，不超过 64 个字符："
            "它出现在网址、文件名和命令行里"
        )
    elif session.scalar(select(Organ).where(Organ.code == code)) is not None:
        problems["code"] = f"机关代码「{code}」已被使用"
    if not name or len(name) > 200:
        problems["name"] = "名称不能为空，也不能超过 200 字"
    if kind not in ORGAN_KINDS:
        problems["kind"] = f"机关类别应为 region（地区）或 organ（机关），而不是「{kind}」"
    if parent:
        try:
            above = find_organ(session, parent)
        except NotFound as exc:
            problems["parent"] = str(exc)
        else:
            if above.kind != "region":
                problems["parent"] = f"「{above.name}」是机关，不是地区，不能设下级"
    return problems


def rename_organ(session: Session, organ: Organ, name: str, *, actor: str) -> None:
    """Give an organ its new name (机构改革): reports already published keep the name they were
    published under; the code, and with it every record, stays."""
    name = name.strip()
    if not name or len(name) > 200:
        raise Refused("名称不能为空，也不能超过 200 字")
    before = organ.name
    if name == before:
        return
    organ.name = name
    # The reports published under the former name are still the organ's (issue 17: the corpus
    # matches them by this alias); a name another organ already answers to is not taken.
    former = organ_key(before)
    if former and session.scalar(select(OrganAlias.id).where(OrganAlias.alias == former)) is None:
        session.add(OrganAlias(organ_id=organ.id, alias=former))
    audit(
        session,
        actor,
        "organ",
        organ.id,
        "rename",
        organ_id=organ.id,
        before={"name": before},
        after={"name": name},
    )


def find_organ(session: Session, code: str) -> Organ:
    """The organ or region with this code."""
    organ = session.scalar(select(Organ).where(Organ.code == code))
    if organ is None:
        known = session.scalars(select(Organ.code).order_by(Organ.code).limit(20)).all()
        hint = f"（已有：{'、'.join(known)}）" if known else "（还没有登记任何机关：gongkai organs add …）"
        raise NotFound(f"没有代码为「{code}」的机关{hint}")
    return organ


def organ_by_id(session: Session, organ_id: int) -> Organ | None:
    """The organ or region with this id, or None."""
    return session.get(Organ, organ_id)


def organ_codes(session: Session) -> dict[int, str]:
    """Every organ's and region's code, by id."""
    return dict(session.execute(select(Organ.id, Organ.code)).all())


class Place(NamedTuple):
    """An organ or region as a listing over the tree needs it: its columns without the ORM's
    bookkeeping (reading 20,000 mapped objects takes a third of a second; these a tenth of that)."""

    id: int
    parent_id: int | None
    code: str
    name: str
    kind: str


Node = TypeVar("Node", Organ, Place)


def in_tree_order(nodes: Sequence[Node], top: int | None = None) -> list[tuple[int, Node]]:
    """``nodes`` (sorted by code) from those whose parent is ``top`` down, each with its depth,
    each region followed by what it holds."""
    children: dict[int | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    out: list[tuple[int, Node]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for node in children.get(parent, []):
            if node.id not in seen:  # a cycle in a hand-edited tree ends the walk
                seen.add(node.id)
                out.append((depth, node))
                if node.id in children:  # not a call for each of a province's 14,000 leaves
                    walk(node.id, depth + 1)

    walk(top, 0)
    return out


def organ_tree(session: Session) -> list[tuple[int, Organ]]:
    """Every organ with its depth, each region followed by what it holds."""
    return in_tree_order(session.scalars(select(Organ).order_by(Organ.code)).all())


def organ_outline(session: Session, *, regions_only: bool = False) -> list[tuple[int, Place]]:
    """:func:`organ_tree` as plain :class:`Place` rows, for pages and counts over a large tree; the
    regions alone, if asked (a region is never below an organ, so they keep their depths)."""
    query = select(Organ.id, Organ.parent_id, Organ.code, Organ.name, Organ.kind).order_by(Organ.code)
    if regions_only:
        query = query.where(Organ.kind == "region")
    return in_tree_order([Place(*row) for row in session.execute(query)])


def subtree_select(roots: int | Iterable[int], *, regions_only: bool = False) -> Select[tuple[int]]:
    """A query of the ids of the organ(s) ``roots`` and of every organ and region below them
    (``regions_only``: of the regions below them only — the tree's few hundred regions, not its
    14,000 organs, since an organ is never above anything: records.organ_problems).

    A filter by region is ``organ_id IN`` this query, never a list of ids: a province's 15,000 ids
    sent as parameters take a second. Recursive, with UNION, not UNION ALL: a cycle in a hand-edited
    tree ends it. The CTE's name is SQLAlchemy's own, so that two subtrees may meet in one query.
    """
    ids = [roots] if isinstance(roots, int) else sorted(roots)
    below = select(Organ.id).where(Organ.id.in_(ids)).cte(recursive=True)
    step = select(Organ.id).where(Organ.parent_id == below.c.id)
    below = below.union(step.where(Organ.kind == "region") if regions_only else step)
    return select(below.c.id)


def subtree_ids(session: Session, root_id: int) -> set[int]:
    """The ids of ``root_id`` and of every organ and region below it: one query, however large the
    tree (a supervisor's scope is asked for on every page)."""
    return set(session.scalars(subtree_select(root_id)))


# --- the calendar's entered years ----------------------------------------------------------------


def entered_years(session: Session) -> list[YearArrangement]:
    """Every year entered into the store, as arrangements."""
    days: dict[int, list[CalendarDay]] = {}
    for day in session.scalars(select(CalendarDay)):
        days.setdefault(day.year, []).append(day)
    return [
        YearArrangement(
            year.year,
            {d.day: d.name for d in days.get(year.year, []) if d.kind == "holiday"},
            frozenset(d.day for d in days.get(year.year, []) if d.kind == "workday"),
            source=year.source,
        )
        for year in session.scalars(select(CalendarYear).order_by(CalendarYear.year))
    ]


def work_calendar(session: Session, *, count_adjusted_workdays: bool = True) -> WorkCalendar:
    """The national calendar with the years entered into the store."""
    return WorkCalendar(entered_years(session), count_adjusted_workdays=count_adjusted_workdays)


def enter_year(session: Session, arrangement: YearArrangement, *, actor: str) -> None:
    """Enter (or replace) a year's holidays and 调休 days."""
    previous = session.get(CalendarYear, arrangement.year)
    before = None
    if previous is not None:
        old = next(a for a in entered_years(session) if a.year == arrangement.year)
        before = _arrangement_json(old)
        for day in session.scalars(select(CalendarDay).where(CalendarDay.year == arrangement.year)):
            session.delete(day)  # the audit entry keeps the replaced days
        session.delete(previous)
        session.flush()
    session.add(
        CalendarYear(year=arrangement.year, source=arrangement.source, entered_by=actor, entered_at=now())
    )
    session.flush()
    for day, name in arrangement.holidays.items():
        session.add(CalendarDay(day=day, year=arrangement.year, kind="holiday", name=name))
    for day in arrangement.workdays:
        session.add(CalendarDay(day=day, year=arrangement.year, kind="workday", name=""))
    audit(
        session,
        actor,
        "calendar_year",
        arrangement.year,
        "replace" if before else "create",
        before=before,
        after=_arrangement_json(arrangement),
    )


def _arrangement_json(arrangement: YearArrangement) -> dict[str, Any]:
    return {
        "source": arrangement.source,
        "holidays": {d.isoformat(): n for d, n in sorted(arrangement.holidays.items())},
        "workdays": sorted(d.isoformat() for d in arrangement.workdays),
    }


def parse_day(text: str, what: str = "日期") -> date:
    """An ISO date (2026-03-02), or :class:`Refused` naming the field."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Refused(f"{what}「{text}」不是 YYYY-MM-DD 格式的日期") from None


def happened(day: date, what: str = "日期") -> date:
    """``day``, or :class:`Refused` when it is after today: a step is recorded when it has happened,
    so a later date is a typing error."""
    today = clock.today()
    if day > today:
        raise Refused(f"{what} {day.isoformat()} 晚于今天（{today.isoformat()}），只能登记已经发生的事")
    return day


def parse_past_day(text: str | None, what: str = "日期") -> date:
    """An ISO date that has happened; today when none is given."""
    return happened(parse_day(text, what) if text else clock.today(), what)
