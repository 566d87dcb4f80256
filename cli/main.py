"""`credit`: the console command of the credit-risk evaluation pipeline (CLI.md).

Exit codes: 0 done; 2 bad input (the message names the file, row, column or option); 1 anything
else (a message, and a traceback only with --debug).
"""

from __future__ import annotations

import getpass
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli.common import BadInput, ByOption, DbOption, DebugOption, parse_day, run_guarded
from cli.lifecycle import advance, cycle_app, publicize
from cli.objections import objection_app, serious_event
from cli.plan import inspectors_app, plan, registry_changes
from cli.records import audit, letters
from cli.rescore import rescore
from cli.runtime import no_heartbeat, prepare_prefect, sandbox_settings
from cli.server import migrate, server_app
from cli.site import site_app
from cli.supervision import complaint_app, inspection_app
from cli.workdays import workdays_app

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DROP = REPO_ROOT / "data" / "sample-drop"

app = typer.Typer(
    help="晋城市社会环境监测机构信用风险评价 — credit-risk evaluation of monitoring institutions.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(workdays_app, name="workdays")
app.add_typer(cycle_app, name="cycle")
app.add_typer(objection_app, name="objection")
app.command("serious-event")(serious_event)
app.add_typer(site_app, name="site")
app.command()(publicize)
app.command()(advance)
app.command()(rescore)
app.command("registry-changes")(registry_changes)
app.command()(plan)
app.add_typer(inspectors_app, name="inspectors")
app.add_typer(inspection_app, name="inspection")
app.add_typer(complaint_app, name="complaint")
app.add_typer(server_app, name="server")
app.command()(audit)
app.command()(letters)
app.command()(migrate)

@app.command()
def evaluate(
    drop: Annotated[Path, typer.Option("--drop", help="Drop: CSV folder, .xlsx workbook, or SQL source .yaml")],
    year: Annotated[int, typer.Option("--year", help="Evaluation year (the period is its calendar year)")],
    as_of: Annotated[str, typer.Option("--as-of", help="Day the evaluation looks from, after the period")],
    out: Annotated[Path, typer.Option("--out", help="Output folder")],
    index_version: Annotated[str | None, typer.Option(
        "--index-version", help="Index system version (default: the version in force for the year)")] = None,
    db: DbOption = None,
    by: ByOption = None,
    debug: DebugOption = False,
) -> None:
    """Pull → validate → score → store → render; results are stored in state `scored`."""
    run_guarded(lambda: _evaluate(drop, year, parse_day(as_of, "--as-of"), out, index_version, db, by), debug)


def _evaluate(drop: Path, year: int, as_of: date, out: Path, index_version: str | None, db: str | None,
              by: str | None) -> None:
    if not drop.exists():
        raise BadInput(f"--drop {drop}: no such file or folder")
    outcome = run_annual_evaluation(drop, year, as_of, out, index_version, db, by)
    print_outcome(outcome, out)


def run_annual_evaluation(drop: Path, year: int, as_of: date, out: Path, index_version: str | None,
                          db: str | None, by: str | None) -> dict:
    """The flow, in Prefect's ephemeral mode unless PREFECT_API_URL names a server."""
    import os

    os.environ.setdefault("CREDIT_PROGRESS", "1")
    prepare_prefect()
    from flows.annual_evaluation import annual_evaluation

    with no_heartbeat():  # index_version None: the version in force for the period (credit.rules)
        return annual_evaluation(
            year=year, drop=str(drop), out=str(out), as_of=as_of, index_version=index_version,
            db_url=db, by=by or getpass.getuser(),
        )


def print_outcome(outcome: dict, out: Path) -> None:
    """A short, readable account of the run: counts, grades and where the files are."""
    import json

    summary = json.loads((out / "run-summary.json").read_text(encoding="utf-8"))
    saved = outcome["saved"]
    typer.echo(f"{summary['year']}年度 evaluation, as of {summary['as_of']}, index {summary['index_version']}")
    typer.echo(f"snapshot {summary['snapshot']}")
    for row in summary["counts"]:
        typer.echo(f"  {row['file']}: read {row['read']}, accepted {row['accepted']}, "
                   f"quarantined {row['quarantined']}")
    grades = ", ".join(f"{g} {n}" for g, n in summary["grades"].items()) or "none"
    typer.echo(f"institutions: {summary['statuses']}; grades: {grades}; warnings: {summary['warnings']}")
    typer.echo(f"stored: {saved.new} new, {saved.changed} changed, {saved.unchanged} unchanged results")
    typer.echo(f"outputs in {out.resolve()}")


DEMO_MARKER = ".credit-demo"  # written into a demo folder with its outputs: what tells it is the demo's own
DEMO_SANDBOX = ".sandbox"  # the demo's own store (credit.db) and var folder, inside its output folder
DEMO_KEEP = (Path(DEMO_SANDBOX) / "var" / "prefect",)  # Prefect's local state survives a rerun: faster start


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output folder: new, empty, or an earlier demo's (emptied "
                                                    "first)")] = REPO_ROOT / "out" / "demo",
    debug: DebugOption = False,
) -> None:
    """Run the whole annual job on the bundled sample drop (2025, as of 2026-01-20) in a sandbox of its own.

    The demo's store and var folder live in `<out>/.sandbox/`: CREDIT_DB_URL and CREDIT_VAR_DIR are
    ignored and the configured store is never touched (CLI.md).
    """
    def action() -> None:
        folder = prepare_demo_folder(out)
        sandbox = folder / DEMO_SANDBOX
        db_url = f"sqlite:///{sandbox / 'credit.db'}"
        with sandbox_settings(var_dir=sandbox / "var", db_url=db_url):
            _evaluate(SAMPLE_DROP, 2025, date(2026, 1, 20), folder, None, db_url, "demo")
        typer.echo(f"演示沙箱存储：{sandbox / 'credit.db'}（未使用配置的存储）")
        typer.echo(f"open {folder / 'publicity.html'} and {folder / 'run-summary.html'}")

    run_guarded(action, debug)


def prepare_demo_folder(out: Path) -> Path:
    """`out`, made ready for the demo: created, or emptied when an earlier demo wrote it; else refused.

    A folder holding anything the demo did not write is left as it is (exit code 2): the demo deletes
    only what it recognises as its own, by the marker file it writes first.
    """
    folder = out.expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"--out {out}：是文件，不是文件夹")
    if folder.is_dir() and any(folder.iterdir()):
        if not (folder / DEMO_MARKER).is_file():
            raise BadInput(f"--out {out}：该文件夹中有不是 credit demo 写入的文件，未删除任何内容。"
                           "请指定新的或空的文件夹，或此前演示写入的文件夹")
        _clear(folder, {folder / keep for keep in DEMO_KEEP})
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DEMO_MARKER).write_text(
        "credit demo 的输出文件夹（示例数据的评价结果与演示沙箱存储）。再次运行 credit demo 会清空本文件夹；"
        "没有本文件的文件夹，credit demo 不会清空。\n", encoding="utf-8")
    return folder


def _clear(folder: Path, keep: set[Path]) -> None:
    """Delete what is in `folder` except the paths in `keep` (and the folders leading to them)."""
    for child in folder.iterdir():
        if child in keep:
            continue
        if any(child in k.parents for k in keep):
            _clear(child, keep)
        elif child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="credit")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
