"""Console commands of the 第二十二条 inspection plan: `credit plan` and `credit inspectors import` (CLI.md)."""

from __future__ import annotations

import getpass
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from cli.common import BadInput, ByOption, DbOption, DebugOption, out_dir, parse_day, run_guarded, today
from cli.runtime import no_heartbeat, prepare_prefect

inspectors_app = typer.Typer(help="执法检查人员名录（双随机抽取）。", no_args_is_help=True)


def plan(
    year: Annotated[int, typer.Option("--year", help="计划年度 Y（依据 Y−1 年度已确定的评价结果）")],
    seed: Annotated[str, typer.Option("--seed", help="随机种子：同一种子得到同一计划")],
    out: Annotated[Path, typer.Option("--out", help="输出文件夹")],
    county: Annotated[str | None, typer.Option(
        "--county", help="只写该县（市、区）的计划分册 plan_<县>.xlsx（默认：每个县各一册；R-01）")] = None,
    db: DbOption = None,
    debug: DebugOption = False,
) -> None:
    """第二十二条：依 Y−1 年度已确定的评价结果，按等级抽取 Y 年度的监督检查计划（plan.csv/html/xlsx）。"""
    def action() -> None:
        if not seed.strip():
            raise BadInput("--seed 不能为空：抽取结果由它复现")
        out_dir(out)
        _check_county(year, county)  # before Prefect starts (issue 14 item 3)
        prepare_prefect()
        from flows.plan import plan_flow

        with no_heartbeat():
            report = _bad_input_on_value_error(lambda: plan_flow(year=year, seed=seed, out=str(out), db_url=db,
                                                                 county=county))
        grades = "、".join(f"{f'{g}级' if g else '无评价结果'} {n} 家" for g, n in report["selected"].items())
        typer.echo(f"{year}年度监督检查计划：依据 {report['source_year']} 年度评价结果，随机种子 {report['seed']!r}，"
                   f"抽查规则 {report['rules_version']}：{report['institutions']} 家机构，抽取检查 {report['inspections']} "
                   f"家（{grades}）；其中有投诉经核查属实的 {report['complaints']} 家")
        if report["warning"]:
            typer.echo(f"提醒：{report['warning']}", err=True)
        else:
            typer.echo(f"执法检查人员从 {report['inspectors']} 人的名录中抽取：{report['teams']} 个检查组")
        typer.echo(f"输出文件夹：{out.resolve()}")

    run_guarded(action, debug)


def _check_county(year: int, county: str | None) -> None:
    """R-01: a `--county` must be one of rules/bureau.yaml's counties (exit 2, listing them)."""
    if county is None:
        return
    from credit.rules import rules_for_year
    from store.settings import get_settings
    from tasks.county import checked_county

    checked_county(county, rules_for_year(year, rules_dir=get_settings().rules_dir).bureau.counties)


@inspectors_app.command("import")
def import_inspectors(
    file: Annotated[Path, typer.Option("--file", help="人员名录 CSV：inspector_id, name, unit[, county][, active]")],
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """按 inspector_id 新增或更新执法检查人员（每项变更记入审计日志）。"""
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
        typer.echo(f"{file.name} 中执法检查人员 {report['inspectors']} 人：新增 {report['new']} 人、变更 "
                   f"{report['changed']} 人、未变 {report['unchanged']} 人")

    run_guarded(action, debug)


def _bad_input_on_value_error(call):
    """Roster files and seeds the user can fix, and a roster too small for the draw: exit code 2."""
    from credit.sampling import InspectorDrawError
    from tasks.plan import RosterError

    try:
        return call()
    except (RosterError, InspectorDrawError) as exc:
        raise BadInput(str(exc)) from None


def registry_changes(
    year: Annotated[int, typer.Option("--year", help="被检查数据的评价年度，如 2025")],
    out: Annotated[Path, typer.Option("--out", help="registry_changes.csv 的输出文件夹")],
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD", help="YYYY-MM-DD：计算期限的基准日（默认：今天）")] = None,
    db: DbOption = None, debug: DebugOption = False,
) -> None:
    """第六条：名录信息变更逾期一个月以上才办理或未办理的机构，按县（市、区）列出。"""
    def action() -> None:
        from credit.rules import rules_for_year
        from store.settings import get_settings
        from store.uow import open_store
        from tasks.registry import RegistryChangesInput
        from tasks.registry import registry_changes as run

        out_dir(out)
        given = RegistryChangesInput(year, parse_day(as_of, "--as-of") if as_of else today(), out)
        rules = rules_for_year(year, rules_dir=get_settings().rules_dir)
        with open_store(db, run="credit registry-changes").unit_of_work(write=False) as uow:
            report = run(uow, rules, given)
        typer.echo(f"已写出：{report.path}")

    run_guarded(action, debug)
