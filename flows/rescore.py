"""Ad-hoc re-scoring of a cycle or one institution from its snapshot (第十五条), as a deployable flow.

The steps, each a task run, in one writing unit of work: take in the recorded events (with
`recorded_events`) → score from the snapshot → apply the changes and publicise them again → set the stage.
"""

from __future__ import annotations

import getpass
from dataclasses import asdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from credit.rules import rules_for_year
from store.lifecycle import Actor
from store.settings import get_settings
from store.uow import open_store
from tasks.rescore import (
    ApplyInput,
    RescoreReport,
    ScoreInput,
    StageInput,
    TakeInInput,
    apply_rescore,
    score_from_snapshot,
    set_stage,
    take_in_recorded_events,
)

# The steps run in one writing unit of work that the flow holds: no other command (an advance, a decision)
# lands between taking in the events, the score and its application (tests/integration/test_writer_lock.py).
take_in_task = task(name="take in recorded events", cache_policy=NO_CACHE)(take_in_recorded_events)
score_task = task(name="score from the snapshot", cache_policy=NO_CACHE)(score_from_snapshot)
apply_task = task(name="apply and publicise again", cache_policy=NO_CACHE)(apply_rescore)
stage_task = task(name="set the stage", cache_policy=NO_CACHE)(set_stage)


@flow(name="rescore", validate_parameters=True)
def rescore_flow(year: int, institution: str | None = None, index_version: str | None = None,
                 on: date | None = None, db_url: str | None = None, by: str | None = None,
                 recorded_events: bool = False) -> dict:
    """Re-score from the cycle's snapshot (with `recorded_events`, plus the events the store records now);
    changed results get a new version, publicised again if publicity began."""
    on = on or datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the edge
    actor = Actor(by or getpass.getuser(), datetime.now(UTC), "ad-hoc re-scoring (第十五条)")
    settings = get_settings()
    store = open_store(db_url, run="rescore")
    rules = rules_for_year(year, index_version=index_version, rules_dir=settings.rules_dir)
    snapshot = None
    with store.unit_of_work() as uow:
        if recorded_events:
            snapshot = take_in_task(uow, rules, TakeInInput(year, actor, settings.var_dir)).snapshot
        scored = score_task(uow, rules, ScoreInput(year, institution, index_version))
        changed = apply_task(uow, rules, ApplyInput(scored, on, actor)).changed
        stage_task(uow, rules, StageInput(year, actor))
    return asdict(RescoreReport(year, scored.index_version, changed, snapshot))
