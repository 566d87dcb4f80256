"""Prefect task that validates a drop against the Great Expectations suites (DATA_CONTRACT.md)."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from credit.indexsystem import IndexSystem
from tasks.drop_io import Drop
from tasks.progress import step
from tasks.validation import Validated, validate_drop


def validate(drop: Drop, index: IndexSystem, counties: list[str], docs_dir: Path | None) -> Validated:
    """Quarantine bad rows with their reasons; events may name only event indicators of `index`."""
    with step("validate"):
        return validate_drop(
            drop, event_indicators=set(index.event_codes), auto_indicators=set(index.auto_codes),
            counties=counties, docs_dir=docs_dir,
        )


validate_task = task(name="validate drop", cache_policy=NO_CACHE)(validate)
