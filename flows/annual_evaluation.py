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
from tasks.outputs import replace_folder
from tasks.pull import pull_drop, pull_drop_sql, recorded_events_task, save_snapshot, with_recorded_events
from tasks.render import OUTPUT_ENTRIES, render_task, report_evaluation, require_calendar_ahead
from tasks.reporting import log_errors_once, run_logger
from tasks.retries import MINUTE
from tasks.save import SaveInput, refuse_if_started, save_task
from tasks.score import score_task
from tasks.validate import validate_task

SHANGHAI = ZoneInfo("Asia/Shanghai")


@flow(name="annual-evaluation", log_prints=False, validate_parameters=True, timeout_seconds=60 * MINUTE)
def annual_evaluation(
    drop: str,
    year: int | None = None,
    out: str | None = None,
    as_of: date | None = None,
    index_version: str | None = None,
    db_url: str | None = None,
    by: str | None = None,
    generated_at: datetime | None = None,
) -> dict:
    """Evaluate every institution active in `year` from the drop, store the results and write the outputs.

    `drop` is a folder of CSV files, a folder with (or the path of) one .xlsx workbook, or a YAML file
    naming a database URL and one SQL query per table. Events recorded in the store for `year`
    (inspections, complaints: tasks/supervision.py) are added to it and kept in its snapshot.
    `index_version` defaults to the index system in force for the period (rules/index, effective_from).
    Nothing is stored or written when the calendar cannot count the draft's deadlines; the outputs are
    written beside `out` and swapped into place at the end, so a failed run leaves the previous ones whole.
    """
    log_errors_once()
    log = run_logger()
    as_of = as_of or datetime.now(SHANGHAI).date()  # the edge: nothing below reads the clock
    year = year or as_of.year - 1  # 第十四条: the previous calendar year
    Period.for_year(year, as_of)  # refuse an as_of inside the period before reading anything
    settings = get_settings()
    target = Path(out or settings.var_dir / "out" / str(year))
    at, by = datetime.now(UTC), by or getpass.getuser()
    rules = rules_for_year(year, index_version=index_version, rules_dir=settings.rules_dir)
    require_calendar_ahead(rules, as_of)  # before the store is opened, anything read, stored or written
    store = open_store(db_url, run=f"annual-evaluation {year}")
    refuse_if_started(store, year)  # 第十八条: needs no data, so before the pull (#14 "refuse early")
    source = Path(drop)
    # A YAML file names the management system's database and one query per table; else a folder or workbook.
    pulled = pull_drop_sql(source) if source.suffix in (".yaml", ".yml") else pull_drop(source)
    # Verified inspection findings and complaints recorded in the store join the drop's credit events.
    pulled = with_recorded_events(pulled, recorded_events_task(store, rules))
    snapshot_path = save_snapshot(pulled, settings.var_dir)
    log.info("%s年度评价，基准日 %s，指标体系 %s：输入 %s，快照 %s（%s）", year, as_of, rules.index.version,
             pulled.origin, pulled.snapshot, snapshot_path)
    with replace_folder(target, owned=OUTPUT_ENTRIES) as staging:
        validated = validate_task(pulled, rules, staging / "validation" / "data-docs")
        scored = score_task(validated, rules, as_of)
        saved = save_task(store, rules, SaveInput(as_of=as_of, drop=pulled, snapshot_path=snapshot_path,
                                                  validated=validated, scored=scored, by=by, at=at))
        staged = render_task(staging, drop=pulled, validated=validated, scored=scored, rules=rules, as_of=as_of,
                             generated_at=generated_at or datetime.now(SHANGHAI))  # the run summary's 生成时间
    paths = {key: target / path.relative_to(staging) for key, path in staged.items()}
    report_evaluation(rules, as_of, scored.results, saved, paths)
    return {"outputs": {k: str(v) for k, v in paths.items()}, "saved": saved, "snapshot": pulled.snapshot}

