"""The annual evaluation (第十四条): pull → validate → score → save → render, each step a task."""

from __future__ import annotations

import getpass
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow

from credit.detectors import Period
from credit.rules import rules_for_year
from store.settings import get_settings
from store.uow import open_store
from tasks.pull import pull_drop, pull_drop_sql, recorded_events_task, save_snapshot, with_recorded_events
from tasks.render import render_task
from tasks.save import SaveInput, save_task
from tasks.score import score_task
from tasks.validate import validate_task

SHANGHAI = ZoneInfo("Asia/Shanghai")


@flow(name="annual-evaluation", log_prints=False, validate_parameters=True)
def annual_evaluation(
    drop: str,
    year: int | None = None,
    out: str | None = None,
    as_of: date | None = None,
    index_version: str | None = None,
    db_url: str | None = None,
    by: str | None = None,
) -> dict:
    """Evaluate every institution active in `year` from the drop, store the results and write the outputs.

    `drop` is a folder of CSV files, a folder with (or the path of) one .xlsx workbook, or a YAML file
    naming a database URL and one SQL query per table. Events recorded in the store for `year`
    (inspections, complaints: tasks/supervision.py) are added to it and kept in its snapshot.
    `index_version` defaults to the index system in force for the period (rules/index, effective_from).
    """
    as_of = as_of or datetime.now(SHANGHAI).date()  # the edge: nothing below reads the clock
    year = year or as_of.year - 1  # 第十四条: the previous calendar year
    Period.for_year(year, as_of)  # refuse an as_of inside the period before reading anything
    settings = get_settings()
    out = out or str(settings.var_dir / "out" / str(year))
    at, by = datetime.now(UTC), by or getpass.getuser()
    rules = rules_for_year(year, index_version=index_version)
    store = open_store(db_url, run=f"annual-evaluation {year}")
    source = Path(drop)
    # A YAML file names the management system's database and one query per table; else a folder or workbook.
    pulled = pull_drop_sql(source) if source.suffix in (".yaml", ".yml") else pull_drop(source)
    # Verified inspection findings and complaints recorded in the store join the drop's credit events.
    pulled = with_recorded_events(pulled, recorded_events_task(store, rules))
    snapshot_path = save_snapshot(pulled, settings.var_dir)
    docs = Path(out) / "validation" / "data-docs"
    validated = validate_task(pulled, rules, docs)
    scored = score_task(validated, rules, as_of)
    saved = save_task(store, rules, SaveInput(as_of=as_of, drop=pulled, snapshot_path=snapshot_path,
                                              validated=validated, scored=scored, by=by, at=at))
    paths = render_task(Path(out), drop=pulled, validated=validated, scored=scored, rules=rules, as_of=as_of)
    return {"outputs": {k: str(v) for k, v in paths.items()}, "saved": saved, "snapshot": pulled.snapshot}
