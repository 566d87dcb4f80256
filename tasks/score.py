"""Prefect task that scores a validated drop with the domain core (第十四—十七条)."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE

from credit.rules import Rules
from credit.scoring import Scored, score
from tasks.progress import step
from tasks.retries import MINUTE
from tasks.validation import Validated


def score_validated(validated: Validated, rules: Rules, as_of: date) -> Scored:
    """Findings, scores, grades and not-rated institutions of the period of `rules`, with its index and calendar."""
    with step("score"):
        return score(validated.tables, rules.index, rules.calendar, rules.period_start.year, as_of)


# Pure: nothing to retry; the timeout keeps a run that went wrong from holding its slot.
score_task = task(name="score drop", cache_policy=NO_CACHE, timeout_seconds=15 * MINUTE)(score_validated)
