"""`credit inspection …` and `credit complaint …`: supervision records (第七—十条, 第十三条; R-06, R-07, R-09).

Single-record actions and imports: each command resolves the store and the rules once and calls its use
case (tasks/supervision.py, tasks/supervision_import.py) in one unit of work; no Prefect.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import ByOption, DbOption, DebugOption, out_dir, parse_day, run_guarded, today

inspection_app = typer.Typer(help="监督检查：检查记录、发现问题与处理措施（第七—十条）。",
                             no_args_is_help=True)
complaint_app = typer.Typer(help="投诉：12345热线或书面投诉（第十三条）。", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象（键名为英文）")]
OutOption = Annotated[Path | None, typer.Option("--out", help="处理措施文书的输出文件夹（默认：<var>/measures）")]


def _actor(by: str | None, why: str):
    from store.lifecycle import Actor

    return Actor(by or getpass.getuser(), datetime.now(UTC), why)


def _documents(out: Path | None) -> Path:
    from store.settings import get_settings

    return out_dir(out) or get_settings().var_dir / "measures"


def _rules(day: date):
    """The rules in force for the period of `day` (the record's own date): read once per command."""
    from credit.rules import rules_for_year
    from store.settings import get_settings

    return rules_for_year(day.year, rules_dir=get_settings().rules_dir)


def _in_store(db: str | None, command: str, work: Callable[[Any], Any], write: bool = True) -> Any:
    """`work(uow)` in one unit of work of the store at `db` (default: the settings): committed, or nothing."""
    from store.uow import open_store

    with open_store(db, run=f"credit {command}").unit_of_work(write=write) as uow:
        return work(uow)


def _show(report: dict, as_json: bool, line: str) -> None:
    typer.echo(json.dumps(report, ensure_ascii=False, sort_keys=True, default=str) if as_json else line)


def _registry_note(report: dict) -> None:
    if not report["in_registry"]:
        typer.echo(f"提示：{report['institution_id']} 不在存储的名录中（已登记；计入检查计划）", err=True)


@inspection_app.command("add")
def add_inspection(
    institution: Annotated[str, typer.Option("--institution", help="统一社会信用代码")],
    on: Annotated[str, typer.Option("--on", metavar="YYYY-MM-DD", help="YYYY-MM-DD：检查日期")],
    method: Annotated[str, typer.Option("--method", help="检查方式（第九条）：off_site | on_site | blind_sample | interlab | "
                                        "report_review | inquiry | records | other")],
    matter: Annotated[list[str], typer.Option("--matter", help="检查事项（第八条，可重复）：personnel_equipment | "
                                              "records_reports | methods_standards | om_procedures | "
                                              "quality_system | other")],
    inspector: Annotated[list[str], typer.Option("--inspector", help="执法检查人员名录中的编号（可重复）")],
    summary: Annotated[str | None, typer.Option("--summary", help="检查情况摘要")] = None,
    inspection_id: Annotated[str | None, typer.Option("--id", help="检查编号（默认 INS-<年度>-<序号>）")] = None,
    name: Annotated[str | None, typer.Option("--name", help="机构名称（默认：登记信息中的名称）")] = None,
    db: DbOption = None, by: ByOption = None, as_json: JsonOption = False, debug: DebugOption = False,
) -> None:
    """登记一次监督检查（第七—九条）。"""
    def action() -> None:
        from tasks.supervision import InspectionInput, add_inspection

        given = InspectionInput(institution, parse_day(on, "--on"), method, tuple(matter), tuple(inspector),
                                summary, inspection_id, name)
        rules, actor = _rules(given.inspected_on), _actor(by, "inspection recorded (第七—九条)")
        report = asdict(_in_store(db, "inspection add", lambda uow: add_inspection(uow, rules, given, actor)))
        _show(report, as_json, f"已登记检查 {report['inspection_id']}：{report['institution_id']}，"
                               f"{report['inspected_on']}，{report['method']}")
        _registry_note(report)

    run_guarded(action, debug)


@inspection_app.command("finding")
def add_finding(
    inspection_id: Annotated[str, typer.Argument(help="检查编号")],
    situation: Annotated[int, typer.Option("--situation", help="第十条 item 1–6")],
    measure: Annotated[str, typer.Option("--measure", help="written_notice (书面告知) | interview (约见谈话)")],
    facts: Annotated[str, typer.Option("--facts", help="发现的问题（事实）")],
    issued: Annotated[str, typer.Option("--issued", metavar="YYYY-MM-DD", help="YYYY-MM-DD：处理措施文书的签发日期")],
    rectify_by: Annotated[str | None, typer.Option("--rectify-by", metavar="YYYY-MM-DD", help="YYYY-MM-DD：整改期限")] = None,
    interview_at: Annotated[str | None, typer.Option("--interview-at", help="约谈时间，如 '2026-03-05 09:30'")] = None,
    place: Annotated[str | None, typer.Option("--place", help="约谈地点")] = None,
    out: OutOption = None, db: DbOption = None, by: ByOption = None, as_json: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """登记第十条检查发现的问题，并生成处理措施文书（书面告知书或约见谈话通知书）。"""
    def action() -> None:
        from tasks.supervision import FindingInput, add_finding

        given = FindingInput(inspection_id, situation, measure, facts, parse_day(issued, "--issued"),
                             parse_day(rectify_by, "--rectify-by") if rectify_by else None, interview_at, place)
        rules, folder, actor = _rules(given.issued_on), _documents(out), _actor(by, "第十条 finding recorded")
        report = asdict(_in_store(db, "inspection finding",
                                  lambda uow: add_finding(uow, rules, given, folder, actor)))
        event = f"核实属实后计入 {report['indicator']}" if report["indicator"] else "不计入信用事件（第五、六条：由名录数据识别）"
        _show(report, as_json, f"已登记问题 {report['finding_id']}（{event}）；{report['document_no']}："
                               f"{report['document_path']}")

    run_guarded(action, debug)


@inspection_app.command("verify")
def verify(
    finding_id: Annotated[str, typer.Argument(help="问题编号（INS-…-n）")],
    on: Annotated[str, typer.Option("--on", metavar="YYYY-MM-DD", help="YYYY-MM-DD：核实问题（属实或不属实）的日期")],
    outcome: Annotated[str, typer.Option("--outcome", help="核实结果：verified（属实）| not_verified（不属实）")] = "verified",
    decided: Annotated[str | None, typer.Option("--decided", metavar="YYYY-MM-DD", help="YYYY-MM-DD：处理决定日期（默认：检查日期）")]
    = None,
    note: Annotated[str | None, typer.Option("--note", help="备注")] = None,
    db: DbOption = None, by: ByOption = None, as_json: JsonOption = False, debug: DebugOption = False,
) -> None:
    """登记检查发现问题的核实结果；属实的计入信用事件。"""
    def action() -> None:
        from tasks.supervision import OutcomeInput, verify_finding

        given = OutcomeInput(finding_id, parse_day(on, "--on"), outcome, note,
                             parse_day(decided, "--decided") if decided else None)
        rules, actor = _rules(given.on), _actor(by, "finding verified (第十四条: 经核实)")
        report = asdict(_in_store(db, "inspection verify", lambda uow: verify_finding(uow, rules, given, actor)))
        _show(report, as_json, _event_line(finding_id, report))

    run_guarded(action, debug)


def _event_line(record_id: str, report: dict) -> str:
    event = report["event"]
    if event is None or event["verified"] != "true":
        return f"{record_id}：{_outcome(report['outcome'])}；不计入信用事件（已登记，不计分）"
    return (f"{record_id}：{_outcome(report['outcome'])}；信用事件 {event['event_id']} {event['indicator']}，"
            f"处理决定日期 {event['decided_on']}，计入 {event['decided_on'][:4]} 年度的评价")


OUTCOME_NAMES = {"verified": "属实", "not_verified": "不属实", "unfounded": "不属实", "pending": "待核实"}


def _outcome(code: str) -> str:
    """An outcome as a person reads it, with its code: 属实（verified）."""
    return f"{OUTCOME_NAMES[code]}（{code}）" if code in OUTCOME_NAMES else code


@inspection_app.command("import")
def import_inspections(
    inspections: Annotated[Path, typer.Option("--inspections", help="检查记录文件 inspections.csv")],
    findings: Annotated[Path | None, typer.Option("--findings", help="检查发现问题文件 findings.csv")] = None,
    out: OutOption = None, db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """导入检查记录与发现问题（全部登记或全部不登记），生成处理措施文书。"""
    def action() -> None:
        from tasks.supervision_import import InspectionImport, import_inspections

        given = InspectionImport(inspections, findings, _documents(out))
        rules, actor = _rules(today()), _actor(by, f"inspections from {inspections.name}")
        report = asdict(_in_store(db, "inspection import",
                                  lambda uow: import_inspections(uow, rules, given, actor)))
        typer.echo(f"已登记检查 {report['inspections']} 项（另有 {report['unchanged']} 项此前已登记），"
                   f"发现问题 {report['findings']} 项")
        for path in report["documents"]:
            typer.echo(f"  {path}")

    run_guarded(action, debug)


@complaint_app.command("add")
def add_complaint(
    institution: Annotated[str, typer.Option("--institution", help="统一社会信用代码")],
    channel: Annotated[str, typer.Option("--channel", help="投诉渠道：hotline_12345（12345热线）| written（书面）")],
    received: Annotated[str, typer.Option("--received", metavar="YYYY-MM-DD", help="YYYY-MM-DD：收到投诉的日期")],
    summary: Annotated[str, typer.Option("--summary", help="投诉内容摘要")],
    complainant: Annotated[str | None, typer.Option("--complainant", help="投诉人")] = None,
    complaint_id: Annotated[str | None, typer.Option("--id", help="投诉编号（默认 CMP-<年度>-<序号>）")] = None,
    db: DbOption = None, by: ByOption = None, as_json: JsonOption = False, debug: DebugOption = False,
) -> None:
    """登记投诉（第十三条）；核查属实后才计入评价。"""
    def action() -> None:
        from tasks.supervision import ComplaintInput, add_complaint

        given = ComplaintInput(institution, channel, parse_day(received, "--received"), summary, complainant,
                               complaint_id)
        rules, actor = _rules(given.received_on), _actor(by, "complaint received (第十三条)")
        report = asdict(_in_store(db, "complaint add", lambda uow: add_complaint(uow, rules, given, actor)))
        _show(report, as_json, f"已登记投诉 {report['complaint_id']}（{report['channel_name']}），待核查")
        _registry_note(report)

    run_guarded(action, debug)


@complaint_app.command("decide")
def decide(
    complaint_id: Annotated[str, typer.Argument(help="投诉编号")],
    on: Annotated[str, typer.Option("--on", metavar="YYYY-MM-DD", help="YYYY-MM-DD：核查结束的日期")],
    outcome: Annotated[str, typer.Option("--outcome", help="核查结果：verified（属实）| unfounded（不属实）")],
    decided: Annotated[str | None, typer.Option("--decided", metavar="YYYY-MM-DD", help="YYYY-MM-DD：处理决定日期（默认：--on）")] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注")] = None,
    db: DbOption = None, by: ByOption = None, as_json: JsonOption = False, debug: DebugOption = False,
) -> None:
    """登记投诉核查结果：属实（JY-02 信用事件）或不属实（不计分）。"""
    def action() -> None:
        from tasks.supervision import OutcomeInput, decide_complaint

        given = OutcomeInput(complaint_id, parse_day(on, "--on"), outcome, note,
                             parse_day(decided, "--decided") if decided else None)
        rules, actor = _rules(given.on), _actor(by, "complaint verified (第十三条)")
        report = asdict(_in_store(db, "complaint decide", lambda uow: decide_complaint(uow, rules, given, actor)))
        _show(report, as_json, _event_line(complaint_id, report))

    run_guarded(action, debug)


@complaint_app.command("import")
def import_complaints(
    file: Annotated[Path, typer.Option("--file", help="投诉记录文件 complaints.csv")],
    db: DbOption = None, by: ByOption = None, debug: DebugOption = False,
) -> None:
    """导入投诉记录（全部登记或全部不登记）。"""
    def action() -> None:
        from tasks.supervision_import import ComplaintImport, import_complaints

        given, rules, actor = ComplaintImport(file), _rules(today()), _actor(by, f"complaints from {file.name}")
        report = asdict(_in_store(db, "complaint import", lambda uow: import_complaints(uow, rules, given, actor)))
        typer.echo(f"已登记投诉 {report['complaints']} 项（另有 {report['unchanged']} 项此前已登记）")

    run_guarded(action, debug)


def _listing(year: int, db: str | None, as_json: bool, debug: bool, what: str) -> None:
    def action() -> None:
        from tasks.supervision import supervision_list

        report = asdict(_in_store(db, f"{what[:-1]} list", lambda uow: supervision_list(uow, year), write=False))
        if as_json:
            typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
            return
        for line in (_inspection_lines(report) if what == "inspections" else _complaint_lines(report)):
            typer.echo(line)

    run_guarded(action, debug)


def _inspection_lines(report: dict) -> list[str]:
    lines = [f"{report['year']}年度：检查 {len(report['inspections'])} 项"]
    for i in report["inspections"]:
        lines.append(f"{i['id']}  {i['inspected_on']}  {i['institution_id']}  {i['name'] or ''}  {i['method']}")
        lines += [f"    {f['id']}  第十条({f['situation']})  {f['measure']}  {f['document_no']}  {_outcome(f['outcome'])}"
                  for f in i["findings"]]
    return lines


def _complaint_lines(report: dict) -> list[str]:
    lines = [f"{report['year']}年度：投诉 {len(report['complaints'])} 项"]
    lines += [f"{c['id']}  {c['received_on']}  {c['institution_id']}  {c['channel']}  {_outcome(c['outcome'])}"
              for c in report["complaints"]]
    return lines


@inspection_app.command("list")
def list_inspections(
    year: Annotated[int, typer.Option("--year", help="检查日期所在年度，如 2026")],
    db: DbOption = None, as_json: JsonOption = False, debug: DebugOption = False,
) -> None:
    """某年度的监督检查及其发现问题、处理措施与核实结果。"""
    _listing(year, db, as_json, debug, "inspections")


@complaint_app.command("list")
def list_complaints(
    year: Annotated[int, typer.Option("--year", help="收到投诉的年度，如 2026")],
    db: DbOption = None, as_json: JsonOption = False, debug: DebugOption = False,
) -> None:
    """某年度的投诉及其核查结果。"""
    _listing(year, db, as_json, debug, "complaints")
