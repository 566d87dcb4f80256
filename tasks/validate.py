"""Prefect task that validates a drop against the Great Expectations suites (DATA_CONTRACT.md)."""

from __future__ import annotations

from pathlib import Path

from credit.rules import Rules
from tasks.drop_io import Drop
from tasks.progress import step
from tasks.retries import MINUTE, io_task
from tasks.validation import Validated, validate_drop


def validate(drop: Drop, rules: Rules, docs_dir: Path | None) -> Validated:
    """Quarantine bad rows with their reasons; events may name only event indicators of the rules' index."""
    with step("validate"):
        index = rules.index
        return validate_drop(
            drop, event_indicators=set(index.event_codes), auto_indicators=set(index.auto_codes),
            counties=rules.bureau.counties, clauses=index.clauses, docs_dir=docs_dir,
        )


# Writes the Data Docs: retried when the file system fails for a moment, never for the drop's own errors.
validate_task = io_task("validate drop", timeout_seconds=20 * MINUTE)(validate)
