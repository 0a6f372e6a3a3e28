"""``gongkai organs``: the organs and regions whose casework the store keeps."""

from __future__ import annotations

from typing import Annotated

import typer

from gongkai.cli.console import out
from gongkai.cli.session import ByOpt, actor, work
from gongkai.store.records import add_organ, find_organ, organ_tree, rename_organ

organs_app = typer.Typer(help="机关与地区（organs and regions）。", no_args_is_help=True)


@organs_app.command("add")
def organs_add(
    code: Annotated[str, typer.Argument(help="代码（简短，命令行里用）")],
    name: Annotated[str, typer.Argument(help="全称，如 某某区科学技术局")],
    region: Annotated[bool, typer.Option("--region", help="这是一个地区（下设机关）")] = False,
    parent: Annotated[str | None, typer.Option("--parent", help="所属地区的代码")] = None,
    by: ByOpt = None,
) -> None:
    """登记机关或地区。"""
    with work() as s:
        add_organ(s, code, name, kind="region" if region else "organ", parent=parent, actor=actor(by))
    out.print(f"已登记 {code}：{name}")


@organs_app.command("rename")
def organs_rename(
    code: Annotated[str, typer.Argument(help="机关代码")],
    name: Annotated[str, typer.Argument(help="新的全称（机构改革后）")],
    by: ByOpt = None,
) -> None:
    """机关更名：代码和记录不变，已发布的报告保留原名。"""
    with work() as s:
        rename_organ(s, find_organ(s, code), name, actor=actor(by))
    out.print(f"已更名 {code}：{name}")


@organs_app.command("alias")
def organs_alias(
    code: Annotated[str, typer.Argument(help="机关代码")],
    alias: Annotated[str, typer.Argument(help="别名：机构改革前的名称，或报告里的另一种写法")],
    by: ByOpt = None,
) -> None:
    """为机关添加别名：库中按这个名称发布、尚未匹配的报告随即匹配到该机关。"""
    from gongkai.store.corpus import add_alias

    with work() as s:
        organ = find_organ(s, code)
        matched = add_alias(s, organ, alias, actor=actor(by))
    out.print(f"已为 {code}（{organ.name}）添加别名「{alias.strip()}」，新匹配报告{matched}份")


@organs_app.command("list")
def organs_list() -> None:
    """列出全部机关（按地区缩进）。"""
    with work() as s:
        for depth, organ in organ_tree(s):
            out.print(
                f"{'  ' * depth}{organ.code}  {organ.name}{'（地区）' if organ.kind == 'region' else ''}"
            )


def install(app: typer.Typer) -> None:
    """Add ``gongkai organs``."""
    app.add_typer(organs_app, name="organs")
