"""Console commands of the procedure after scoring: publicize, advance, cycle status (CLI.md)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import ByOption, DbOption, DebugOption, parse_day, run_guarded, today
from cli.runtime import no_heartbeat, prepare_prefect

cycle_app = typer.Typer(help="An evaluation cycle's state.", no_args_is_help=True)


def publicize(
    year: Annotated[int, typer.Option("--year", help="Evaluation year")],
    on: Annotated[str, typer.Option("--on", help="Publication date of the publicity (公示)")],
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the notice")] = None,
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """Start the publicity (第十八条) of the scored results with D as its publication date; print the window."""
    def action() -> None:
        from credit.lifecycle import publicity_window
        from credit.rules import rules_for_year
        from store.settings import get_settings

        day = parse_day(on, "--on")
        rules = rules_for_year(year, rules_dir=get_settings().rules_dir)
        publicity_window(rules.calendar, day, rules.procedure)  # refuse early: a calendar year not known yet
        prepare_prefect()
        from flows.lifecycle import publicize_flow

        with no_heartbeat():
            window = publicize_flow(year=year, on=day, out=str(out) if out else None,
                                    db_url=db, by=by or getpass.getuser())
        days = rules.procedure.publicity
        typer.echo(f"公示期 {window['first_day']} – {window['last_day']} ({days} working days); notice in {window['out']}")

    run_guarded(action, debug)


def advance(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Run date (default: today in Asia/Shanghai)")] = None,
    outbox: Annotated[Path | None, typer.Option("--outbox", help="Share packages for market regulation")] = None,
    site: Annotated[Path | None, typer.Option("--site", help="Static website folder to rebuild")] = None,
    published: Annotated[Path | None, typer.Option("--published", help="Where final lists are written")] = None,
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """The daily step: close windows, determine, publish, share; idempotent for a given day."""
    def action() -> None:
        prepare_prefect()
        from flows.lifecycle import advance_flow

        with no_heartbeat():
            report = advance_flow(as_of=parse_day(as_of, "--as-of") if as_of else today(),
                                  outbox=str(outbox) if outbox else None,
                                  publish_dir=str(published) if published else None, db_url=db,
                                  by=by or getpass.getuser(), site=str(site) if site else None)
        moved = ", ".join(f"{n} {s}" for s, n in report["moved"].items()) or "nothing to move"
        typer.echo(f"advance {report['as_of']}: {moved}; {len(report['written'])} files written")
        for item in report["overdue"]:
            typer.echo(f"  OVERDUE {item['institution_id']}: {item['what']} {item['date']}", err=True)

    run_guarded(action, debug)


@cycle_app.command("status")
def status(
    year: Annotated[int, typer.Option("--year", help="Evaluation year")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day to count from (default today)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object")] = False,
    db: DbOption = None, debug: DebugOption = False,
) -> None:
    """Stage, results by state, open deadlines with working days left, and what is overdue."""
    def action() -> None:
        from credit.rules import rules_for_year
        from store.settings import get_settings
        from store.uow import open_store
        from tasks.status import StatusInput, cycle_status

        given = StatusInput(year, parse_day(as_of, "--as-of") if as_of else today())
        rules = rules_for_year(year, rules_dir=get_settings().rules_dir)
        with open_store(db, run="cycle status").unit_of_work(write=False) as uow:
            report = cycle_status(uow, rules, given).as_json()
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else _table(report))

    run_guarded(action, debug)


def _table(report: dict) -> str:
    from rich.console import Console
    from rich.table import Table

    console = Console(record=True, width=110)
    console.print(f"{report['year']}年度 — stage {report['stage']} — as of {report['as_of']}")
    counts = Table("state", "results")
    for state, n in report["counts"].items():
        counts.add_row(state, str(n))
    console.print(counts)
    for title, rows in (("open deadlines", report["deadlines"]), ("overdue", report["overdue"])):
        table = Table("what", "institution", "date", "working days left", title=title)
        for row in rows:
            table.add_row(row["what"], row["institution_id"], row["date"], str(row.get("working_days_left", "")))
        console.print(table)
    if report["recorded_events_since"]:
        console.print(f"{len(report['recorded_events_since'])} recorded event(s) not yet in this cycle's scores "
                      f"({', '.join(report['recorded_events_since'][:5])}): credit rescore --year {report['year']} "
                      "--recorded-events")
    return console.export_text()
