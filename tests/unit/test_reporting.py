"""tasks/reporting.py and tasks/retries.py outside a Prefect run: plain logging, keys, tables, errors logged once."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from credit.calendar import UnknownYearError
from tasks.drop_io import StructuralError
from tasks.reporting import (
    OnceFilter,
    artifact_key,
    is_input_error,
    markdown_table,
    publish_artifacts,
    run_logger,
)
from tasks.retries import can_heal


def test_outside_a_run_the_run_logger_is_a_plain_logger_and_artifacts_are_skipped():
    assert run_logger("credit.test") is logging.getLogger("credit.test")
    assert publish_artifacts("evaluation-2025", "# x", tables={"grades-by-county": [{"a": 1}]}) == []


def test_artifact_keys_are_lowercase_letters_digits_and_dashes():
    assert artifact_key("evaluation", 2025) == "evaluation-2025"
    assert artifact_key("evaluation-2025", "grades-by-county") == "evaluation-2025-grades-by-county"
    assert artifact_key("Site Build") == "site-build"
    with pytest.raises(ValueError):
        artifact_key("年度")


def test_markdown_tables_escape_the_cell_separator():
    assert markdown_table([{"表": "a|b", "行": 3}]) == "| 表 | 行 |\n|---|---|\n| a\\|b | 3 |"
    assert markdown_table([]) == ""


def record(exc: BaseException, message: str = "failed") -> logging.LogRecord:
    return logging.LogRecord("prefect.task_runs", logging.ERROR, __file__, 1, message, (), (type(exc), exc, None))


def test_an_error_keeps_its_traceback_once_and_a_bad_input_is_said_once_without_one():
    once = OnceFilter()
    bug = KeyError("x")
    first, again = record(bug), record(bug)
    assert once.filter(first) and first.exc_info is not None
    assert once.filter(again) and again.exc_info is None  # the line stays, the traceback is not repeated
    bad = StructuralError("changes.csv", "filed_on", "missing column filed_on")
    task_line, flow_line = record(bad, "Task run failed"), record(bad, "Encountered exception")
    assert once.filter(task_line) and task_line.exc_info is None
    assert "changes.csv, column 'filed_on': missing column filed_on" in task_line.getMessage()
    assert not once.filter(flow_line)


def test_input_errors_are_known_by_name_and_never_retried():
    assert is_input_error(StructuralError("a.csv", None, "x")) and is_input_error(UnknownYearError(2027, "f"))
    assert not is_input_error(RuntimeError("x"))
    assert not can_heal(UnknownYearError(2027, "f")) and not can_heal(PermissionError("out"))
    assert can_heal(TimeoutError()) and can_heal(ConnectionResetError()) and can_heal(sqlite3.OperationalError("locked"))
    assert not can_heal(ValueError("bad"))
