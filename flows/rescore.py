"""Ad-hoc re-scoring of a cycle or one institution from its snapshot (第十五条), as a deployable flow."""

from __future__ import annotations

import getpass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from store.lifecycle import Actor
from tasks.rescore import rescore

rescore_task = task(name="rescore", cache_policy=NO_CACHE)(rescore)


@flow(name="rescore", validate_parameters=True)
def rescore_flow(year: int, institution: str | None = None, index_version: str | None = None,
                 on: date | None = None, db_url: str | None = None, by: str | None = None,
                 recorded_events: bool = False) -> dict:
    """Re-score from the cycle's snapshot (with `recorded_events`, plus the events the store records now);
    changed results get a new version, publicised again if publicity began."""
    on = on or datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the edge
    actor = Actor(by or getpass.getuser(), datetime.now(UTC), "ad-hoc re-scoring (第十五条)")
    return rescore_task(db_url, year, institution, index_version, on, actor, recorded_events)
