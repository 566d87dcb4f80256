"""Ad-hoc re-scoring of a cycle or one institution from its snapshot (第十五条), as a deployable flow.

The steps, each a task run over its own unit of work: take in the recorded events (with
`recorded_events`) → score from the snapshot → apply the changes and publicise them again → set the stage.
"""

from __future__ import annotations

import getpass
from dataclasses import asdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from credit.rules import Rules, rules_for_year
from store.lifecycle import Actor
from store.settings import get_settings
from store.uow import Store, open_store
from tasks.rescore import (
    ApplyInput,
    ApplyReport,
    CycleScore,
    RescoreReport,
    ScoreInput,
    StageInput,
    TakeInInput,
    TakeInReport,
    apply_rescore,
    score_from_snapshot,
    set_stage,
    take_in_recorded_events,
)


def _take_in(store: Store, rules: Rules, inputs: TakeInInput) -> TakeInReport:
    with store.unit_of_work() as uow:
        return take_in_recorded_events(uow, rules, inputs)


def _score(store: Store, rules: Rules, inputs: ScoreInput) -> CycleScore:
    with store.unit_of_work(write=False) as uow:
        return score_from_snapshot(uow, rules, inputs)


def _apply(store: Store, rules: Rules, inputs: ApplyInput) -> ApplyReport:
    with store.unit_of_work() as uow:
        return apply_rescore(uow, rules, inputs)


def _set_stage(store: Store, rules: Rules, inputs: StageInput) -> None:
    with store.unit_of_work() as uow:
        set_stage(uow, rules, inputs)


take_in_task = task(name="take in recorded events", cache_policy=NO_CACHE)(_take_in)
score_task = task(name="score from the snapshot", cache_policy=NO_CACHE)(_score)
apply_task = task(name="apply and publicise again", cache_policy=NO_CACHE)(_apply)
stage_task = task(name="set the stage", cache_policy=NO_CACHE)(_set_stage)


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
    if recorded_events:
        snapshot = take_in_task(store, rules, TakeInInput(year, actor, settings.var_dir)).snapshot
    scored = score_task(store, rules, ScoreInput(year, institution, index_version))
    changed = apply_task(store, rules, ApplyInput(scored, on, actor)).changed
    stage_task(store, rules, StageInput(year, actor))
    return asdict(RescoreReport(year, scored.index_version, changed, snapshot))
