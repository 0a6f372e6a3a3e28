"""The coverage panel on the supervisor console's home page (issue 17 §5): for a region in the
person's scope and a year, how many of its organs have a report and how many not, broken down by
the regions right above them; the full list is on /console/oversight/coverage (oversight.py)."""

from __future__ import annotations

from fastapi import HTTPException

from gongkai import clock
from gongkai.store.corpus import years_held
from gongkai.store.coverage import DATE_UNKNOWN, coverage_summary, regions_seen
from gongkai.store.records import Place
from gongkai.web.deps import Principal

PANEL_REGIONS = 10  # regions broken down on the panel; the rest on the full page


def home_region(regions: list[tuple[int, Place]], me: Principal) -> Place | None:
    """The region a person looks at first: their own, else the first they see."""
    return next((o for _, o in regions if o.id == me.scope.home_organ_id), regions[0][1] if regions else None)


def chosen_region(regions: list[tuple[int, Place]], me: Principal, code: str) -> Place | None:
    """The region the address names, which the person must see (404 as if it did not exist); none
    named: their own."""
    if not code:
        return home_region(regions, me)
    region = next((o for _, o in regions if o.code == code), None)
    if region is None:
        raise HTTPException(404, "没有这个地区")
    return region


def last_year() -> int:
    """The year whose reports are due this year: last year, by the project's clock."""
    return clock.today().year - 1


def years_to_choose(session, also: int) -> list[int]:
    """The years to choose from: those the corpus holds, and ``also``, latest first."""
    return sorted({*years_held(session), also}, reverse=True)


# --- coverage ------------------------------------------------------------------------------------


def coverage_panel(session, me: Principal, region_code: str = "", year: int | None = None) -> dict:
    """What the console's home page shows of coverage: the region's counts for the year, broken
    down by the regions right above its organs (the most missing first), counted in the database."""
    regions = regions_seen(session, me.scope)
    try:
        region = chosen_region(regions, me, region_code)
    except HTTPException:  # a code out of scope on the home page: the person's own region instead
        region = home_region(regions, me)
    year = year or last_year()
    result = coverage_summary(session, region.code, year) if region is not None else None
    parts = sorted(result.parts, key=lambda p: -p.counted.missing) if result is not None else []
    return {
        "regions": regions,
        "region": region,
        "year": year,
        "years": years_to_choose(session, year),
        "result": result,
        "parts": parts[:PANEL_REGIONS],
        "more_parts": max(0, len(parts) - PANEL_REGIONS),
        "date_unknown": DATE_UNKNOWN,
    }
