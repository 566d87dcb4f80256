"""`credit site build`: the bureau's static website (第十八、二十、二十一条; CLI.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DbOption, DebugOption, parse_day, run_guarded
from cli.runtime import no_heartbeat, prepare_prefect

site_app = typer.Typer(help="The bureau's website: publicity, results, A list and open data as static files.",
                       no_args_is_help=True)


@site_app.callback()
def site() -> None:
    """The bureau's website (第十八、二十、二十一条): `build` writes it as of a date."""


@site_app.command("build")
def build(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the site into (created if missing)")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Build date YYYY-MM-DD: what is public that day "
                                                             "(default: today in China)")] = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """Build the static site as of a date: only what is public that day, with open data and SHA-256 sums."""
    def action() -> None:
        day = parse_day(as_of, "--as-of") if as_of is not None else None
        outcome = run_site_build(out, day, db)
        typer.echo(f"site as of {outcome['as_of']}: {len(outcome['files'])} files in {outcome['out']}")
        if outcome["removed"]:
            typer.echo(f"removed {len(outcome['removed'])} files no longer published")
        typer.echo(f"open {Path(outcome['out']) / 'index.html'}")

    run_guarded(action, debug)


def run_site_build(out: Path, as_of: date | None, db: str | None) -> dict:
    """The flow, in Prefect's ephemeral mode unless PREFECT_API_URL names a server."""
    prepare_prefect()
    from flows.site_build import site_build

    with no_heartbeat():
        return site_build(out=str(out), as_of=as_of, db_url=db)
