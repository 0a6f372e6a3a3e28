"""``gongkai users``: the accounts of the web platform and their roles."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlalchemy import select

from gongkai.cli.console import out
from gongkai.cli.session import ByOpt, actor, work

users_app = typer.Typer(help="账号与角色（accounts of the web platform）。", no_args_is_help=True)


@users_app.command("add")
def users_add(
    login: Annotated[str, typer.Argument(help="登录名")],
    name: Annotated[str, typer.Option("--name", help="姓名")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="clerk（经办人）、reviewer（审核人）、approver（审签人）、supervisor（政务公开办）、admin（管理员）",
        ),
    ],
    organ: Annotated[str | None, typer.Option("--organ", help="所属机关（监督人员为所属地区）的代码")] = None,
    by: ByOpt = None,
) -> None:
    """建立账号。密码从标准输入读取一行（脚本用），或在终端中输入两次。"""
    password = _read_password()
    from gongkai.store.accounts import add_user

    with work() as s:
        user = add_user(s, login, name, role, password, organ=organ, actor=actor(by))
        out.print(f"已建立账号 {user.login}（{user.name}）")


def _read_password() -> str:
    if sys.stdin.isatty():
        return typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@users_app.command("password")
def users_password(login: Annotated[str, typer.Argument(help="登录名")], by: ByOpt = None) -> None:
    """设置新密码（从标准输入读取一行，或在终端中输入两次）。"""
    from gongkai.store.accounts import find_user, set_password

    password = _read_password()
    with work() as s:
        set_password(s, find_user(s, login), password, actor=actor(by))
    out.print(f"已为 {login} 设置新密码")


@users_app.command("stop")
def users_stop(login: Annotated[str, typer.Argument(help="登录名")], by: ByOpt = None) -> None:
    """停用账号（保留记录；已登录的会话在下一次访问时结束）。"""
    from gongkai.store.accounts import find_user, set_active

    with work() as s:
        set_active(s, find_user(s, login), False, actor=actor(by))
    out.print(f"已停用 {login}")


@users_app.command("start")
def users_start(login: Annotated[str, typer.Argument(help="登录名")], by: ByOpt = None) -> None:
    """重新启用账号。"""
    from gongkai.store.accounts import find_user, set_active

    with work() as s:
        set_active(s, find_user(s, login), True, actor=actor(by))
    out.print(f"已启用 {login}")


@users_app.command("list")
def users_list() -> None:
    """列出账号。"""
    from gongkai.store.accounts import ROLE_LABELS, Role
    from gongkai.store.tables import Organ, User

    with work() as s:
        codes = {o.id: o.code for o in s.scalars(select(Organ))}
        for user in s.scalars(select(User).order_by(User.login)):
            where = codes.get(user.organ_id, "") if user.organ_id else ""
            state = "" if user.active else "（已停用）"
            out.print(f"{user.login}  {user.name}  {ROLE_LABELS[Role(user.role)]}  {where}{state}")


def install(app: typer.Typer) -> None:
    """Add ``gongkai users``."""
    app.add_typer(users_app, name="users")
