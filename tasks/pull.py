"""Prefect tasks that pull a drop and keep its snapshot (DATA_CONTRACT.md "Inputs").

The work is done by the plain functions of `tasks.drop_io` (importable without Prefect); the tasks
below only wrap them. Caching is off: the inputs are folders and DataFrames, and the snapshot hash is
the cache that matters (`write_snapshot` reuses an existing snapshot).
"""

from __future__ import annotations

import pandas as pd

from credit.rules import Rules
from store.uow import Store
from tasks.drop_io import (
    Drop,
    RawTable,
    StructuralError,
    read_drop,
    read_drop_sql,
    read_snapshot,
    with_recorded_events,
    write_snapshot,
)
from tasks.retries import MINUTE, io_task
from tasks.supervision import events_for_year

__all__ = [
    "Drop",
    "RawTable",
    "StructuralError",
    "load_snapshot",
    "pull_drop",
    "pull_drop_sql",
    "read_drop",
    "read_drop_sql",
    "read_snapshot",
    "recorded_events_task",
    "store_events",
    "save_snapshot",
    "with_recorded_events",
    "write_snapshot",
]


# Every step reads or writes files or the store: retried when the error can heal (a file system or a
# database that failed for a moment), never for a drop that breaks the contract (tasks/retries.py).
pull_drop = io_task("pull drop", timeout_seconds=15 * MINUTE)(read_drop)
pull_drop_sql = io_task("pull drop (SQL)", timeout_seconds=15 * MINUTE)(read_drop_sql)
save_snapshot = io_task("save snapshot", timeout_seconds=15 * MINUTE)(write_snapshot)


def store_events(store: Store, rules: Rules) -> pd.DataFrame:
    """The events the store records for the period of `rules` (inspections, complaints), read without the lock."""
    with store.unit_of_work(write=False) as uow:
        return events_for_year(uow, rules)


recorded_events_task = io_task("recorded events", timeout_seconds=5 * MINUTE)(store_events)
load_snapshot = io_task("load snapshot", timeout_seconds=15 * MINUTE)(read_snapshot)
