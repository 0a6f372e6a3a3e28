"""The one pair of Rich consoles every command prints through: ``out`` (standard output) and
``err`` (standard error)."""

from __future__ import annotations

from rich.console import Console

# markup=False: file names and report text (「行政许可[/red]」) are printed as they are, never parsed.
out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
