"""The bureau's website (第十八、二十、二十一条): build the static site from the store, one task."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow

from credit.rules import load_rules
from store.settings import get_settings
from store.uow import open_store
from tasks.reporting import log_errors_once
from tasks.retries import MINUTE
from tasks.site import build_site_task, report_site

SHANGHAI = ZoneInfo("Asia/Shanghai")


@flow(name="site-build", log_prints=False, validate_parameters=True, timeout_seconds=30 * MINUTE)
def site_build(out: str, as_of: date | None = None, db_url: str | None = None) -> dict:
    """Write the website as of `as_of` (default: today in China) into `out`; returns what was written."""
    log_errors_once()
    as_of = as_of or datetime.now(SHANGHAI).date()  # the edge: nothing below reads the clock
    rules = load_rules(as_of, rules_dir=get_settings().rules_dir)  # the bureau, its time limits and calendar in force on the build date
    store = open_store(db_url, run="site-build")
    report = build_site_task(Path(out), as_of=as_of, rules=rules, store=store)
    report_site(report)
    return {"out": str(report.out), "as_of": report.as_of.isoformat(), "files": report.files,
            "removed": report.removed, "repaired": report.repaired}
