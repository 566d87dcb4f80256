"""Retries with backoff and timeouts for the tasks that touch the database or the file system (issue 10 item 5).

A task is retried only on an error that can heal by waiting: a database connection dropped or refused,
a locked SQLite file, a file system that failed for a moment, a timeout. Never on bad input (a drop that
breaks the contract, a year without calendar, a refused change: tasks.reporting.is_input_error) nor on a
missing or forbidden path: waiting fixes none of them, and the run should fail at once with its message.

    save_task = io_task("save evaluation", timeout_seconds=30 * MINUTE)(save_step)
"""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from tasks.reporting import is_input_error

MINUTE = 60
RETRIES = 3
BACKOFF = exponential_backoff(backoff_factor=5)  # 5, 10, 20 s between the tries
JITTER = 0.2  # ± 20 %: two runs that failed together do not retry together
# Database errors of the server or the connection, not of the statement (sqlalchemy.exc, psycopg), by name:
# tasks/ imports no SQLAlchemy.
DATABASE_ERRORS = {"OperationalError", "InterfaceError", "DisconnectionError", "TimeoutError"}
DATABASE_PACKAGES = {"sqlalchemy", "psycopg", "sqlite3"}
LASTING_OS_ERRORS = (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError, FileExistsError)


def can_heal(exc: BaseException) -> bool:
    """True for an error that waiting may fix: a timeout, a passing OS error, a dropped or busy database."""
    if is_input_error(exc):
        return False
    if isinstance(exc, TimeoutError):  # also a task run's own timeout
        return True
    if isinstance(exc, OSError):
        return not isinstance(exc, LASTING_OS_ERRORS)
    return any(cls.__module__.split(".")[0] in DATABASE_PACKAGES and cls.__name__ in DATABASE_ERRORS
               for cls in type(exc).__mro__)


def retry_if_heals(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's retry_condition_fn: retry a failed task run only when its exception can heal."""
    return isinstance(state.data, BaseException) and can_heal(state.data)


def io_task(name: str, *, timeout_seconds: float, retries: int = RETRIES) -> Any:
    """`task(...)` for a step that touches the database or the file system: retries with backoff, a timeout."""
    return task(
        name=name, cache_policy=NO_CACHE, retries=retries, retry_delay_seconds=BACKOFF,
        retry_jitter_factor=JITTER, retry_condition_fn=retry_if_heals, timeout_seconds=timeout_seconds,
    )
