"""Prefect tasks that pull a drop and keep its snapshot (DATA_CONTRACT.md "Inputs").

The work is done by the plain functions of `tasks.drop_io` (importable without Prefect); the tasks
below only wrap them. Caching is off: the inputs are folders and DataFrames, and the snapshot hash is
the cache that matters (`write_snapshot` reuses an existing snapshot).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from prefect import task
from prefect.cache_policies import NO_CACHE

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


def _not_structural(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a database read, but not a drop that breaks the contract: that will not heal by waiting."""
    return not isinstance(state.data, StructuralError)


# Files are local: a failure is the drop's, not the network's, so no retries.
pull_drop = task(name="pull drop", retries=0, cache_policy=NO_CACHE)(read_drop)
pull_drop_sql = task(
    name="pull drop (SQL)",
    retries=2,
    retry_delay_seconds=10,
    retry_condition_fn=_not_structural,
    cache_policy=NO_CACHE,
)(read_drop_sql)
save_snapshot = task(name="save snapshot", retries=0, cache_policy=NO_CACHE)(write_snapshot)


def store_events(store: Store, rules: Rules) -> pd.DataFrame:
    """The events the store records for the period of `rules` (inspections, complaints), read without the lock."""
    with store.unit_of_work(write=False) as uow:
        return events_for_year(uow, rules)


# The store is a database: a dropped connection may heal, so two retries.
recorded_events_task = task(name="recorded events", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)(
    store_events
)
load_snapshot = task(name="load snapshot", retries=0, cache_policy=NO_CACHE)(read_snapshot)
