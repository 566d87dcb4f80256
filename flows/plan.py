"""The 第二十二条 inspection plan of a year from the determined results of the previous cycle, as a flow (R-19)."""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path

from prefect import flow

from credit.rules import rules_for_year
from store.settings import get_settings
from store.uow import open_store
from tasks.plan import PlanInput, make_plan_task, report_plan
from tasks.reporting import log_errors_once
from tasks.retries import MINUTE


@flow(name="plan", validate_parameters=True, timeout_seconds=30 * MINUTE)
def plan_flow(year: int, seed: str, out: str, db_url: str | None = None, rules_version: str | None = None,
              county: str | None = None) -> dict:
    """Sample per grade, add complaint institutions, draw the inspectors, write plan.csv/html/xlsx.

    `rules_version` (rules/sampling) defaults to the version in force for the plan year. The files are
    written beside `out` and swapped into place, so a failed run leaves the previous plan whole.
    """
    log_errors_once()
    rules = rules_for_year(year, rules_dir=get_settings().rules_dir)
    if rules_version is not None:
        rules = replace(rules, sampling_version=rules_version)
    store = open_store(db_url, run=f"plan {year}")
    report = make_plan_task(store, rules, PlanInput(year=year, seed=seed, out=Path(out), county=county))
    report_plan(report)
    return asdict(report)
