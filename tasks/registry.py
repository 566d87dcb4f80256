"""第六条 report for the branches: registry changes of a cycle filed late or never (R-05)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from credit.registry import late_filings
from credit.rules import Rules
from reports.safe import path_inside
from tasks.render import write_csv
from tasks.rescore import corrected_tables


@dataclass(frozen=True)
class RegistryChangesInput:
    """Which cycle's drop is checked, counted from which day, and the folder of the report."""

    year: int
    as_of: date
    out: Path


@dataclass(frozen=True)
class RegistryChangesReport:
    path: Path
    late: int  # changes filed late or never


def registry_changes(uow, rules: Rules, given: RegistryChangesInput) -> RegistryChangesReport:
    """registry_changes.csv from the cycle's snapshot: changes, deadlines, days late, by county."""
    cycle = uow.evaluations.saved_cycle(given.year)
    tables = corrected_tables(uow, rules.with_index(cycle.index_version), cycle)
    report = late_filings(tables["changes"], tables["institutions"], rules.calendar, given.as_of)
    out = Path(given.out)
    out.mkdir(parents=True, exist_ok=True)
    path = path_inside(out, "registry_changes.csv")
    write_csv(report, path)
    return RegistryChangesReport(path=path, late=len(report))
