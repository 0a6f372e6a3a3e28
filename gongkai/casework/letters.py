"""The organ's notice templates (Jinja2), run in a sandbox, and the 文号 they are numbered with.

Templates are the organ's to edit: a clerk may change the wording of every notice, so a template
runs in :class:`jinja2.sandbox.SandboxedEnvironment` (no attribute of Python's internals is
reachable, ranges and repetitions are bounded) with :class:`jinja2.StrictUndefined` (a misspelt
variable is an error, never a blank in a letter sent out). Every problem is a
:class:`TemplateProblem` in Chinese naming the template and its line.

Each template renders the body of a letter: every non-blank line of its output is one paragraph.
The shipped defaults are in ``notice_templates/`` beside this module; the organ's own versions,
kept by the store, take their place name by name.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, TemplateError, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from gongkai.casework.law import OUTCOME_LABELS, OUTCOMES

# Names of the templates, with what a clerk sees them called. 「answer」 is the frame of every
# 答复书; it includes the piece of the outcome (「answer.granted」…) and the remedy sentence.
TEMPLATE_LABELS: dict[str, str] = {
    "correction": "补正告知书",
    "extension": "延期答复告知书",
    "delay": "延迟答复告知书",
    "consult_third_party": "征求第三方意见函",
    "consult_organ": "征求其他机关意见函",
    "fee": "收费通知书",
    "answer": "答复书（开头与结构）",
    **{f"answer.{key}": f"答复书：{OUTCOME_LABELS[key]}" for key in OUTCOMES},
    "remedy": "答复书：救济途径（行政复议、行政诉讼）",
}
TEMPLATE_NAMES = tuple(TEMPLATE_LABELS)
MAX_TEMPLATE_CHARS = 20_000
MAX_OUTPUT_CHARS = 50_000
_MAX_REPEAT = 10_000  # the longest string or list a template may build by ``*``


class TemplateProblem(ValueError):
    """A template cannot be used; the message (Chinese) names the template and the line."""


@cache
def default_template(name: str) -> str:
    """The shipped text of template ``name``."""
    if name not in TEMPLATE_LABELS:
        raise TemplateProblem(f"没有名为「{name}」的告知书模板")
    folder = resources.files("gongkai.casework") / "notice_templates"
    return (folder / f"{name}.j2").read_text(encoding="utf-8")


class _Loader(BaseLoader):
    """The organ's version of a template when it has one, else the shipped default."""

    def __init__(self, overrides: Mapping[str, str]) -> None:
        self.overrides = dict(overrides)

    def get_source(self, environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template not in TEMPLATE_LABELS:
            raise TemplateNotFound(template)
        text = self.overrides.get(template)
        if text is None:
            text = default_template(template)
        elif environment is not None:  # an organ's text: checked as when it was saved
            _refuse_nested_loops(environment, text, template)
        # Each template ends its last paragraph: an included piece never runs into what follows.
        text = text.replace("\r\n", "\n").rstrip("\n") + "\n"
        # The file name is the template's name: a problem's traceback points at it and its line.
        return text, f"<{template}>", lambda: True


# What a template may ask of the sandbox at most: a letter needs short loops and narrow padding, and
# a clerk's template must never be able to take the server's memory or time (「'a'.ljust(10**8)」,
# 「'%100000000d' % 1」, loops within loops).
_MAX_WIDTH = 200  # padding, centring, indenting, wrapping
_MAX_RANGE = 1_000  # items of one range()
_WIDE_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
_FORMATTING = frozenset({"format", "format_map"})
_WIDE_FILTERS = ("center", "indent", "wordwrap", "truncate")


def _bounded_range(*args: int) -> range:
    found = range(*args)
    if len(found) > _MAX_RANGE:
        raise SecurityError(f"range() 最多 {_MAX_RANGE} 项")
    return found


def _refuse_nested_loops(environment: SandboxedEnvironment, text: str, name: str) -> None:
    """A loop inside a loop multiplies its cost: a letter needs neither, so it is refused."""
    from jinja2 import nodes

    def walk(node: nodes.Node, depth: int) -> None:
        for child in node.iter_child_nodes():
            inner = depth + isinstance(child, nodes.For)
            if inner > 1 or (isinstance(child, nodes.For) and child.recursive):
                raise TemplateProblem(
                    f"告知书模板「{_label(name)}」第{child.lineno}行：循环里不能再套循环（也不能递归循环）"
                )
            walk(child, inner)

    walk(environment.parse(text, name, f"<{name}>"), 0)


class _Sandbox(SandboxedEnvironment):
    """The sandbox, with every way to build a large text bounded: ``*`` and ``**``, ``%``
    formatting, str.format, padding methods and filters, range()."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _bounded_range
        for filter_name in _WIDE_FILTERS:
            self.filters[filter_name] = _narrow(self.filters[filter_name])
        self.filters["format"] = _no_formatting

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:
        target = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format in its own function
        name = getattr(target, "__name__", "")
        if isinstance(getattr(target, "__self__", None), str):
            if name in _FORMATTING:
                raise SecurityError("模板里请直接写文字和 {{ 变量 }}，不要用 format")
            if name in _WIDE_METHODS and any(isinstance(a, int) and a > _MAX_WIDTH for a in args):
                raise SecurityError(f"宽度最多 {_MAX_WIDTH}")
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "%":
            if isinstance(left, str):
                raise SecurityError("模板里请直接写文字和 {{ 变量 }}，不要用 % 格式化")
            return left % right
        if operator == "**":
            if isinstance(right, int) and abs(right) > 64:
                raise SecurityError("乘方的指数过大")
            return left**right
        if isinstance(left, str | list | tuple) or isinstance(right, str | list | tuple):
            count = right if isinstance(left, str | list | tuple) else left
            if isinstance(count, int) and count > _MAX_REPEAT:
                raise SecurityError("重复的次数过多")
        return left * right


def _narrow(original: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose width arguments may not pass :data:`_MAX_WIDTH`."""

    def bounded(*args: Any, **kwargs: Any) -> Any:
        if any(
            isinstance(a, int) and not isinstance(a, bool) and a > _MAX_WIDTH
            for a in (*args[1:], *kwargs.values())
        ):
            raise SecurityError(f"宽度最多 {_MAX_WIDTH}")
        return original(*args, **kwargs)

    for attribute in ("jinja_pass_arg",):  # keep what Jinja reads off the filter
        if hasattr(original, attribute):
            setattr(bounded, attribute, getattr(original, attribute))
    return bounded


def _no_formatting(*_args: Any, **_kwargs: Any) -> str:
    raise SecurityError("模板里请直接写文字和 {{ 变量 }}，不要用 format 过滤器")


def _label(name: str) -> str:
    return TEMPLATE_LABELS.get(name, name)


def _where(exc: BaseException, fallback: str) -> tuple[str, int | None]:
    """The template and line a rendering error happened at (the innermost template frame)."""
    name, line = fallback, None
    for frame in traceback.extract_tb(exc.__traceback__):
        match = re.fullmatch(r"<([\w.]+)>", frame.filename or "")
        if match and match.group(1) in TEMPLATE_LABELS:
            name, line = match.group(1), frame.lineno
    return name, line


def _problem(exc: BaseException, name: str, variables: Mapping[str, Any]) -> TemplateProblem:
    """A Chinese message for what went wrong in template ``name``."""
    if isinstance(exc, TemplateSyntaxError):
        where, line = exc.name or name, exc.lineno
        what = f"写法有误（{exc.message}）" if exc.message else "写法有误"
    elif isinstance(exc, TemplateNotFound):
        where, line = _where(exc, name)
        what = f"引用的模板「{exc.name}」不存在（可引用的：{'、'.join(TEMPLATE_NAMES)}）"
    elif isinstance(exc, UndefinedError):
        where, line = _where(exc, name)
        unknown = re.search(r"'([^']+)' is undefined", str(exc))
        known = "、".join(sorted(k for k in variables if not k.startswith("_")))
        if unknown:
            what = f"没有名为「{unknown.group(1)}」的变量。可用的变量：{known}"
        else:
            what = f"用到了没有的变量或属性（{exc}）。可用的变量：{known}"
    elif isinstance(exc, SecurityError):
        where, line = _where(exc, name)
        what = f"用到了模板中不允许的写法（{exc}）"
    else:
        where, line = _where(exc, name)
        what = f"无法生成（{type(exc).__name__}：{exc}）"
    at = f"第{line}行" if line else ""
    return TemplateProblem(f"告知书模板「{_label(where)}」{at}：{what}")


class TemplateSet:
    """The templates an organ uses: its own versions over the shipped defaults."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        self.overrides = dict(overrides or {})
        self.environment = _Sandbox(
            loader=_Loader(self.overrides),
            undefined=StrictUndefined,
            autoescape=False,  # the output is text for a letter, never HTML
            trim_blocks=False,  # a line is a paragraph, even when it ends in a tag
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )

    def source(self, name: str) -> str:
        """The text of template ``name`` in use (the organ's, else the default)."""
        if name not in TEMPLATE_LABELS:
            raise TemplateProblem(f"没有名为「{name}」的告知书模板")
        return self.overrides.get(name, default_template(name))

    def is_default(self, name: str) -> bool:
        """Whether the organ uses the shipped text of ``name``."""
        return name not in self.overrides

    def paragraphs(self, name: str, variables: Mapping[str, Any]) -> tuple[str, ...]:
        """Render template ``name``: every non-blank line of the output is a paragraph."""
        try:
            output = self.environment.get_template(name).render(**variables)
        except (TemplateError, ArithmeticError, TypeError, ValueError, OverflowError) as exc:
            raise _problem(exc, name, variables) from None
        except (RecursionError, MemoryError):  # a template that includes itself, or runs away
            raise TemplateProblem(
                f"告知书模板「{_label(name)}」无法生成：引用自身或生成的内容过多，请检查 include 和循环"
            ) from None
        if len(output) > MAX_OUTPUT_CHARS:
            raise TemplateProblem(f"告知书模板「{_label(name)}」生成的正文超过 {MAX_OUTPUT_CHARS} 字")
        return tuple(line.strip() for line in output.splitlines() if line.strip())


def check_template(name: str, text: str, variables: Mapping[str, Any]) -> tuple[str, ...]:
    """Compile ``text`` as template ``name`` and render it with ``variables`` (a sample case);
    returns the paragraphs, or raises :class:`TemplateProblem` saying what and where."""
    if name not in TEMPLATE_LABELS:
        raise TemplateProblem(f"没有名为「{name}」的告知书模板")
    if not text.strip():
        raise TemplateProblem(f"告知书模板「{_label(name)}」不能为空；要用默认文本请选「恢复默认」")
    if len(text) > MAX_TEMPLATE_CHARS:
        raise TemplateProblem(f"告知书模板「{_label(name)}」不能超过 {MAX_TEMPLATE_CHARS} 字")
    templates = TemplateSet({name: text})
    try:
        _refuse_nested_loops(templates.environment, text, name)
    except TemplateSyntaxError as exc:
        raise _problem(exc, name, variables) from None
    return templates.paragraphs(name, variables)


# --- 文号 ------------------------------------------------------------------------------------------

NUMBER_FIELDS = ("机关简称", "年", "号")
_FIELD = re.compile(r"\{([^{}]*)\}")


def number_problem(pattern: str) -> str | None:
    """What is wrong with a 文号 pattern (None when it can be used).

    >>> number_problem("{机关简称}依申告〔{年}〕{号}号") is None
    True
    >>> number_problem("依申告〔{年}〕号")
    '文号格式须含 {号}（顺序号）'
    """
    if not pattern.strip() or len(pattern) > 60:
        return "文号格式不能为空，也不能超过 60 字"
    unknown = [f for f in _FIELD.findall(pattern) if f not in NUMBER_FIELDS]
    if unknown:
        return f"文号格式只能用 {{机关简称}}、{{年}}、{{号}}，不认识「{{{unknown[0]}}}」"
    if "{号}" not in pattern:
        return "文号格式须含 {号}（顺序号）"
    if "{年}" not in pattern:
        return "文号格式须含 {年}：文号按年度编号"
    return None


def number_series(pattern: str, short_name: str, year: int) -> str:
    """The series a 文号 is counted in: the pattern with the organ and year filled, the running
    number left open. Each series of an organ counts from 1 every year.

    >>> number_series("{机关简称}依申告〔{年}〕{号}号", "区科技局", 2026)
    '区科技局依申告〔2026〕{号}号'
    """
    # Plain replacement, never str.format: a pattern is typed by the organ.
    return pattern.replace("{机关简称}", short_name).replace("{年}", str(year))


def format_number(series: str, seq: int | None) -> str:
    """The 文号 of the ``seq``-th notice of ``series`` (「×」 before it is numbered).

    >>> format_number("区科技局依申告〔2026〕{号}号", 7)
    '区科技局依申告〔2026〕7号'
    """
    return series.replace("{号}", "×" if seq is None else str(seq))
