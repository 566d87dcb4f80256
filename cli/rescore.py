"""`credit rescore`: ad-hoc re-scoring and what-if comparison (第十五条)."""

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
            from tasks.rescore import what_if as compare

            typer.echo(_migrations(compare(db, year, index_version, what_if)))
            return
        from datetime import UTC, datetime

        from store.lifecycle import Actor
        from tasks.rescore import rescore as run

        actor = Actor(by or getpass.getuser(), datetime.now(UTC), "ad-hoc re-scoring (第十五条)")
        report = run(db, year, institution, index_version, parse_day(on, "--on") if on else today(), actor,
                     recorded_events=recorded)
        if recorded:
            typer.echo(f"{year}: snapshot {report['new_snapshot'] or 'unchanged: no event recorded since'}")
        typer.echo(f"{year}: re-scored with {report['index_version']}; changed: "
                   f"{', '.join(report['changed']) or 'nothing (same inputs, same results)'}")

    run_guarded(action, debug)


def _migrations(report: dict) -> str:
    from rich.console import Console
    from rich.table import Table

    console = Console(record=True, width=120)
    table = Table("from", "to", "institutions", title=f"{report['base']} → {report['other']}")
    for row in report["migrations"]:
        table.add_row(row["from"], row["to"], str(row["institutions"]))
    console.print(table)
    changed = Table("institution", "name", "from", "to", "score", "why", title="grade changes")
    for row in report["changed"]:
        changed.add_row(row["institution_id"], row["name"], row["from"], row["to"],
                        f"{row['score_from']} → {row['score_to']}", row["why"])
    console.print(changed)
    return console.export_text()
