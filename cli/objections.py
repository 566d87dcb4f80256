"""`credit objection add | import | suspend | decide | list` and `credit serious-event` (第十九条, 第十七条, CLI.md).

The objection commands are single-record actions: each resolves the store and the rules once and calls
its use case (tasks/objections.py) in one unit of work, without Prefect. `decide` stays one of them:
the decision, its corrections, the re-scored version, its new publicity and the reply letter belong
together in one transaction, and a reviewer waits for it at the terminal. `list` reads the register
(tasks/records.py). What is accepted but late (a decision after its review deadline, an objection to a
result already determined, published or shared) is said on stderr and kept in the audit row.
`serious-event` runs its flow.
"""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from cli.common import BadInput, ByOption, DbOption, DebugOption, parse_day, run_guarded

objection_app = typer.Typer(help="书面异议：登记、现场核查、复核决定与异议登记簿（第十九条）。", no_args_is_help=True)


def _actor(by: str | None, why: str):
    from store.lifecycle import Actor

    return Actor(by or getpass.getuser(), datetime.now(UTC), why)


def _filing():
    from store.settings import get_settings
    from tasks.objections import Filing

    return Filing.under(get_settings().var_dir)


def _rules(year: int):
    from credit.rules import rules_for_year
    from store.settings import get_settings

    return rules_for_year(year, rules_dir=get_settings().rules_dir)


def _for_objection(db: str | None, objection_id: str):
    """The store, and the rules of the year the objection was filed against."""
    from store.uow import open_store
    from tasks.objections import objection_year

    store = open_store(db, run="objection")
    with store.unit_of_work(write=False) as uow:
        year = objection_year(uow, objection_id)
    return store, _rules(year)


@objection_app.command("add")
def add(
    year: Annotated[int, typer.Option("--year", help="被异议结果的评价年度，如 2025")],
    institution: Annotated[str, typer.Option("--institution", help="被评价机构的统一社会信用代码")],
    received: Annotated[str, typer.Option("--received", metavar="YYYY-MM-DD", help="YYYY-MM-DD：收到书面异议的日期")],
    filer_kind: Annotated[str, typer.Option(
        "--filer-kind", help="提出人：institution（被评价机构）| public（公民）| organisation（法人或其他组织）")],
    filer_name: Annotated[str, typer.Option("--filer-name", help="提出人名称")],
    claim: Annotated[str, typer.Option("--claim", help="异议内容")],
    evidence: Annotated[list[Path] | None, typer.Option("--evidence", help="佐证材料文件（可重复）")] = None,
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """登记书面异议：输出编号、是否受理（或视为无异议的理由）与复核期限。"""
    def action() -> None:
        from store.uow import open_store
        from tasks.objections import AddInput, Intake, add_objection

        intake = Intake(year=year, institution_id=institution, received_on=parse_day(received, "--received"),
                        filer_kind=filer_kind, filer_name=filer_name, claim=claim, evidence=tuple(evidence or ()))
        inputs = AddInput(intake, _actor(by, "objection received (第十九条)"), _filing())
        store, rules = open_store(db, run="objection add"), _rules(year)
        with store.unit_of_work() as uow:
            summary = add_objection(uow, rules, inputs)
        _print(summary)

    run_guarded(action, debug)


@objection_app.command("import")
def import_file(
    year: Annotated[int, typer.Option("--year", help="被异议结果的评价年度，如 2025")],
    drop: Annotated[Path, typer.Option("--drop", help="含 objections.csv 的数据文件夹")],
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """登记数据文件夹中 objections.csv 的书面异议（按 objection_id 每件只登记一次，全部登记或全部不登记）。"""
    def action() -> None:
        from store.uow import open_store
        from tasks.objections import ImportInput, import_objections

        inputs = ImportInput(year, drop, _actor(by, "objections.csv (第十九条)"), _filing())
        store, rules = open_store(db, run="objection import"), _rules(year)
        with store.unit_of_work() as uow:
            report = import_objections(uow, rules, inputs)
        for summary in report.recorded:
            _print(summary)
        for row in report.quarantined:
            typer.echo(f"{row['file']} 第{row['row']}行，{row['column']}：{row['reason']}（未登记）", err=True)

    run_guarded(action, debug)


@objection_app.command("suspend")
def suspend(
    objection_id: Annotated[str, typer.Argument(help="异议编号，如 OB202500001")],
    start: Annotated[str, typer.Option("--from", metavar="YYYY-MM-DD", help="YYYY-MM-DD：现场核查或监测的第一天")],
    end: Annotated[str | None, typer.Option("--to", metavar="YYYY-MM-DD", help="YYYY-MM-DD：最后一天（仍在进行时省略）")] = None,
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """登记现场核查或监测期间：其工作日不计入复核期限；未结束的期间使复核计时中止。"""
    def action() -> None:
        from tasks.objections import SuspendInput
        from tasks.objections import suspend as record

        inputs = SuspendInput(objection_id, parse_day(start, "--from"), parse_day(end, "--to") if end else None,
                              _actor(by, "on-site verification (第十九条)"))
        store, rules = _for_objection(db, objection_id)
        with store.unit_of_work() as uow:
            summary = record(uow, rules, inputs)
        _print(summary)

    run_guarded(action, debug)


@objection_app.command("decide")
def decide(
    objection_id: Annotated[str, typer.Argument(help="异议编号，如 OB202500001")],
    on: Annotated[str, typer.Option("--on", metavar="YYYY-MM-DD", help="YYYY-MM-DD：作出复核决定的日期")],
    decision: Annotated[str, typer.Option(
        "--decision", help="upheld（采纳）| partly_upheld（部分采纳）| rejected（维持）")],
    reason: Annotated[str, typer.Option("--reason", help="复核理由")],
    withdraw_event: Annotated[list[str] | None, typer.Option(
        "--withdraw-event", help="撤回的信用事件编号 EVENT_ID（可重复）")] = None,
    set_aside: Annotated[list[str] | None, typer.Option(
        "--set-aside", help="不予采信的扣分 INDICATOR:EVIDENCE，如 YW-04:A2025000000096（可重复）")] = None,
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """作出复核决定：有更正时依原快照重新评分并重新公示；输出原 → 新得分与等级、新的公示期，写出复核意见告知书。"""
    def action() -> None:
        from tasks.objections import DecideInput
        from tasks.objections import decide as record

        pairs = tuple(_pair(item) for item in set_aside or ())
        inputs = DecideInput(objection_id, parse_day(on, "--on"), decision, reason,
                             _actor(by, f"objection {objection_id} decided (第十九条)"), _filing(),
                             withdraw=tuple(withdraw_event or ()), set_aside=pairs)
        store, rules = _for_objection(db, objection_id)
        with store.unit_of_work() as uow:
            report = record(uow, rules, inputs)
        if report.changed:  # issue 13: the changed result's new notice, written and mailed (never raises)
            from flows.notices import notify_institutions

            notify_institutions(store, rules, rules.period_start.year, inputs.on)
        _print_decision(report)

    run_guarded(action, debug)


def _pair(item: str) -> tuple[str, str]:
    indicator, sep, evidence = item.partition(":")
    if not sep or not indicator or not evidence:
        raise BadInput(f"--set-aside {item!r}：应为 INDICATOR:EVIDENCE，如 YW-01:A2025000000120")
    return indicator, evidence


def _print(summary) -> None:
    """One objection: admissible and its review deadline, or deemed no objection and why; warnings on stderr."""
    from reports.names import DECISIONS

    if summary.admissible:
        review = f"复核期限 {summary.review_by}" if summary.review_by else "复核计时中止（现场核查或监测进行中）"
        decided = f"；复核决定：{DECISIONS[summary.decision][0]}" if summary.decision else ""
        typer.echo(f"{summary.id}：已受理，{review}{decided}")
    else:
        typer.echo(f"{summary.id}：视为无异议 — {summary.reason}")
        if summary.letter:
            typer.echo(f"  视为无异议告知书：{summary.letter}")
    _warn(summary.warnings)


def _print_decision(report) -> None:
    """The decision: old → new score and grade and the new publicity, or that the result did not change."""
    from reports.names import DECISIONS

    summary = report.objection
    label, outcome = DECISIONS[summary.decision]
    typer.echo(f"{summary.id}：复核决定 {label}（{outcome}）")
    if report.changed and report.after is not None:
        typer.echo(f"  评价结果：{_result_text(report.before)} → {_result_text(report.after)}"
                   f"（第{report.after.version}版）")
        if report.publicity is not None:
            typer.echo(f"  重新公示：{report.publicity.first_day} 至 {report.publicity.last_day}")
    else:
        typer.echo(f"  结果未变：{_result_text(report.before)}")
    typer.echo(f"  复核意见告知书：{report.letter}")
    _warn(report.warnings)


def _result_text(view) -> str:
    if view is None:
        return "—"
    if view.status != "rated":
        return "不予评定等级"
    clause = f"（第十七条第{view.clause}项）" if view.clause else ""
    return f"{view.score}分 {view.grade}级{clause}"


def _warn(warnings) -> None:
    for warning in warnings:
        typer.echo(f"提示：{warning}", err=True)


@objection_app.command("list")
def register(
    year: Annotated[int, typer.Option("--year", help="评价年度，如 2025")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象（键名为英文）")] = False,
    debug: DebugOption = False,
) -> None:
    """异议登记簿：每件异议的机构、收到日期、受理或视为无异议、复核期限、现场核查、复核决定及其函件。"""
    def action() -> None:
        from store.uow import open_store
        from tasks.records import RegisterInput, objection_register

        given, rules = RegisterInput(year, _filing().letters), _rules(year)
        with open_store(db, run="objection list").unit_of_work(write=False) as uow:
            report = objection_register(uow, rules, given)
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2) if as_json else _register_text(report))

    run_guarded(action, debug)


def _register_text(report) -> str:
    from reports.names import DECISIONS
    from tasks.records import FILER_KINDS

    lines = [f"{report.year}年度异议登记簿：共 {len(report.objections)} 件"]
    for o in report.objections:
        lines.append(f"{o.id}  {o.institution_name or ''}（{o.institution_id}，第{o.result_version}版结果）")
        lines.append(f"    收到 {o.received_on}；提出人：{FILER_KINDS.get(o.filer_kind, o.filer_kind)} {o.filer_name}；"
                     f"佐证材料：{'、'.join(o.evidence) or ('有' if o.has_evidence else '无')}")
        if not o.admissible:
            lines.append(f"    视为无异议：{o.reason}")
        else:
            review = f"复核期限 {o.review_by}" if o.review_by else "复核计时中止（现场核查或监测进行中）"
            spans = "、".join(f"{s} 至 {e or '（进行中）'}" for s, e in o.suspensions)
            lines.append(f"    已受理，{review}" + (f"；现场核查 {spans}" if spans else ""))
            lines.append(f"    复核决定：{DECISIONS[o.decision][0]}（{o.decided_on}）— {o.decision_reason}"
                         if o.decision else "    复核决定：尚未作出")
        lines += [f"    函件：{path}" for path in o.letters]
    return "\n".join(lines)


def serious_event(
    institution: Annotated[str, typer.Option("--institution", help="统一社会信用代码")],
    clause: Annotated[int, typer.Option("--clause", help="第十七条所列情形的项号")],
    decided: Annotated[str, typer.Option("--decided", metavar="YYYY-MM-DD", help="YYYY-MM-DD：判决、处罚或列入名单的日期")],
    verified: Annotated[str, typer.Option("--verified", metavar="YYYY-MM-DD", help="YYYY-MM-DD：生态环境局核实的日期")],
    document: Annotated[str, typer.Option("--document", help="文书编号")],
    year: Annotated[int | None, typer.Option("--year", help="评价年度（默认：该机构最近的周期）")] = None,
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """第十七条实时评价：直接评定等级，撤销已公布的等级，变更结果重新公示。"""
    def action() -> None:
        from cli.runtime import no_heartbeat, prepare_prefect

        prepare_prefect()
        from flows.serious_event import serious_event_flow

        with no_heartbeat():
            summary = serious_event_flow(institution=institution, clause=clause,
                                         decided=parse_day(decided, "--decided"),
                                         verified=parse_day(verified, "--verified"), document=document, year=year,
                                         db_url=db, by=by or getpass.getuser())
        if not summary["changed"]:
            typer.echo(f"{institution}：已是{summary['grade']}级（第十七条第{summary['clause']}项），结果未变")
            return
        revoked = f"；已撤销原{summary['revoked']}级" if summary["revoked"] else ""
        typer.echo(f"{institution}：{summary['grade']}级（第十七条第{summary['clause']}项），第{summary['version']}版"
                   f"{revoked}；变更结果公示至 {summary['publicity_last_day']}")

    run_guarded(action, debug)
