"""Console commands of the procedure after scoring: publicize, advance, cycle status (CLI.md)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import ByOption, DbOption, DebugOption, out_dir, parse_day, run_guarded, today
from cli.runtime import no_heartbeat, prepare_prefect

cycle_app = typer.Typer(help="评价周期的状态。", no_args_is_help=True)


def publicize(
    year: Annotated[int, typer.Option("--year", help="评价年度")],
    on: Annotated[str, typer.Option("--on", metavar="YYYY-MM-DD", help="公示发布日期 YYYY-MM-DD")],
    out: Annotated[Path | None, typer.Option("--out", help="公示文件写入的文件夹")] = None,
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """第十八条：以 --on 为发布日期公示已评分的评价结果，并显示公示期。"""
    def action() -> None:
        from credit.lifecycle import publicity_window
        from credit.rules import rules_for_year
        from store.settings import get_settings

        day = parse_day(on, "--on")
        out_dir(out)
        settings = get_settings()
        rules = rules_for_year(year, rules_dir=settings.rules_dir)
        refuse_example_bureau(rules.bureau)  # issue 12 item 7, before Prefect starts (the flow checks again)
        publicity_window(rules.calendar, day, rules.procedure)  # refuse early: a calendar year not known yet
        prepare_prefect()
        from flows.lifecycle import publicize_flow

        with no_heartbeat():
            window = publicize_flow(year=year, on=day, out=str(out) if out else None,
                                    db_url=db, by=by or getpass.getuser())
        days = rules.procedure.publicity
        typer.echo(f"公示期 {window['first_day']} 至 {window['last_day']}（{days}个工作日）；"
                   f"公示文件已写入 {window['out']}：publicity.html、publicity.csv、publicity.xlsx")

    run_guarded(action, debug)


def refuse_example_bureau(bureau) -> None:
    """Exit code 2 while rules/bureau.yaml still holds the shipped example contacts (credit/rules.py)."""
    from credit.rules import require_filled_bureau
    from store.settings import get_settings

    settings = get_settings()
    require_filled_bureau(bureau, rules_dir=settings.rules_dir, allow_example=settings.allow_example_bureau)


def advance(
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD", help="运行日期 YYYY-MM-DD（默认：北京时间今天）")] = None,
    outbox: Annotated[Path | None, typer.Option("--outbox", help="向市场监管部门共享的数据包文件夹")] = None,
    site: Annotated[Path | None, typer.Option("--site", help="需重建的静态网站文件夹")] = None,
    published: Annotated[Path | None, typer.Option("--published", help="评价结果名单写入的文件夹")] = None,
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """每日推进（第十九、二十条）：公示期满、确定、公布、共享，并重建网站；同一天重复运行结果不变。"""
    def action() -> None:
        for folder, option in ((outbox, "--outbox"), (site, "--site"), (published, "--published")):
            out_dir(folder, option)
        from credit.rules import Bureau
        from store.settings import get_settings

        refuse_example_bureau(Bureau.load(get_settings().rules_dir))  # issue 12 item 7, before Prefect starts
        prepare_prefect()
        from flows.lifecycle import advance_flow

        with no_heartbeat():
            report = advance_flow(as_of=parse_day(as_of, "--as-of") if as_of else today(),
                                  outbox=str(outbox) if outbox else None,
                                  publish_dir=str(published) if published else None, db_url=db,
                                  by=by or getpass.getuser(), site=str(site) if site else None)
        from store.uow import open_store
        from tasks.status import awaiting_publicity

        with open_store(db, run="advance").unit_of_work(write=False) as uow:
            waiting = awaiting_publicity(uow)
        typer.echo(advance_text(report, waiting, str(site) if site else None))
        for line in overdue_lines(report["overdue"]):
            typer.echo(line, err=True)

    run_guarded(action, debug)


@cycle_app.command("status")
def status(
    year: Annotated[int, typer.Option("--year", help="评价年度")],
    as_of: Annotated[str | None, typer.Option("--as-of", metavar="YYYY-MM-DD", help="统计日期 YYYY-MM-DD（默认：今天）")] = None,
    county: Annotated[str | None, typer.Option("--county", help="只看该县（市、区）的机构，如 阳城县（R-01）")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象（键名为英文）")] = False,
    db: DbOption = None, debug: DebugOption = False,
) -> None:
    """评价周期的阶段、各状态结果数、异议、未到期的期限和全部逾期事项（复核、确定、公布）。"""
    def action() -> None:
        from credit.rules import rules_for_year
        from store.settings import get_settings
        from store.uow import open_store
        from tasks.status import StatusInput, cycle_status, status_text

        given = StatusInput(year, parse_day(as_of, "--as-of") if as_of else today(), county or None)
        rules = rules_for_year(year, rules_dir=get_settings().rules_dir)
        with open_store(db, run="cycle status").unit_of_work(write=False) as uow:
            report = cycle_status(uow, rules, given).as_json()
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else status_text(report))

    run_guarded(action, debug)


@cycle_app.command("lists")
def lists(
    year: Annotated[int, typer.Option("--year", help="评价年度")],
    out: Annotated[Path, typer.Option("--out", help="分册写入的文件夹（不存在则创建）")],
    county: Annotated[str | None, typer.Option("--county", help="只导出该县（市、区）的分册（默认：每个县各一册）")] = None,
    db: DbOption = None, debug: DebugOption = False,
) -> None:
    """按县（市、区）导出已公布的评价结果名单分册 final_results_<县>.xlsx，供各分局打印（R-01）。"""
    def action() -> None:
        from credit.rules import rules_for_year
        from store.settings import get_settings
        from store.uow import open_store
        from tasks.extracts import ListsInput, county_lists

        out_dir(out)
        rules = rules_for_year(year, rules_dir=get_settings().rules_dir)
        with open_store(db, run="cycle lists").unit_of_work(write=False) as uow:
            report = county_lists(uow, rules, ListsInput(year, out, county))
        counts = "、".join(f"{c}{n}家" for c, n in report.counties.items())
        typer.echo(f"{year}年度评价结果分册已写入 {out.resolve()}：{counts}")

    run_guarded(action, debug)


# ---- what `advance` prints -------------------------------------------------------------------------------


def advance_text(report: dict, waiting: list[int], site: str | None = None) -> str:
    """What the advance moved, each file it wrote by folder, and the cycles still waiting for their publicity."""
    from credit.lifecycle import STATE_NAMES

    moved = "、".join(f"{STATE_NAMES.get(s, s)}{n}项" for s, n in report["moved"].items())
    lines = [f"每日推进（{report['as_of']}）：{moved or '没有需要推进的评价结果'}"]
    for folder, names in written_by_folder(report["written"], site).items():
        lines.append(f"  已写入 {folder}：{'、'.join(names)}")
    if site is not None and site in report["written"]:
        lines.append(f"  已重建网站：{site}")
    if not report["written"]:
        lines.append("  未写入文件")
    for year in waiting:
        lines.append(f"{year}年度评价结果尚未公示：请先运行 credit publicize --year {year} --on YYYY-MM-DD（第十八条）")
    return "\n".join(lines)


def written_by_folder(written: list[str], site: str | None = None) -> dict[str, list[str]]:
    """The files written, by folder, in the order written (the rebuilt site is said apart)."""
    folders: dict[str, list[str]] = {}
    for path in written:
        if path != site:
            folders.setdefault(str(Path(path).parent), []).append(Path(path).name)
    return folders


def overdue_lines(overdue: list[dict]) -> list[str]:
    """Each overdue deadline in a sentence (stderr), rows of the same deadline together with their count."""
    from tasks.status import grouped, overdue_line

    return [f"  逾期：{overdue_line(first, rows)}" for first, rows in grouped(overdue, ("year", "date", "done_on"))]
