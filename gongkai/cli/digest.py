"""``gongkai digest``: what waits for each person, as their home page lists it, for a scheduler to
mail or to print (the same lists as :mod:`gongkai.store.worklist`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy import select

from gongkai import clock
from gongkai.cli.console import out
from gongkai.cli.session import work
from gongkai.store.accounts import ROLE_LABELS, Role, organs_below, scope_of
from gongkai.store.records import find_organ, parse_day
from gongkai.store.tables import User
from gongkai.store.worklist import work_for


def digest(
    organ: Annotated[str | None, typer.Option("--organ", help="只列该机关（或地区）人员的待办")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="输出 JSON（每人一项），供定时任务发送邮件")
    ] = False,
    today: Annotated[str | None, typer.Option("--today", help="以该日为今天（YYYY-MM-DD）")] = None,
) -> None:
    """每人的待办事项（与首页相同）：经办人的逾期、即将到期、待确认的网上申请……"""
    with work() as s:
        day = parse_day(today, "--today") if today else clock.today()
        query = select(User).where(User.active.is_(True)).order_by(User.organ_id, User.login)
        if organ is not None:  # an organ's people, or a region's and everyone's below it
            query = query.where(User.organ_id.in_(organs_below(s, find_organ(s, organ).id)))
        people = []
        for user in s.scalars(query):
            lists = work_for(s, user, scope_of(s, user), day)
            people.append(
                {
                    "login": user.login,
                    "name": user.name,
                    "role": ROLE_LABELS[Role(user.role)],
                    "today": day.isoformat(),
                    "lists": [
                        {
                            "key": w.key,
                            "title": w.title,
                            "tasks": [
                                {"what": t.what, "link": t.link, "due": t.due.isoformat() if t.due else None}
                                for t in w.tasks
                            ],
                        }
                        for w in lists
                    ],
                }
            )
    if as_json:
        for person in people:
            out.print(json.dumps(person, ensure_ascii=False))
        return
    for person in people:
        count = sum(len(w["tasks"]) for w in person["lists"])
        out.print(f"{person['name']}（{person['role']}，{person['login']}）：{count} 项待办")
        for waiting in person["lists"]:
            out.print(f"  {waiting['title']}（{len(waiting['tasks'])} 项）")
            for task in waiting["tasks"]:
                due = f"  {task['due']}" if task["due"] else ""
                out.print(f"    · {task['what']}{due}")


def install(app: typer.Typer) -> None:
    """Add ``gongkai digest``."""
    app.command("digest")(digest)
