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
    help="工作日计算：依国务院节假日安排（chinesecalendar + rules/calendar/overrides.yaml）。",
    no_args_is_help=True,
)

OverridesOption = Annotated[
    Path | None,
    typer.Option(
        "--overrides", metavar="FILE", help="日历补充文件（默认：rules/calendar/overrides.yaml）。"
    ),
]


@workdays_app.command("add")
def add(
    start: Annotated[
        str, typer.Argument(metavar="D", help="起算日 D（YYYY-MM-DD），本身不计入。")
    ],
    n: Annotated[int, typer.Argument(metavar="N", help="工作日天数（0 返回 D）。")],
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            metavar="A..B",
            help="不计入的日期区间 YYYY-MM-DD..YYYY-MM-DD（含首尾，可重复）。",
        ),
    ] = None,
    overrides: OverridesOption = None,
) -> None:
    """输出 D 之后第 N 个工作日（期限的最后一天）。"""
    from credit.calendar import WorkCalendar  # on first use: `credit --help` needs no calendar (nor numpy)

    with _exit_2_on_bad_input():
        first = _parse_date(start, "D")
        if n < 0:
            raise BadInput(f"N {n}：工作日数须为 0 或正整数")
        spans = [_parse_span(text) for text in exclude or []]
        calendar = WorkCalendar.load(overrides)
        end = calendar.add_working_days(first, n, exclude=spans)
    typer.echo(end.isoformat())
    if calendar.is_provisional(end):
        typer.echo(
            f"（暂定）{end.isoformat()} 在已有官方日历的最后一年的 12 月 25 日或之后：国务院办公厅下一年度的"
            "放假安排通知可能使其变动",
            err=True,
        )


@workdays_app.command("years")
def years(overrides: OverridesOption = None) -> None:
    """列出已载入官方日历的年度及其来源。"""
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
        typer.echo(f"错误：{exc}", err=True)
        raise typer.Exit(code=2) from exc


def _parse_date(text: str, name: str) -> date:
    """An ISO date, or BadInput naming the argument or option ("D 'x'：不是 YYYY-MM-DD 格式的日期")."""
    return parse_day(text.strip(), name)


def _parse_span(text: str) -> tuple[date, date]:
    """A closed range A..B with A not after B."""
    first, sep, last = text.partition("..")
    if not sep:
        raise BadInput(f"--exclude {text!r}：不是 A..B 形式的日期区间（如 2025-10-13..2025-10-15）")
    a, b = _parse_date(first, "--exclude"), _parse_date(last, "--exclude")
    if b < a:
        raise BadInput(f"--exclude {text!r}：结束日期早于开始日期")
    return a, b
