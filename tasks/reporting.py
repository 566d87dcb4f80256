"""What a run did, where the operator looks (issue 10 item 2): the run's own log lines and its Prefect artifacts.

- `run_logger()` is Prefect's run logger inside a flow or task run, so the run's lines (counts, decisions,
  paths) reach the API and the UI from a worker and from CLI runs against a server alike; outside a run
  (service tests, single-record commands) it is a plain `logging` logger. Neither imports Prefect.
- `publish_artifacts(key, markdown, tables)` creates a markdown artifact and one table artifact per entry of
  `tables`, with stable keys per year (`artifact_key("evaluation", 2025)` is "evaluation-2025", a table
  "grades-by-county" is "evaluation-2025-grades-by-county"): the UI shows the latest run under each key and
  its history. Outside a run it does nothing.
- `log_errors_once()` keeps an error to one record of a run's logs. Prefect logs a failed task's exception
  with its traceback, the flow logs it again, and a deployment's engine a third time; after this call the
  first record keeps the traceback and later records of the same exception lose it. A bad input (a drop
  that breaks the contract, a year without calendar: `is_input_error`) is logged once, as its message,
  with no traceback: it is the input's fault, not the program's, and the message says what to fix.
"""

from __future__ import annotations

import logging
import re
import sys
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # Prefect artifact keys: lowercase letters, digits, dashes
RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")
# Errors of the input or the configuration, not of the program, by module and name (nothing imported to know).
INPUT_ERRORS = (
    "tasks.drop_io:StructuralError",
    "credit.calendar:UnknownYearError",
    "credit.calendar:CalendarFileError",
    "credit.indexsystem:IndexSystemError",
    "credit.rules:BureauPlaceholderError",
    "credit.supervision:SupervisionRulesError",
    "store.settings:SettingsError",
    "store.repository:CycleStartedError",
    "tasks.plan:CycleNotDeterminedError",
    "tasks.plan:RosterError",
    "tasks.supervision:SupervisionError",
    "tasks.objections:ObjectionError",
    "store.uow:StoreNotConfiguredError",
)


def in_run() -> bool:
    """True inside a Prefect flow or task run (never true where Prefect was not imported)."""
    context = sys.modules.get("prefect.context")
    if context is None:
        return False
    return context.TaskRunContext.get() is not None or context.FlowRunContext.get() is not None


def run_logger(name: str = "credit") -> Any:
    """The run's logger inside a flow or task run (its lines reach the API), else `logging.getLogger(name)`."""
    if in_run():
        from prefect.logging import get_run_logger

        return get_run_logger()
    return logging.getLogger(name)


def artifact_key(*parts: object) -> str:
    """A stable artifact key from parts: "evaluation", 2025 → "evaluation-2025" (lowercase, digits, dashes)."""
    key = re.sub(r"[^a-z0-9]+", "-", "-".join(str(p) for p in parts).lower()).strip("-")
    if not KEY.match(key):
        raise ValueError(f"no artifact key can be made of {parts!r}")
    return key


def publish_artifacts(
    key: str, markdown: str, tables: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    description: str | None = None,
) -> list[str]:
    """The run's markdown artifact under `key` and a table artifact under `key-<name>` per table; the keys made."""
    keys = [artifact_key(key), *(artifact_key(key, name) for name in tables or {})]
    if not in_run():
        return []
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    create_markdown_artifact(markdown=markdown, key=keys[0], description=description)
    for table_key, rows in zip(keys[1:], (tables or {}).values(), strict=True):
        create_table_artifact(table=[dict(r) for r in rows], key=table_key, description=description)
    return keys


def markdown_table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """A GitHub-flavoured markdown table of `rows` (the keys of the first row unless `columns` are given)."""
    rows = list(rows)
    columns = list(columns or (rows[0].keys() if rows else []))
    if not columns:
        return ""
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: object) -> str:
    return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")


def is_input_error(exc: BaseException) -> bool:
    """An error the input caused (the drop, an option, the settings, rules or calendar files): its message is what counts."""
    return any(f"{cls.__module__}:{cls.__qualname__}" in INPUT_ERRORS for cls in type(exc).__mro__)


class OnceFilter(logging.Filter):
    """Lets an exception's traceback through once per run; a bad input's message once and no traceback."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: deque[BaseException] = deque(maxlen=64)  # held, so identities stay unique

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None:
            return True
        again = any(seen is exc for seen in self._seen)
        if not again:
            self._seen.append(exc)
        if again or is_input_error(exc):
            record.exc_info, record.exc_text = None, None
        if again:
            return not is_input_error(exc)
        if is_input_error(exc):
            record.msg, record.args = "%s\n%s", (record.getMessage(), exc)
        return True


def log_errors_once() -> None:
    """Install OnceFilter on Prefect's flow-run and task-run loggers (idempotent; call at the top of a flow)."""
    for name in RUN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OnceFilter) for f in logger.filters):
            logger.addFilter(_FILTER)


_FILTER = OnceFilter()
