"""第十七条 in real time (R-14): record a verified serious event; the direct grade at once, revocation, change publicity.

The steps, each a task run, in one writing unit of work that the flow holds: find the result → record the
event → change the result and revoke a given grade → publicise the change again. No other command (an
advance, a decision) lands between the change and its publicity (tests/integration/test_writer_lock.py).
"""

from __future__ import annotations

import getpass
from datetime import UTC, date, datetime

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from credit.rules import rules_for_year
from flows.notices import notify_institutions
from store.lifecycle import Actor
from store.settings import get_settings
from store.uow import open_store
from tasks.serious import (
    SeriousEventInput,
    change_for_serious_event,
    publicize_serious_change,
    record_serious_event,
    target_of,
)

target_task = task(name="find the result", cache_policy=NO_CACHE)(target_of)
record_task = task(name="record the event", cache_policy=NO_CACHE)(record_serious_event)
change_task = task(name="change the result and revoke", cache_policy=NO_CACHE)(change_for_serious_event)
publicize_task = task(name="publicise again", cache_policy=NO_CACHE)(publicize_serious_change)


@flow(name="serious-event", validate_parameters=True)
def serious_event_flow(institution: str, clause: int, decided: date, verified: date, document: str,
                       year: int | None = None, db_url: str | None = None, by: str | None = None) -> dict:
    """The institution's current result gets the direct grade with the clause; a published grade is revoked."""
    actor = Actor(by or getpass.getuser(), datetime.now(UTC), f"第十七条第{clause}项 {document}")
    store = open_store(db_url, run="serious-event")
    with store.unit_of_work() as uow:
        target = target_task(uow, institution, year)
        rules = rules_for_year(target.year, index_version=target.index_version,
                               rules_dir=get_settings().rules_dir)
        event = SeriousEventInput(institution, clause, decided, verified, document, actor, year=target.year)
        change = change_task(uow, rules, record_task(uow, rules, event))
        summary = publicize_task(uow, rules, change).summary()
    notify_institutions(store, rules, target.year, verified)  # issue 13: the changed result's notice, mailed
    return summary
