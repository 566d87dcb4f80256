"""Prefect task that scores a validated drop with the domain core (第十四—十七条)."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE

from credit.calendar import WorkCalendar
from credit.indexsystem import IndexSystem
from credit.scoring import Scored, score
from tasks.progress import step
from tasks.validation import Validated


def score_validated(validated: Validated, index: IndexSystem, year: int, as_of: date) -> Scored:
    """Findings, scores, grades and not-rated institutions of the year."""
    with step("score"):
        return score(validated.tables, index, WorkCalendar.load(), year, as_of)


score_task = task(name="score drop", cache_policy=NO_CACHE)(score_validated)
