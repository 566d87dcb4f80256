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

from cli.common import (
    PANEL_EVALUATE,
    PANEL_PUBLICITY,
    PANEL_PUBLISH,
    PANEL_SUPERVISION,
    PANEL_TOOLS,
    BadInput,
    ByOption,
    DbOption,
    DebugOption,
    out_dir,
    parse_day,
    run_guarded,
)
from cli.integrity import audit_group, audit_verify
from cli.lifecycle import advance, cycle_app, publicize
from cli.objections import objection_app, serious_event
from cli.plan import inspectors_app, plan, registry_changes
from cli.records import letters
from cli.rescore import rescore
from cli.runtime import exit_without_teardown, no_heartbeat, prepare_prefect, sandbox_settings
from cli.server import migrate, server_app
from cli.site import site_app
from cli.supervision import complaint_app, inspection_app
from cli.workdays import workdays_app

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DROP = REPO_ROOT / "data" / "sample-drop"

app = typer.Typer(
    help="晋城市社会环境监测机构信用风险评价：评价 → 公示与异议 → 确定、公布与共享 → 监督检查。",
    no_args_is_help=True,
    add_completion=False,
)
@app.command(rich_help_panel=PANEL_EVALUATE)
def evaluate(
    drop: Annotated[Path, typer.Option("--drop", help="数据来源：CSV 文件夹、.xlsx 工作簿或 SQL 数据源 .yaml")],
    year: Annotated[int, typer.Option("--year", help="评价年度（评价期为该自然年），如 2025")],
    as_of: Annotated[str, typer.Option("--as-of", metavar="YYYY-MM-DD", help="YYYY-MM-DD：评价基准日（评价期之后）")],
    out: Annotated[Path, typer.Option("--out", help="输出文件夹")],
    index_version: Annotated[str | None, typer.Option(
        "--index-version", help="指标体系版本（默认：该年度施行的版本）")] = None,
    db: DbOption = None,
    by: ByOption = None,
    debug: DebugOption = False,
) -> None:
    """年度评价：读取 → 校验 → 评分 → 保存 → 生成报告；结果状态为“已评分”（scored）。"""
    run_guarded(lambda: _evaluate(drop, year, parse_day(as_of, "--as-of"), out, index_version, db, by), debug)


def _evaluate(drop: Path, year: int, as_of: date, out: Path, index_version: str | None, db: str | None,
              by: str | None) -> None:
    if not drop.exists():
        raise BadInput(f"--drop {drop}：文件或文件夹不存在")
    out_dir(out)
    outcome = run_annual_evaluation(drop, year, as_of, out, index_version, db, by)
    print_outcome(outcome, out)


def run_annual_evaluation(drop: Path, year: int, as_of: date, out: Path, index_version: str | None,
                          db: str | None, by: str | None) -> dict:
    """The flow, in Prefect's ephemeral mode unless PREFECT_API_URL names a server."""
    import os

    os.environ.setdefault("CREDIT_PROGRESS", "1")
    from tasks.gx import import_gx  # stdlib only until called

    prepare_prefect(preload=(import_gx,))  # the validate step imports GX: done while the API starts
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
    typer.echo(f"{summary['year']}年度评价，评价基准日 {summary['as_of']}，指标体系 {summary['index_version']}")
    typer.echo(f"数据快照 {summary['snapshot']}")
    for row in summary["counts"]:
        typer.echo(f"  {row['file']}：读入 {row['read']} 行，接收 {row['accepted']} 行，隔离 {row['quarantined']} 行")
    grades = "，".join(f"{g}级 {n} 家" for g, n in summary["grades"].items()) or "无"
    typer.echo(f"机构：{_statuses(summary['statuses'])}；等级：{grades}；提示 {summary['warnings']} 条")
    typer.echo(f"已保存：新增 {saved.new} 个、变更 {saved.changed} 个、未变 {saved.unchanged} 个评价结果")
    typer.echo(f"输出文件夹：{out.resolve()}")


STATUS_NAMES = {"rated": "评定等级", "not_rated": "不予评定等级"}


def _statuses(statuses: object) -> str:
    """`{"rated": 29, "not_rated": 1}` in words; anything else as it came."""
    if not isinstance(statuses, dict):
        return str(statuses)
    return "，".join(f"{STATUS_NAMES.get(k, k)} {v} 家" for k, v in statuses.items())


DEMO_MARKER = ".credit-demo"  # written into a demo folder with its outputs: what tells it is the demo's own
DEMO_SANDBOX = ".sandbox"  # the demo's own store (credit.db) and var folder, inside its output folder
DEMO_KEEP = (Path(DEMO_SANDBOX) / "var" / "prefect",)  # Prefect's local state survives a rerun: faster start


@app.command(rich_help_panel=PANEL_EVALUATE)
def demo(
    out: Annotated[Path, typer.Option("--out", help="输出文件夹：新的、空的，或以前演示的输出（先清空）")] = REPO_ROOT / "out" / "demo",
    debug: DebugOption = False,
) -> None:
    """演示：在独立沙盒中用自带样例数据（2025年度，基准日 2026-01-20）运行全年流程。

    演示的存储与 var 文件夹在 `<out>/.sandbox/` 中：不使用 CREDIT_DB_URL 与 CREDIT_VAR_DIR，
    不会改动已配置的存储（CLI.md）。
    """
    def action() -> None:
        folder = prepare_demo_folder(out)
        sandbox = folder / DEMO_SANDBOX
        db_url = f"sqlite:///{sandbox / 'credit.db'}"
        with sandbox_settings(var_dir=sandbox / "var", db_url=db_url):
            _evaluate(SAMPLE_DROP, 2025, date(2026, 1, 20), folder, None, db_url, "demo")
        typer.echo(f"演示沙箱存储：{sandbox / 'credit.db'}（未使用配置的存储）")
        typer.echo(f"打开 {folder / 'publicity.html'} 和 {folder / 'run-summary.html'} 查看")

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


# Registered in the order of the procedure (issue 12 item 1), after `evaluate` and `demo` above: typer lists
# the panels as they first appear.
app.command(rich_help_panel=PANEL_EVALUATE)(rescore)
app.add_typer(objection_app, name="objection", rich_help_panel=PANEL_PUBLICITY)
app.command("serious-event", rich_help_panel=PANEL_PUBLICITY)(serious_event)
app.command(rich_help_panel=PANEL_PUBLICITY)(publicize)
app.command(rich_help_panel=PANEL_PUBLISH)(advance)
app.add_typer(cycle_app, name="cycle", rich_help_panel=PANEL_PUBLISH)
app.add_typer(site_app, name="site", rich_help_panel=PANEL_PUBLISH)
app.command(rich_help_panel=PANEL_SUPERVISION)(plan)
app.command("registry-changes", rich_help_panel=PANEL_SUPERVISION)(registry_changes)
app.add_typer(inspectors_app, name="inspectors", rich_help_panel=PANEL_SUPERVISION)
app.add_typer(inspection_app, name="inspection", rich_help_panel=PANEL_SUPERVISION)
app.add_typer(complaint_app, name="complaint", rich_help_panel=PANEL_SUPERVISION)
app.add_typer(workdays_app, name="workdays", rich_help_panel=PANEL_TOOLS)
audit_app = typer.Typer(help="审计日志：谁、何时、做了什么、变更前后（第二十一条）；audit verify 校验其哈希链。")
audit_app.callback(invoke_without_command=True)(audit_group)
audit_app.command("verify")(audit_verify)
app.add_typer(audit_app, name="audit", rich_help_panel=PANEL_TOOLS)
app.command(rich_help_panel=PANEL_TOOLS)(letters)
app.add_typer(server_app, name="server", rich_help_panel=PANEL_TOOLS)
app.command(rich_help_panel=PANEL_TOOLS)(migrate)

from cli.verify import verify  # noqa: E402 - issue 11 item 7: `credit verify`

app.command(rich_help_panel=PANEL_TOOLS)(verify)

from cli.notices import notices  # noqa: E402 - issue 13: `credit notices`

app.command(rich_help_panel=PANEL_PUBLICITY)(notices)


def main() -> None:  # pragma: no cover - console entry point
    exit_without_teardown(lambda: app(prog_name="credit"))  # cli/runtime.py: 1-3 s of module teardown skipped


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
