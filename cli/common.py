"""What every `credit` command shares: options, date parsing, and the exit codes of CLI.md."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

# Great Expectations announces its temporary folders at INFO: not news for an officer at a terminal.
logging.getLogger("great_expectations").setLevel(logging.WARNING)

DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL (default: CREDIT_DB_URL, or db_url in CREDIT_CONFIG's file, else the embedded SQLite file)")]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks")]
ByOption = Annotated[str | None, typer.Option("--by", help="Who runs this, for the audit log (default: OS user)")]


class BadInput(Exception):
    """Input that the user can fix: exit code 2."""


def bad_input_types() -> tuple[type[BaseException], ...]:
    """Errors that mean the input (drop, option, settings, rules or calendar file) is wrong, not the program."""
    from credit.calendar import CalendarFileError, UnknownYearError
    from credit.indexsystem import IndexSystemError
    from credit.supervision import SupervisionRulesError
    from store.repository import CycleStartedError
    from store.settings import SettingsError
    from tasks.drop_io import StructuralError
    from tasks.objections import ObjectionError
    from tasks.supervision import SupervisionError

    return (BadInput, ObjectionError, StructuralError, UnknownYearError, CalendarFileError, IndexSystemError,
            LookupError, SupervisionError, SupervisionRulesError, CycleStartedError, SettingsError)


def run_guarded(action: Callable[[], Any], debug: bool) -> Any:
    """Run `action`, turning errors into the documented exit codes and a message on stderr."""
    try:
        return action()
    except typer.Exit:
        raise
    except Exception as exc:  # the one place that decides exit codes
        bad = isinstance(exc, bad_input_types()) or _is_period_error(exc)
        if debug:
            traceback.print_exc()
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2 if bad else 1) from None


def _is_period_error(exc: Exception) -> bool:
    return isinstance(exc, ValueError) and "--as-of" in str(exc)


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{option} {value!r} is not a date YYYY-MM-DD") from None


def today() -> date:
    """Today in Asia/Shanghai: the edge where a command's default date is read, once."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()
