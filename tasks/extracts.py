"""R-01: the published list of a cycle per county, one XLSX each, for the branches (`credit cycle lists`).

Read-only: the extracts are rendered from what is public now, exactly as `advance` writes the city's
final_results.xlsx (tasks.lifecycle.published_list_context), one file per configured county, or the one
county asked for: `final_results_<县>.xlsx`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from credit.rules import Rules
from reports.lifecycle import county_final_context, render_final_results_xlsx
from reports.safe import path_inside
from tasks.county import checked_county, county_file
from tasks.lifecycle import published_list_context


class NothingPublishedError(LookupError):
    """The cycle has no public result yet: there is no list to extract (exit code 2)."""


@dataclass(frozen=True)
class ListsInput:
    """Which cycle's list, into which folder, for which county (None: every configured county)."""

    year: int
    out: Path
    county: str | None = None


@dataclass(frozen=True)
class ListsReport:
    year: int
    counties: dict[str, int]  # county → rows in its extract
    written: list[str]


def county_lists(uow, rules: Rules, given: ListsInput) -> ListsReport:
    """Write `final_results_<county>.xlsx` for the county asked for, or for each configured county."""
    chosen = checked_county(given.county, rules.bureau.counties)
    counties = [chosen] if chosen else list(rules.bureau.counties)
    lifecycle = uow.lifecycle
    ctx = published_list_context(lifecycle, lifecycle.cycle(given.year), rules)
    if ctx is None:
        raise NothingPublishedError(f"{given.year}年度尚无已公布的评价结果（第二十条）：先运行 credit advance")
    given.out.mkdir(parents=True, exist_ok=True)
    written, sizes = [], {}
    for county in counties:
        extract = county_final_context(ctx, county)
        path = path_inside(given.out, county_file("final_results", county))
        path.write_bytes(render_final_results_xlsx(extract))
        written.append(str(path))
        sizes[county] = len(extract["rows"])
    return ListsReport(year=given.year, counties=sizes, written=written)
