"""The 第二十二条 inspection plan of a year from the determined results of the previous cycle, as a flow (R-19)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from tasks.plan import make_plan_task


@flow(name="plan", validate_parameters=True)
def plan_flow(year: int, seed: str, out: str, db_url: str | None = None, rules_version: str = "jc-2024.1") -> dict:
    """Sample per grade, add complaint institutions, draw the inspectors, write plan.csv/html/xlsx."""
    return make_plan_task(db_url, year, seed, Path(out), rules_version)
