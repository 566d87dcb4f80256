"""Console commands of the 第二十二条 inspection plan: `credit plan` and `credit inspectors import` (CLI.md)."""

from __future__ import annotations

import getpass
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from cli.common import BadInput, ByOption, DbOption, DebugOption, parse_day, run_guarded, today
from cli.runtime import no_heartbeat, prepare_prefect

inspectors_app = typer.Typer(help="The inspector roster of the 双随机 draw.", no_args_is_help=True)


def plan(
    year: Annotated[int, typer.Option("--year", help="Plan year Y (rests on the determined results of Y−1)")],
    seed: Annotated[str, typer.Option("--seed", help="Random seed: the same seed gives the same plan")],
    out: Annotated[Path, typer.Option("--out", help="Output folder")],
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """The 第二十二条 inspection plan for year Y from the determined results of cycle Y−1 (plan.csv/html/xlsx)."""
    def action() -> None:
        if not seed.strip():
            raise BadInput("--seed must not be empty: it is what makes the plan reproducible")
        prepare_prefect()
        from flows.plan import plan_flow

        with no_heartbeat():
            report = _bad_input_on_value_error(lambda: plan_flow(year=year, seed=seed, out=str(out), db_url=db))
        grades = ", ".join(f"{g or 'no result'} {n}" for g, n in report["selected"].items())
        typer.echo(f"{year} inspection plan from cycle {report['source_year']}, seed {report['seed']!r}, rules "
                   f"{report['rules_version']}: {report['institutions']} institutions, {report['inspections']} "
                   f"inspections ({grades}); {report['complaints']} with verified complaints")
        if report["warning"]:
            typer.echo(f"warning: {report['warning']}", err=True)
        else:
            typer.echo(f"inspectors drawn from a roster of {report['inspectors']}: {report['teams']} teams")
        typer.echo(f"outputs in {out.resolve()}")

    run_guarded(action, debug)


@inspectors_app.command("import")
def import_inspectors(
    file: Annotated[Path, typer.Option("--file", help="Roster CSV: inspector_id, name, unit[, county][, active]")],
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """Add or update inspectors by inspector_id (empty county = city bureau staff); each change is audited."""
    def action() -> None:
        from datetime import UTC, datetime

        from store.lifecycle import Actor
        from store.uow import open_store
        from tasks.plan import RosterImport, import_roster

        actor = Actor(by or getpass.getuser(), datetime.now(UTC), f"inspector roster imported from {file.name}")

        def work():
            with open_store(db, run="credit inspectors import").unit_of_work() as uow:
                return import_roster(uow, RosterImport(file), actor)

        report = asdict(_bad_input_on_value_error(work))
        typer.echo(f"{report['inspectors']} inspectors in {file.name}: {report['new']} new, {report['changed']} "
                   f"changed, {report['unchanged']} unchanged")

    run_guarded(action, debug)


def _bad_input_on_value_error(call):
    """Roster files and seeds the user can fix, and a roster too small for the draw: exit code 2."""
    from tasks.plan import RosterError

    try:
        return call()
    except RosterError as exc:
        raise BadInput(str(exc)) from None
    except ValueError as exc:
        if "inspector draw" in str(exc) or "seed" in str(exc):
            raise BadInput(str(exc)) from None
        raise


def registry_changes(
    year: Annotated[int, typer.Option("--year", help="Cycle whose drop is checked")],
    out: Annotated[Path, typer.Option("--out", help="Folder for registry_changes.csv")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day to count from (default today)")] = None,
    db: DbOption = None, debug: DebugOption = False,
) -> None:
    """第六条: registry changes filed after their one-month deadline, or not at all, by county."""
    def action() -> None:
        from credit.rules import rules_for_year
        from store.settings import get_settings
        from store.uow import open_store
        from tasks.registry import RegistryChangesInput
        from tasks.registry import registry_changes as run

        given = RegistryChangesInput(year, parse_day(as_of, "--as-of") if as_of else today(), out)
        rules = rules_for_year(year, rules_dir=get_settings().rules_dir)
        with open_store(db, run="credit registry-changes").unit_of_work(write=False) as uow:
            report = run(uow, rules, given)
        typer.echo(f"written {report.path}")

    run_guarded(action, debug)
