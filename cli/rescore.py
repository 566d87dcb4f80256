"""`credit rescore`: ad-hoc re-scoring (its flow) and what-if comparison (read only, no Prefect) (第十五条)."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from cli.common import ByOption, DbOption, DebugOption, parse_day, run_guarded, today


def rescore(
    year: Annotated[int, typer.Option("--year", help="Evaluation year")],
    institution: Annotated[str | None, typer.Option("--institution", help="Only this institution")] = None,
    index_version: Annotated[str | None, typer.Option("--index-version", help="Index version to use")] = None,
    what_if: Annotated[str | None, typer.Option("--what-if", help="Compare with this version; change nothing")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Date a changed result's publicity starts")] = None,
    recorded: Annotated[bool, typer.Option("--recorded-events", help="First take in the inspection findings "
                                           "and complaints verified since the evaluation")] = False,
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """Ad-hoc re-scoring from the cycle's snapshot, or a comparison of two index versions (第十五条)."""
    def action() -> None:
        if what_if:
            typer.echo(_migrations(_what_if(db, year, index_version, what_if)))
            return
        starts = parse_day(on, "--on") if on else today()
        from cli.runtime import no_heartbeat, prepare_prefect

        prepare_prefect()
        from flows.rescore import rescore_flow

        with no_heartbeat():
            report = rescore_flow(year=year, institution=institution, index_version=index_version, on=starts,
                                  db_url=db, by=by or getpass.getuser(), recorded_events=recorded)
        if recorded:
            typer.echo(f"{year}: snapshot {report['new_snapshot'] or 'unchanged: no event recorded since'}")
        typer.echo(f"{year}: re-scored with {report['index_version']}; changed: "
                   f"{', '.join(report['changed']) or 'nothing (same inputs, same results)'}")

    run_guarded(action, debug)


def _what_if(db: str | None, year: int, base: str | None, other: str):
    """The comparison, read in a unit of work that writes nothing."""
    from credit.rules import rules_for_year
    from store.settings import get_settings
    from store.uow import open_store
    from tasks.rescore import WhatIfInput, what_if

    store, rules = open_store(db, run="rescore --what-if"), rules_for_year(year, rules_dir=get_settings().rules_dir)
    with store.unit_of_work(write=False) as uow:
        return what_if(uow, rules, WhatIfInput(year, other, base))


def _migrations(report) -> str:
    from rich.console import Console
    from rich.table import Table

    console = Console(record=True, width=120)
    table = Table("from", "to", "institutions", title=f"{report.base} → {report.other}")
    for row in report.migrations:
        table.add_row(row["from"], row["to"], str(row["institutions"]))
    console.print(table)
    changed = Table("institution", "name", "from", "to", "score", "why", title="grade changes")
    for row in report.changed:
        changed.add_row(row["institution_id"], row["name"], row["from"], row["to"],
                        f"{row['score_from']} → {row['score_to']}", row["why"])
    console.print(changed)
    return console.export_text()
