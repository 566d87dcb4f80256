"""What the Prefect UI shows of a run, read through the test harness's API: its log lines and its artifacts.

`logs_to_api()` sends the runs' INFO lines to the API for the block (the flow tests keep Prefect quiet and
local otherwise); `run_logs(flow_run_id)` waits for them to be written and reads them back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any
from uuid import UUID

RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


@contextmanager
def logs_to_api() -> Iterator[None]:
    """Flow- and task-run lines from INFO up reach the API while the block runs, as from a worker."""
    from prefect.settings import PREFECT_LOGGING_TO_API_ENABLED, temporary_settings

    loggers = [logging.getLogger(name) for name in RUN_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO)
    try:
        with temporary_settings(updates={PREFECT_LOGGING_TO_API_ENABLED: True}):
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def run_logs(flow_run_id: UUID | str) -> list[Any]:
    """Every log line of a flow run and of its task runs, oldest first (after the queued lines are sent)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.client.schemas.sorting import LogSort
    from prefect.logging.handlers import APILogWorker

    # In a thread of its own: with a loop running in this thread (Playwright's, in a browser test's session),
    # drain_all would return a coroutine instead of draining.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(APILogWorker.drain_all, timeout=30).result()
    with get_client(sync_client=True) as client:
        return client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[UUID(str(flow_run_id))])),
                                sort=LogSort.TIMESTAMP_ASC)


def artifacts(key: str) -> list[Any]:
    """Every artifact published under `key`, newest first."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        return client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                                     sort=ArtifactSort.CREATED_DESC)
