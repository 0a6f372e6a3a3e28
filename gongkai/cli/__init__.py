"""The ``gongkai`` command, one module per command group (README's project map lists them).

This module makes the command itself: its help, ``--version``, and the frame of every ``--help``
in Chinese. Each command group lives in a module that adds it with its ``install`` and is
imported only when one of its commands runs (or ``--help`` lists them all): ``gongkai --version``
imports no command, and ``gongkai check`` neither the store nor the web (issue 16).
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Annotated, Any

import typer
import typer.core
import typer.main

from gongkai import __version__, settings
from gongkai.cli.console import err, out

# The module of each command, in the order `gongkai --help` lists them (Typer's: commands, then groups).
COMMAND_MODULES = {
    **dict.fromkeys(("parse", "check", "render", "draft", "schema", "rules"), "reports"),
    "deadline": "calendar",
    **dict.fromkeys(("answer", "withdraw", "extend", "delay", "overdue"), "requests"),
    "import": "register",
    "ingest": "ingest",
    "years": "corpus_years",
    **dict.fromkeys(("findings", "judge"), "judgements"),
    **dict.fromkeys(("coverage", "league"), "coverage"),
    "export-corpus": "export",
    **dict.fromkeys(("serve", "demo"), "serve"),
    "digest": "digest",
    "calendar": "calendar",
    "organs": "organs",
    **dict.fromkeys(("requests", "correct", "consult"), "requests"),
    "fee": "fees",
    "appeal": "appeals",
    "register": "register",
    "report": "annual",
    "users": "users",
    "notice": "notices",
}


class _Commands(Mapping[str, typer.core.TyperCommand | typer.core.TyperGroup]):
    """The commands of ``gongkai`` by name, each module imported when one of its commands is
    first looked up."""

    def __init__(self) -> None:
        self._made: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._made:
            self._made.update(_commands_of(COMMAND_MODULES[name]))
        return self._made[name]

    def __iter__(self) -> Iterator[str]:
        return iter(COMMAND_MODULES)

    def __len__(self) -> int:
        return len(COMMAND_MODULES)


def _commands_of(module_name: str) -> dict[str, Any]:
    """The click commands a module's ``install`` adds, made as Typer makes them for ``app``."""
    module = importlib.import_module(f"gongkai.cli.{module_name}")
    scratch = typer.Typer()
    module.install(scratch)
    made = dict(typer.main.get_group(scratch).commands)
    listed = {name for name, listed_in in COMMAND_MODULES.items() if listed_in == module_name}
    if set(made) != listed:
        raise RuntimeError(
            f"gongkai.cli.{module_name} adds {sorted(made)}; COMMAND_MODULES lists {sorted(listed)}"
        )
    return made


class _Gongkai(typer.core.TyperGroup):
    """The ``gongkai`` group, whose commands are made on first use (:class:`_Commands`)."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.commands = _Commands()  # type: ignore[assignment]

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    # Every error of the command line (a wrong option, an unknown command, Ctrl-D at a prompt)
    # comes out of these two, before Typer prints it: in Chinese (_chinese_texts).
    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _chinese_on_failure():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _chinese_on_failure():
            return super().invoke(ctx)


app = typer.Typer(
    cls=_Gongkai,
    name="gongkai",
    help="政府信息公开工作年度报告：读取、校验、输出（read, check and write China's government information disclosure annual reports）。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@cache
def _chinese_texts() -> None:
    """The frame Typer prints around help and errors in Chinese too (issue 13): its panel titles
    and notes.

    They live in ``typer.rich_utils``, which takes some 70 ms to import (rich's Markdown, syntax
    highlighting and tracebacks) and which Typer imports only to print help or an error: so are
    these texts set then (:func:`_with_chinese_texts`, :func:`_chinese_on_failure`), not at the
    start of every command.
    """
    import typer.rich_utils

    for name, text in {
        "ARGUMENTS_PANEL_TITLE": "参数",
        "OPTIONS_PANEL_TITLE": "选项",
        "COMMANDS_PANEL_TITLE": "命令",
        "ERRORS_PANEL_TITLE": "错误",
        "REQUIRED_LONG_STRING": "[必填]",
        "DEFAULT_STRING": "[默认：{}]",
        "ENVVAR_STRING": "[环境变量：{}]",
        "ABORTED_TEXT": "已中止。",
        "RICH_HELP": "用 [blue]'{command_path} {help_option}'[/] 查看帮助。",
    }.items():
        setattr(typer.rich_utils, name, text)


@contextmanager
def _chinese_on_failure() -> Iterator[None]:
    """Chinese texts for the error Typer is about to print; none for an ordinary exit."""
    try:
        yield
    except typer.Exit:
        raise
    except BaseException:
        _chinese_texts()
        raise


def _chinese_help() -> None:
    """Every --help in Chinese: the frame (:func:`_chinese_texts`) and the text of --help itself,
    which click makes in English for every command."""
    for command in (typer.core.TyperCommand, typer.core.TyperGroup):
        command.get_help_option = _with_chinese_help(command.get_help_option)  # type: ignore[method-assign]
        command.format_help = _with_chinese_texts(command.format_help)  # type: ignore[method-assign]


def _with_chinese_help(original: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def help_option(self: Any, ctx: Any) -> Any:
        option = original(self, ctx)
        if option is not None:
            option.help = "显示本帮助并退出"
        return option

    return help_option


def _with_chinese_texts(original: Callable[[Any, Any, Any], None]) -> Callable[[Any, Any, Any], None]:
    def format_help(self: Any, ctx: Any, formatter: Any) -> None:
        _chinese_texts()
        original(self, ctx, formatter)

    return format_help


_chinese_help()


def _version(value: bool) -> None:
    if value:
        out.print(f"gongkai {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本")
    ] = False,
) -> None:
    """gongkai（公开）：政府信息公开工作年度报告的读取与校验。"""
    # Built again for each command: one process (a test, a shell) may run several.
    try:
        settings.reload()
    except settings.SettingsError as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None


def tune_gc_for_batch() -> None:
    """Make the cyclic garbage collector cheaper for reading many reports in one process.

    Reading a report allocates many short-lived objects and few cycles: freezing what the
    imports created and collecting young objects less often saves about a fifth of the time
    (bench/parse_check.py), at no cost in memory that matters for a command-line run.
    """
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def main() -> None:
    """Entry point of the ``gongkai`` script."""
    try:
        settings.current()  # a bad GONGKAI_* variable is one line, before any import needs it
    except settings.SettingsError as exc:
        err.print(str(exc))
        sys.exit(2)
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command in COMMAND_MODULES:  # before the freeze, which is for what the imports create
        importlib.import_module(f"gongkai.cli.{COMMAND_MODULES[command]}")
    tune_gc_for_batch()
    app()
