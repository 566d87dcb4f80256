"""`credit rescore`: ad-hoc re-scoring (its flow) and what-if comparison (read only, no Prefect) (第十五条)."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from cli.common import ByOption, DbOption, DebugOption, parse_day, run_guarded, today


def rescore(
    year: Annotated[int, typer.Option("--year", help="评价年度，如 2025")],
    institution: Annotated[str | None, typer.Option("--institution", help="只重新评价该机构（统一社会信用代码）")] = None,
    index_version: Annotated[str | None, typer.Option(
        "--index-version", help="使用的指标体系版本（默认：该周期自己的版本）")] = None,
    what_if: Annotated[str | None, typer.Option(
        "--what-if", help="与该指标体系版本比较等级变化，不作任何更改")] = None,
    on: Annotated[str | None, typer.Option("--on", metavar="YYYY-MM-DD", help="YYYY-MM-DD：结果变更后重新公示的开始日期（默认今天）")] = None,
    recorded: Annotated[bool, typer.Option("--recorded-events", help="先纳入评价后核实的检查发现问题和投诉")] = False,
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """依周期自己的数据快照重新评价，或比较两个指标体系版本（第十五条）。"""
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
            typer.echo(f"{year}年度：数据快照 {report['new_snapshot'] or '未变（评价后没有新记录的信用事件）'}")
        typer.echo(f"{year}年度：按 {report['index_version']} 重新评价；结果变更："
                   f"{'、'.join(report['changed']) or '无（输入相同，结果相同）'}")

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
    import io

    from rich.console import Console
    from rich.table import Table

    console = Console(file=io.StringIO(), record=True, width=120)  # printed once, by the caller
    table = Table("原等级", "新等级", "机构数", title=f"{report.base} → {report.other}")
    for row in report.migrations:
        table.add_row(row["from"], row["to"], str(row["institutions"]))
    console.print(table)
    changed = Table("机构", "名称", "原等级", "新等级", "得分", "原因", title="等级变化")
    for row in report.changed:
        changed.add_row(row["institution_id"], row["name"], row["from"], row["to"],
                        f"{row['score_from']} → {row['score_to']}", row["why_words"])
    console.print(changed)
    return console.export_text()
