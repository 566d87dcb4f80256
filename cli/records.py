"""`credit audit` and `credit letters`: the records an officer looks up (R-21; 第十条, 第十九条, 第二十条).

Read-only: each command resolves the store and the rules once and calls its use case (tasks/records.py)
in a reading unit of work, without Prefect.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.common import DbOption, DebugOption, parse_day, run_guarded, today

JsonOption = Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象（键名为英文）")]
YearOption = Annotated[int, typer.Option("--year", help="评价年度，如 2025")]


def _rules(year: int):
    from credit.rules import rules_for_year
    from store.settings import get_settings

    return rules_for_year(year, rules_dir=get_settings().rules_dir)


def _letters_folder():
    from store.settings import get_settings
    from tasks.objections import Filing

    return Filing.under(get_settings().var_dir).letters


def _read(db: str | None, command: str, work):
    """`work(uow)` in a reading unit of work of the store at `db` (default: the settings)."""
    from store.uow import open_store

    with open_store(db, run=f"credit {command}").unit_of_work(write=False) as uow:
        return work(uow)


def audit(
    year: Annotated[int | None, typer.Option(
        "--year", help="评价年度：只列该周期的记录（周期、评价结果、共享、异议、第十七条情形，"
                       "以及该年的监督检查、检查发现问题与投诉）")] = None,
    institution: Annotated[str | None, typer.Option(
        "--institution", help="统一社会信用代码：只列该机构的记录")] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="YYYY-MM-DD", help="YYYY-MM-DD：只列该日（北京时间）起的记录")] = None,
    db: DbOption = None, as_json: JsonOption = False, debug: DebugOption = False,
) -> None:
    """审计日志：谁、何时（北京时间）、做了什么、变更前 → 变更后（R-21）。"""
    def action() -> None:
        from tasks.records import AuditInput, audit_log

        given = AuditInput(year, institution, parse_day(since, "--since") if since else None)
        rules = _rules(year or today().year)
        report = _read(db, "audit", lambda uow: audit_log(uow, rules, given))
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2) if as_json else _audit_text(report))

    run_guarded(action, debug)


def _audit_text(report) -> str:
    given = report.given
    scope = "，".join(part for part in (
        f"{given.year}年度" if given.year else "", f"机构 {given.institution_id}" if given.institution_id else "",
        f"{given.since} 起" if given.since else "") if part)
    lines = [f"审计日志{'（' + scope + '）' if scope else ''}：共 {len(report.lines)} 条"]
    for line in report.lines:
        lines.append(f"#{line.id}  {line.at:%Y-%m-%d %H:%M:%S}  {line.by}")
        lines.append(f"    {_entity(line.entity)} {line.entity_id}：{line.what}")
        if line.why:
            lines.append(f"    事由：{line.why}")
        lines += [f"    {c.label}：{c.before} → {c.after}" for c in line.changes]
    return "\n".join(lines)


def _entity(entity: str) -> str:
    from tasks.records import ENTITY_NAMES

    return ENTITY_NAMES.get(entity, entity)


def letters(
    year: YearOption, db: DbOption = None, as_json: JsonOption = False, debug: DebugOption = False,
) -> None:
    """本年度发出的函件与文书：视为无异议告知书、复核意见告知书、第十条书面告知书和约见谈话通知书、共享函，附编号与文件。"""
    def action() -> None:
        from tasks.records import LettersInput, letters_issued

        given, rules = LettersInput(year, _letters_folder()), _rules(year)
        report = _read(db, "letters", lambda uow: letters_issued(uow, rules, given))
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2) if as_json else _letters_text(report))

    run_guarded(action, debug)


def _letters_text(report) -> str:
    lines = [f"{report.year}年度发出的函件与文书：共 {len(report.letters)} 件"]
    for letter in report.letters:
        who = " ".join(x for x in (letter.institution_name, letter.institution_id) if x) or "市场监管部门"
        missing = "" if letter.exists else "（文件缺失）"
        lines.append(f"{letter.issued_on}  {letter.title}  {letter.number}  {who}")
        lines.append(f"    文件：{letter.path or '—'}{missing}")
    return "\n".join(lines)
