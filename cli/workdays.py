"""`credit workdays`: count statutory working days and show where the calendar comes from."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli.common import BadInput, parse_day

workdays_app = typer.Typer(
    help="Working days under the State Council holiday notices (chinesecalendar + rules/calendar/overrides.yaml).",
    no_args_is_help=True,
)

OverridesOption = Annotated[
    Path | None,
    typer.Option(
        "--overrides", metavar="FILE", help="Calendar override file (default: rules/calendar/overrides.yaml)."
    ),
]


@workdays_app.command("add")
def add(
    start: Annotated[
        str, typer.Argument(metavar="D", help="Start day S (ISO YYYY-MM-DD); never counted itself.")
    ],
    n: Annotated[int, typer.Argument(metavar="N", help="Number of working days (0 returns D).")],
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            metavar="A..B",
            help="Closed date range whose working days do not count (repeatable).",
        ),
    ] = None,
    overrides: OverridesOption = None,
) -> None:
    """Print the last day of a period of N working days after D."""
    from credit.calendar import WorkCalendar  # on first use: `credit --help` needs no calendar (nor numpy)

    with _exit_2_on_bad_input():
        first = _parse_date(start, "D")
        if n < 0:
            raise BadInput(f"N: must be 0 or more working days, got {n}")
        spans = [_parse_span(text) for text in exclude or []]
        calendar = WorkCalendar.load(overrides)
        end = calendar.add_working_days(first, n, exclude=spans)
    typer.echo(end.isoformat())
    if calendar.is_provisional(end):
        typer.echo(
            f"(provisional) {end.isoformat()} is on or after 25 December of the last year with an official "
            "calendar; the next State Council notice may move it",
            err=True,
        )


@workdays_app.command("years")
def years(overrides: OverridesOption = None) -> None:
    """List the years with an official calendar loaded, and where each came from."""
    from credit.calendar import WorkCalendar

    with _exit_2_on_bad_input():
        calendar = WorkCalendar.load(overrides)
    for year, source in calendar.years():
        typer.echo(f"{year}  {source}")


@contextmanager
def _exit_2_on_bad_input() -> Iterator[None]:
    """Turn bad input and missing calendar data into a stderr message and exit code 2 (CLI.md)."""
    from credit.calendar import CalendarFileError, UnknownYearError

    try:
        yield
    except (BadInput, UnknownYearError, CalendarFileError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc


def _parse_date(text: str, name: str) -> date:
    """An ISO date, or BadInput naming the argument or option ("D: 'x' is not a date YYYY-MM-DD")."""
    return parse_day(text.strip(), f"{name}:")


def _parse_span(text: str) -> tuple[date, date]:
    """A closed range A..B with A not after B."""
    first, sep, last = text.partition("..")
    if not sep:
        raise BadInput(f"--exclude: {text!r} is not a range A..B (e.g. 2025-10-13..2025-10-15)")
    a, b = _parse_date(first, "--exclude"), _parse_date(last, "--exclude")
    if b < a:
        raise BadInput(f"--exclude: {text!r} ends before it starts")
    return a, b
