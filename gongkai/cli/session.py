"""What every casework command shares: a session on the store whose refusals become one line and
exit status 2, who makes the change, the day it happens, and the common options.

Every change names who made it (``--by``, else ``$GONGKAI_USER``, else the login name) and goes into
the audit trail. Exit status: 0 done, 2 a step refused or bad input (one line saying why; nothing
stored)."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import pydantic
import typer
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from gongkai import clock, settings
from gongkai.casework.holiday_notice import NoticeError
from gongkai.casework.requests import IllegalStep
from gongkai.casework.workdays import CalendarGap
from gongkai.cli.console import err, out
from gongkai.store.db import StoreError, open_store, transaction
from gongkai.store.ledger import LedgerProblems
from gongkai.store.records import NotFound, Refused, parse_day

OrganOpt = Annotated[str, typer.Option("--organ", help="机关代码（gongkai organs list 可查）")]
ByOpt = Annotated[str | None, typer.Option("--by", help="经办人（默认取 GONGKAI_USER 或登录名）")]
OnOpt = Annotated[str | None, typer.Option("--on", help="日期 YYYY-MM-DD（默认今天）")]
NumberArg = Annotated[str, typer.Argument(help="申请编号，如 2026-0001")]


def actor(by: str | None) -> str:
    """Who is making the change."""
    return by or settings.current().user or getpass.getuser()


def day_or_today(text: str | None, what: str = "日期") -> date:
    """The day given as YYYY-MM-DD (``what`` names it in a refusal), or today when none is."""
    return clock.today() if text is None else parse_day(text, what)


@contextmanager
def store() -> Iterator[sessionmaker[Session]]:
    """The store, for a command that makes its own transactions or prints as it goes (ingest,
    export…): every refusal becomes one line on stderr and exit status 2, and the command's
    connections end with it."""
    with refusals():
        factory = open_store()
        try:
            yield factory
        finally:
            factory.kw["bind"].dispose()


@contextmanager
def work() -> Iterator[Session]:
    """A session on the store, as :func:`store` gives it, in one transaction: nothing of a failed
    command is stored. What the command prints to standard output is held back until the change
    is committed: a success line never appears for a change the database then refused."""
    out.begin_capture()
    try:
        with store() as factory, transaction(factory) as session:
            yield session
    except BaseException:
        out.end_capture()  # the change was not stored: nothing it said is true
        raise
    held = out.end_capture()
    out.file.write(held)
    out.file.flush()


@contextmanager
def refusals() -> Iterator[None]:
    """Each refusal of the store, the law or the database as one line and exit status 2."""
    try:
        yield
    except (Refused, NotFound, StoreError, CalendarGap, IllegalStep, NoticeError, LedgerProblems) as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None
    except pydantic.ValidationError as exc:
        err.print("输入有误：" + "；".join(_validation_problem(e) for e in exc.errors()))
        raise typer.Exit(2) from None
    except (ValueError, OverflowError, ArithmeticError) as exc:
        err.print(str(exc) or type(exc).__name__)
        raise typer.Exit(2) from None
    except DBAPIError as exc:  # a value the database cannot hold, or two clerks colliding
        if isinstance(exc, IntegrityError):
            reason = "与已有记录冲突，请重试"
        elif isinstance(exc, OperationalError):
            reason = "数据库忙或无法连接，请稍后重试"
        else:
            reason = "数值或文字超出数据库允许的范围"
        err.print(f"数据库拒绝了这次改动（{reason}）：{str(exc.orig).splitlines()[0]}")
        raise typer.Exit(2) from None


FIELD_NAMES = {
    "applicant_name": "申请人姓名或名称",
    "applicant_id": "身份证明",
    "applicant_contact": "联系方式",
    "subject": "申请内容",
    "approver": "批准人",
    "days": "延长的工作日数",
    "party": "被征求意见方",
    "quantity": "数量",
    "yuan": "金额",
    "what": "补正事项",
}
PROBLEMS = {
    "string_too_short": "不能为空",
    "string_too_long": "太长",
    "greater_than": "太小",
    "less_than_equal": "太大",
    "greater_than_equal": "太小",
}


def _validation_problem(error: dict) -> str:
    field = ".".join(str(part) for part in error["loc"])
    return f"{FIELD_NAMES.get(field, field)}{PROBLEMS.get(error['type'], '：' + error['msg'])}"
