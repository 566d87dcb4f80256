"""第十七条 in real time (R-14): record a verified serious event; the direct grade at once, revocation, change publicity.

The steps, each a task run over its own unit of work: record the event → change the result and revoke
a given grade → publicise the change again.
"""

from __future__ import annotations

import getpass
from datetime import UTC, date, datetime

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from credit.rules import Rules, rules_for_year
from store.lifecycle import Actor
from store.settings import get_settings
from store.uow import Store, open_store
from tasks.serious import (
    RecordedEvent,
    SeriousChange,
    SeriousEventInput,
    SeriousEventReport,
    Target,
    change_for_serious_event,
    publicize_serious_change,
    record_serious_event,
    target_of,
)


def _target(store: Store, institution_id: str, year: int | None) -> Target:
    with store.unit_of_work(write=False) as uow:
        return target_of(uow, institution_id, year)


def _record(store: Store, rules: Rules, inputs: SeriousEventInput) -> RecordedEvent:
    with store.unit_of_work() as uow:
        return record_serious_event(uow, rules, inputs)


def _change(store: Store, rules: Rules, recorded: RecordedEvent) -> SeriousChange:
    with store.unit_of_work() as uow:
        return change_for_serious_event(uow, rules, recorded)


def _publicize(store: Store, rules: Rules, change: SeriousChange) -> SeriousEventReport:
    with store.unit_of_work() as uow:
        return publicize_serious_change(uow, rules, change)


target_task = task(name="find the result", cache_policy=NO_CACHE)(_target)
record_task = task(name="record the event", cache_policy=NO_CACHE)(_record)
change_task = task(name="change the result and revoke", cache_policy=NO_CACHE)(_change)
publicize_task = task(name="publicise again", cache_policy=NO_CACHE)(_publicize)


@flow(name="serious-event", validate_parameters=True)
def serious_event_flow(institution: str, clause: int, decided: date, verified: date, document: str,
                       year: int | None = None, db_url: str | None = None, by: str | None = None) -> dict:
    """The institution's current result gets the direct grade with the clause; a published grade is revoked."""
    actor = Actor(by or getpass.getuser(), datetime.now(UTC), f"第十七条第{clause}项 {document}")
    store = open_store(db_url, run="serious-event")
    target = target_task(store, institution, year)
    rules = rules_for_year(target.year, index_version=target.index_version, rules_dir=get_settings().rules_dir)
    event = SeriousEventInput(institution, clause, decided, verified, document, actor, year=target.year)
    change = change_task(store, rules, record_task(store, rules, event))
    return publicize_task(store, rules, change).summary()
