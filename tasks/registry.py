"""第六条 report for the branches: registry changes of a cycle filed late or never (R-05)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from credit.calendar import WorkCalendar
from credit.indexsystem import load_index_system
from credit.registry import late_filings
from reports.safe import path_inside
from store.engine import migrated_engine, transaction
from store.lifecycle import Lifecycle
from tasks.render import write_csv
from tasks.rescore import corrected_tables


def registry_changes(db_url: str | None, year: int, as_of: date, out: Path) -> Path:
    """registry_changes.csv from the cycle's snapshot: changes, deadlines, days late, by county."""
    engine = migrated_engine(db_url)
    with transaction(engine) as session:
        cycle = Lifecycle(session).cycle(year)
        tables = corrected_tables(session, cycle, load_index_system(cycle.index_version))
    engine.dispose()
    report = late_filings(tables["changes"], tables["institutions"], WorkCalendar.load(), as_of)
    out.mkdir(parents=True, exist_ok=True)
    path = path_inside(out, "registry_changes.csv")
    write_csv(report, path)
    return path
