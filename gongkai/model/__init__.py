"""The canonical report model and the two table layouts."""

from gongkai.model.layouts import LAYOUT_2019, LAYOUT_2021, LAYOUTS, Format, Layout, layout_for
from gongkai.model.report import (
    SCHEMA_ID,
    Cell,
    Finding,
    Report2019,
    Report2021,
    Sections,
    Severity,
    build_report,
    report_cells,
    report_from_json,
    report_json_schema,
    report_to_json,
)

__all__ = [
    "LAYOUTS",
    "LAYOUT_2019",
    "LAYOUT_2021",
    "SCHEMA_ID",
    "Cell",
    "Finding",
    "Format",
    "Layout",
    "Report2019",
    "Report2021",
    "Sections",
    "Severity",
    "build_report",
    "layout_for",
    "report_cells",
    "report_from_json",
    "report_json_schema",
    "report_to_json",
]
