"""Prefect task that stores an evaluation in one transaction, idempotently (R-12, R-21)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from credit.scoring import Scored
from store.engine import make_engine, migrate, transaction
from store.repository import Repository, SaveReport
from tasks.drop_io import Drop
from tasks.progress import step
from tasks.validation import Validated


def save_evaluation(
    *, db_url: str | None, year: int, as_of: date, index_version: str, drop: Drop, snapshot_path: Path,
    validated: Validated, scored: Scored, by: str, at: datetime,
) -> SaveReport:
    """Registry facts, results with findings, quarantine and warnings of one cycle, or nothing when unchanged."""
    with step("save"):
        engine = make_engine(db_url)
        try:
            migrate(engine)
            with transaction(engine) as session:
                return Repository(session).save_evaluation(
                    year=year, period_start=date(year, 1, 1), period_end=date(year, 12, 31), as_of=as_of,
                    index_version=index_version, snapshot=drop.snapshot, origin=drop.origin,
                    snapshot_path=str(snapshot_path), row_counts=_row_counts(validated),
                    registry=validated.tables["institutions"], results=scored.results,
                    findings=scored.findings, quarantine=validated.quarantine,
                    warnings=validated.warnings, by=by, at=at,
                )
        finally:
            engine.dispose()


def _row_counts(validated: Validated) -> dict[str, int]:
    counts = validated.counts
    return {str(t): int(n) for t, n in zip(counts["table"], counts["read"], strict=True)}


save_task = task(name="save evaluation", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)(save_evaluation)
