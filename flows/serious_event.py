"""第十七条 in real time (R-14): record a verified serious event; D at once, revocation, change publicity."""

from __future__ import annotations

import getpass
from datetime import UTC, date, datetime

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from store.lifecycle import Actor
from tasks.serious import serious_event

serious_event_task = task(name="serious event", cache_policy=NO_CACHE)(serious_event)


@flow(name="serious-event", validate_parameters=True)
def serious_event_flow(institution: str, clause: int, decided: date, verified: date, document: str,
                       year: int | None = None, db_url: str | None = None, by: str | None = None) -> dict:
    """The institution's current result becomes D with the clause; a published grade is revoked."""
    actor = Actor(by or getpass.getuser(), datetime.now(UTC), f"第十七条第{clause}项 {document}")
    return serious_event_task(db_url, institution, clause, decided, verified, document, actor, year=year)
