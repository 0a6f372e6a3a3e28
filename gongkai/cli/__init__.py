"""The ``gongkai`` command, one module per command group (see README's project map)."""

from gongkai.cli.reports import app, is_report_file, main, tune_gc_for_batch

__all__ = ["app", "is_report_file", "main", "tune_gc_for_batch"]
