"""The canonical report (schema ``gongkai.report/1``) as typed pydantic models.

The table models are generated from the layout data (:mod:`gongkai.model.layouts`), so a
key exists in exactly one place. Cells are lenient on purpose: a reader stores what the
document says (a negative count, a fraction) and the checks judge it; the model only
insists on numbers or ``null``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import cache, lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetPydanticSchema,
    TypeAdapter,
    create_model,
    field_validator,
)
from pydantic_core import core_schema

from gongkai import clock
from gongkai.model.layouts import (
    APPEAL_COLUMNS,
    APPEAL_GROUPS,
    LAYOUT_2019,
    LAYOUT_2021,
    REQUEST_COLUMNS,
    Format,
    Layout,
)

SCHEMA_ID = "gongkai.report/1"
TABLES = ("active", "requests", "appeals")

# A cell: an integer, a decimal (money only), or null for a blank / dash / 「无」 cell.
Cell = int | float | None
# The largest number a cell may hold: what a reader can read (15 digits, gongkai.readers.values),
# well within the store's Numeric(24, 6). A sign or a fraction is the checks' business (T2-VALUES…);
# a size beyond any reading is not a report's (issue 14 §17: 10^18 in a cell was filed and published).
MAX_CELL = 10**15
FIRST_REPORT_YEAR = 2008  # the first year of the 2008 条例


# What report JSON may hold in a cell: no strings, booleans, NaN or infinities, which would
# slip through every sum check (NaN compares unequal to nothing) and make invalid JSON, and no size
# beyond what a reader can read. The bounds are checked by pydantic-core itself: a Python validator
# on each of a report's ~200 cells took a third of the time of building a report (issue 16).
CELL_PROBLEM = (
    f"单元格的值应为数字或 null，且绝对值小于 {MAX_CELL:,}（超出合理范围的数、文字、true/false 都不行）"
)
# null is tested first, outside the union: a union tries its members in turn and words an error for
# each one that fails, which made a blank cell cost four times a number.
_STRICT_CELL_SCHEMA = core_schema.nullable_schema(
    core_schema.union_schema(
        [
            core_schema.int_schema(strict=True, gt=-MAX_CELL, lt=MAX_CELL),
            core_schema.float_schema(strict=True, allow_inf_nan=False, gt=-MAX_CELL, lt=MAX_CELL),
        ],
        mode="left_to_right",
        custom_error_type="report_cell",
        custom_error_message=CELL_PROBLEM,
    )
)
# The table models' cells, with that schema: pydantic works it out once, not for each of the ~500
# cells of the two layouts (gongkai check imports the models before its first line).
_TableCell = Annotated[Cell, GetPydanticSchema(lambda _source, _handler: _STRICT_CELL_SCHEMA)]


def report_years() -> range:
    """The statistical years a report can be of: from 2008 to next year (by gongkai.clock)."""
    return range(FIRST_REPORT_YEAR, clock.today().year + 2)


class Severity(StrEnum):
    """How bad a finding is."""

    ERROR = "error"  # the report breaks its format or its arithmetic
    WARNING = "warning"  # plausibility, or needs data from outside the report
    INFO = "info"  # worth knowing, nothing wrong


class Finding(BaseModel):
    """One thing a check (or the reader) found, pointing at the cells concerned."""

    model_config = ConfigDict(extra="forbid")

    rule: str = Field(description="Rule id, e.g. T3-BALANCE (the catalogue: gongkai rules).")
    severity: Severity
    cells: list[str] = Field(default_factory=list, description="Full dotted cell paths concerned.")
    message: str = Field(description="What is wrong, in plain Chinese.")
    expected: Cell | str = None
    found: Cell | str = None
    line: int | None = Field(default=None, description="Source line (1-based) the finding points at.")
    place: str | None = Field(
        default=None,
        description="Where that is, in words, for forms without lines of their own: 「第2页表格1第5行」.",
    )
    clause: str | None = Field(default=None, description="The legal or normative text enforced.")


class Sections(BaseModel):
    """The text of the six sections 一 to 六 as found; ``null`` when absent."""

    model_config = ConfigDict(extra="forbid")

    overview: str | None = None
    active: str | None = None
    requests: str | None = None
    appeals: str | None = None
    problems: str | None = None
    other: str | None = None


def _tree(keys: Iterable[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key in keys:
        node = tree
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = None
    return tree


# The report models are built (their schema worked out, their validators made) on first use, not at
# import: a command reads one layout's reports, and gongkai check imports the models before its first
# line (issue 16). pydantic rebuilds under a lock (2.14), so threads of the web may be first together.
_DEFERRED = ConfigDict(extra="forbid", defer_build=True)


def _model(name: str, tree: Mapping[str, Any], describe: Mapping[str, str], prefix: str = "") -> type:
    fields: dict[str, Any] = {}
    for key, sub in tree.items():
        path = f"{prefix}{key}"
        if sub is None:
            fields[key] = (_TableCell, Field(default=None, description=describe.get(path)))
        else:
            child = _model(name + "".join(p.title() for p in key.split("_")), sub, describe, path + ".")
            fields[key] = (child, Field(default_factory=child))
    return create_model(name, __config__=_DEFERRED, **fields)


def _describe(layout: Layout) -> dict[str, str]:
    """Human description of each cell (row label · column label) for the JSON Schema."""
    out: dict[str, str] = {}
    for block in layout.active_blocks:
        for row in block.rows:
            for col in block.columns:
                unit = f"，单位：{col.unit}" if col.unit else ""
                out[f"{row.key}.{col.key}"] = (
                    f"表二 {block.caption} {row.label.official} · {col.label.official}（{col.kind.value}{unit}）"
                )
    for row in layout.request_rows:
        for col in REQUEST_COLUMNS:
            out[f"{row.key}.{col.key}"] = f"表三 {row.label.official} · {col.label.official}"
    for group, label in APPEAL_GROUPS:
        for col in APPEAL_COLUMNS:
            out[f"{group}.{col.key}"] = f"表四 {label.official} · {col.label.official}"
    return out


def _table_models(layout: Layout, suffix: str) -> tuple[type, type, type]:
    describe = _describe(layout)
    return (
        _model(f"Active{suffix}", _tree(layout.active_keys), describe),
        _model(f"Requests{suffix}", _tree(layout.request_keys), describe),
        _model("Appeals", _tree(layout.appeal_keys), describe),
    )


Active2021, _Requests2021, Appeals = _table_models(LAYOUT_2021, "2021")
Active2019, Requests2019, _ = _table_models(LAYOUT_2019, "2019")
RequestRow = Requests2019.model_fields["new"].annotation
OtherRows2021 = _Requests2021.model_fields["other"].annotation
# A 2021-layout report that prints （六）其他处理 as one row keeps it so (report-json.md; LAY-T3-SHAPE).
Requests2021 = create_model(
    "Requests2021",
    __base__=_Requests2021,
    other=(OtherRows2021 | RequestRow, Field(default_factory=OtherRows2021)),
)


class ReportBase(BaseModel):
    """Fields common to both layouts."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)  # see _DEFERRED

    schema_id: Literal["gongkai.report/1"] = Field(default=SCHEMA_ID, alias="schema")
    format: str = Field(description="Table layout: 2021 (国办公开办函〔2021〕30号) or 2019 (〔2019〕60号).")
    agency: str | None = Field(
        default=None, description="The reporting organ's full name, as the title gives it."
    )
    year: int | None = Field(default=None, description="The statistical year (not the publication year).")

    @field_validator("year")
    @classmethod
    def _a_report_year(cls, year: int | None) -> int | None:
        # issue 14 §17: a report of year −2024 was filed and published
        years = report_years()
        if year is not None and year not in years:
            raise ValueError(f"年度 {year} 不在 {years[0]} 年至 {years[-1]} 年之间")
        return year


class Report2021(ReportBase):
    """A report in the layout of 国办公开办函〔2021〕30号 (reports for 2021 and later)."""

    format: Literal["2021"] = "2021"
    active: Active2021 = Field(default_factory=Active2021)  # type: ignore[valid-type]
    requests: Requests2021 = Field(default_factory=Requests2021)  # type: ignore[valid-type]
    appeals: Appeals = Field(default_factory=Appeals)  # type: ignore[valid-type]
    sections: Sections | None = None
    findings: list[Finding] = Field(default_factory=list)


class Report2019(ReportBase):
    """A report in the layout of 国办公开办函〔2019〕60号 (reports for 2019 and 2020)."""

    format: Literal["2019"] = "2019"
    active: Active2019 = Field(default_factory=Active2019)  # type: ignore[valid-type]
    requests: Requests2019 = Field(default_factory=Requests2019)  # type: ignore[valid-type]
    appeals: Appeals = Field(default_factory=Appeals)  # type: ignore[valid-type]
    sections: Sections | None = None
    findings: list[Finding] = Field(default_factory=list)


Report = Annotated[Report2021 | Report2019, Field(discriminator="format")]
REPORT_CLASSES: dict[Format, type[Report2021] | type[Report2019]] = {
    Format.F2021: Report2021,
    Format.F2019: Report2019,
}


@cache
def _report_adapter() -> TypeAdapter[Report2021 | Report2019]:
    """Either layout's report, told by its ``format``: made on first use, which builds both models."""
    return TypeAdapter(Report)


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema of the canonical report, both layouts."""
    schema = _report_adapter().json_schema(by_alias=True)
    schema["$id"] = SCHEMA_ID
    schema["title"] = "政府信息公开工作年度报告 (gongkai.report/1)"
    return schema


def flatten(node: Any, prefix: str = "") -> dict[str, Cell]:
    """Dotted path → value for every leaf of a nested mapping.

    >>> flatten({"a": {"b": 1, "c": None}})
    {'a.b': 1, 'a.c': None}
    """
    out: dict[str, Cell] = {}
    if not isinstance(node, Mapping):
        return {prefix: node}
    stack = [(prefix, node)]
    while stack:  # iterative: this runs for every report checked
        base, mapping = stack.pop()
        for key, value in mapping.items():
            path = f"{base}.{key}" if base else key
            if type(value) is dict or isinstance(value, Mapping):
                stack.append((path, value))
            else:
                out[path] = value
    return out


def report_cells(report: Report2021 | Report2019) -> dict[str, Cell]:
    """Every table cell of a report as ``{"requests.new.total": 3, …}``."""
    return flatten(report.model_dump(include=set(TABLES)))


@lru_cache(maxsize=64)
def _nesting(paths: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], ...]:
    """Dotted paths grouped by parent object: how to nest a flat report, worked out once per key set."""
    groups: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for path in paths:
        *parents, leaf = path.split(".")
        groups.setdefault(tuple(parents), []).append((leaf, path))
    return tuple((parents, tuple(leaves)) for parents, leaves in groups.items())


def build_report(
    fmt: Format | str,
    cells: Mapping[str, Cell],
    *,
    agency: str | None = None,
    year: int | None = None,
    sections: Sections | None = None,
    findings: Iterable[Finding] = (),
) -> Report2021 | Report2019:
    """A report of format ``fmt`` from full dotted cell paths.

    An unknown path or a non-numeric value raises ``pydantic.ValidationError``.
    """
    cls = REPORT_CLASSES[Format(fmt)]
    tree: dict[str, Any] = {}
    for parents, leaves in _nesting(tuple(cells)):
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node.update({leaf: cells[path] for leaf, path in leaves})
    if year is not None and year not in report_years():
        year = None  # a reader's year that cannot be a report's (a typo in a title): not read
    return cls.model_validate(
        {**tree, "agency": agency, "year": year, "sections": sections, "findings": list(findings)}
    )


def report_to_json(report: Report2021 | Report2019) -> dict[str, Any]:
    """The canonical JSON object of a report (``schema`` first, keys as in report-json.md)."""
    return report.model_dump(mode="json", by_alias=True)


def report_from_json(data: Mapping[str, Any]) -> Report2021 | Report2019:
    """Validate canonical JSON into a report (raises ``pydantic.ValidationError``)."""
    return _report_adapter().validate_python(data)
