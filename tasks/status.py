"""`cycle status`: stage, results by state, objections, open deadlines with working days left, and everything
overdue — review (第十九条), determination and publication (第二十条) — with how many working days late (CLI.md).

A read-only use case over a unit of work. The JSON keys stay English and stable (CLI.md `cycle status
--json`); the Chinese an officer reads is in `status_text`, states by credit.lifecycle.STATE_NAMES.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from credit.calendar import WorkCalendar
from credit.lifecycle import (
    DETERMINED,
    IN_PUBLICITY,
    PUBLISHED,
    SCORED,
    STATE_NAMES,
    UNDER_REVIEW,
    ObjectionView,
    Procedure,
    ResultDates,
    Suspension,
    next_state,
    review_deadline,
)
from credit.rules import Rules
from tasks.county import checked_county
from tasks.integrity import require_intact_audit
from tasks.notice_status import notice_counts
from tasks.recorded import as_row, recorded_event_rows, snapshot_event_rows

# What each deadline is, in the regulation's words (`kind` in the JSON)
KIND_NAMES = {
    "publicity": "公示期满（第十八条）", "review": "异议复核期限（第十九条）", "determination": "确定评价结果（第二十条）",
    "publication": "公布期限（第二十条）", "sharing": "共享期限（第二十条）",
}
DONE_NAMES = {"publication": "实际公布日期", "sharing": "实际共享日期", "review": "实际作出复核决定日期"}
GROUP_NAMES = 3  # a group of deadlines names this many institutions, then says how many in all


@dataclass(frozen=True)
class StatusInput:
    """Which cycle, counted from which day, and (R-01) which county's institutions, if only one."""

    year: int
    as_of: date
    county: str | None = None


@dataclass(frozen=True)
class CycleStatus:
    """CLI.md `cycle status --json`: scores as one-decimal strings, absent dates null."""

    year: int
    as_of: str
    stage: str
    counts: dict[str, int]
    results: list[dict[str, Any]]
    objections: list[dict[str, Any]]
    recorded_events_since: list[str]
    deadlines: list[dict[str, Any]]
    overdue: list[dict[str, Any]]
    county: str | None = None
    notices: dict[str, int] | None = None  # issue 13: the result notices delivered, failed, to be posted

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def cycle_status(uow, rules: Rules, given: StatusInput) -> CycleStatus:
    """The cycle's state on `as_of`: deadlines of 第十八—二十条 in working days, overdue ones named (R-17)."""
    checked_county(given.county, rules.bureau.counties)  # exit 2 naming --county and the valid ones
    require_intact_audit(uow)  # a tampered audit log is reported, not built on (issue 11 item 8): exit 1
    lifecycle = uow.lifecycle
    cycle = lifecycle.cycle(given.year)
    current = [r for r in lifecycle.current(cycle) if given.county is None or r.county == given.county]
    mine = {r.institution_id for r in current}
    names = {r.institution_id: r.name for r in current}
    stored = [o for o in lifecycle.objections(cycle) if given.county is None or o.institution_id in mine]
    objections = [_objection(o, names, lifecycle.suspensions(o), rules.calendar, rules.procedure) for o in stored]
    views = [ObjectionView(o.institution_id, o.result_version, o.admissible, o.decision, o.decided_on)
             for o in stored]
    deadlines, overdue = _deadlines(current, objections, views, given.as_of, rules)
    return CycleStatus(
        year=given.year, as_of=given.as_of.isoformat(), stage=cycle.stage,
        counts=dict(sorted(Counter(r.state for r in current).items())), results=[_result(r) for r in current],
        objections=objections, recorded_events_since=recorded_since(uow, rules, cycle, mine if given.county else None),
        deadlines=deadlines, overdue=overdue, county=given.county, notices=notice_counts(uow, given.year),
    )


def awaiting_publicity(uow) -> list[int]:
    """The years whose scored results have not entered their publicity yet (第十八条: `credit publicize`)."""
    return [cycle.year for cycle in uow.lifecycle.open_cycles() if cycle.stage == SCORED]


def recorded_since(uow, rules: Rules, cycle, institutions: set[str] | None = None) -> list[str]:
    """Ids of the events the store records now for the period that the cycle's snapshot does not hold as
    they are (recorded or verified since the evaluation): `credit rescore --recorded-events` takes them in.

    Plain rows, no pandas (issue 14: `cycle status` is interactive); the snapshot is read only when the
    store has events for the period.
    """
    now = [r for r in recorded_event_rows(uow, cycle.period_start, cycle.period_end, rules)
           if institutions is None or r.get("institution_id") in institutions]
    if not now:
        return []
    then = snapshot_event_rows(Path(uow.lifecycle.snapshot_path(cycle)))
    held = set() if then is None else set(then)
    return sorted({row["event_id"] for row in now if as_row(row) not in held})


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _result(result) -> dict:
    return {
        "institution_id": result.institution_id, "name": result.name, "county": result.county,
        "state": result.state, "score": None if result.score is None else f"{result.score:.1f}",
        "grade": result.grade, "clause": result.clause, "version": result.version,
        "publicity_on": _iso(result.publicity_on), "publicity_last_day": _iso(result.publicity_last_day),
        "determined_on": _iso(result.determined_on), "publish_by": _iso(result.publish_by),
        "published_on": _iso(result.published_on), "shared_on": _iso(result.shared_on),
    }


def _objection(objection, names: dict[str, str], spans, calendar: WorkCalendar, procedure: Procedure) -> dict:
    review_by = None
    suspended = any(s.end is None for s in spans)
    if objection.admissible:
        review_by = review_deadline(calendar, objection.received_on,
                                    [Suspension(s.start, s.end) for s in spans], procedure)
    return {
        "id": objection.id, "institution_id": objection.institution_id, "name": names.get(objection.institution_id),
        "received_on": objection.received_on.isoformat(), "admissible": objection.admissible,
        "reason": objection.reason, "review_by": _iso(review_by), "suspended": suspended,
        "decision": objection.decision, "decided_on": _iso(objection.decided_on),
    }


def _deadlines(results, objections: list[dict], views: list[ObjectionView], as_of: date,
               rules: Rules) -> tuple[list[dict], list[dict]]:
    """Open deadlines (working days left from as_of), and every deadline passed: not met, or met late."""
    calendar = rules.calendar
    open_: list[dict] = []
    overdue: list[dict] = []

    def deadline(kind: str, what: str, institution: tuple[str, str | None], day: date, done_on: date | None = None,
                 **extra: str) -> None:
        item = {"what": what, "kind": kind, "institution_id": institution[0], "name": institution[1],
                "date": day.isoformat(), "deadline": day.isoformat(), **extra}
        if done_on is None and day >= as_of:
            open_.append(item | {"working_days_left": calendar.working_days_between(as_of, day)})
        elif done_on is None:
            late = calendar.working_days_between(day, as_of)
            overdue.append(item | {"working_days_left": -late, "done_on": None, "days_late": late})
        elif done_on > day:
            overdue.append(item | {"done_on": done_on.isoformat(),
                                   "days_late": calendar.working_days_between(day, done_on)})

    for r in results:
        held = (r.institution_id, r.name)
        if r.state in (IN_PUBLICITY, UNDER_REVIEW):
            if r.publicity_last_day and r.publicity_last_day >= as_of:
                deadline("publicity", "publicity ends", held, r.publicity_last_day)
            changes = next_state(ResultDates.of(r), views, as_of, calendar, rules.procedure)
            due = changes["determined_on"] if changes and changes["state"] == DETERMINED else None
            if isinstance(due, date) and due < as_of:  # determinable since `due`: no advance has run since
                deadline("determination", "determine", held, due)
        if r.state == DETERMINED and r.publish_by:
            deadline("publication", "publish by", held, r.publish_by)
        if r.published_on and r.publish_by:
            deadline("publication", "published late", held, r.publish_by, r.published_on)
        if r.state == PUBLISHED and r.publish_by:
            deadline("sharing", "share by", held, r.publish_by)
        if r.shared_on and r.publish_by and (r.published_on or r.shared_on) <= r.publish_by:
            deadline("sharing", "shared late", held, r.publish_by, r.shared_on)
    for o in objections:
        if o["admissible"] and o["review_by"]:
            what = f"review objection {o['id']}" if o["decision"] is None else f"objection {o['id']} reviewed late"
            decided = date.fromisoformat(o["decided_on"]) if o["decided_on"] else None
            deadline("review", what, (o["institution_id"], o["name"]), date.fromisoformat(o["review_by"]), decided,
                     objection_id=o["id"])
    return open_, overdue


# ---- what an officer reads -------------------------------------------------------------------------------


def kind_label(item: dict) -> str:
    """The deadline in words: the objection's number for a review."""
    if item.get("kind") == "review" and item.get("objection_id"):
        return f"异议{item['objection_id']}复核期限（第十九条）"
    return KIND_NAMES.get(item.get("kind", ""), item["what"])


def who(item: dict) -> str:
    """An institution: its name beside its id."""
    return f"{item['name']}（{item['institution_id']}）" if item.get("name") else item["institution_id"]


def grouped(items: list[dict], keys: tuple[str, ...]) -> list[tuple[dict, list[dict]]]:
    """Rows of the same deadline (same kind, date and outcome) together, in their first order."""
    groups: dict[tuple, list[dict]] = {}
    for item in items:
        groups.setdefault((kind_label(item), *(item.get(k) for k in keys)), []).append(item)
    return [(rows[0], rows) for rows in groups.values()]


def institutions(rows: list[dict], sep: str = "、") -> str:
    """Up to GROUP_NAMES institutions by name and id, then how many in all."""
    named = sep.join(who(r) for r in rows[:GROUP_NAMES])
    if len(rows) <= GROUP_NAMES:
        return named
    return f"{named}{'' if sep == '、' else sep}等{len(rows)}家"


def overdue_line(item: dict, rows: list[dict] | None = None) -> str:
    """An overdue deadline in a sentence, for `item` or the `rows` of its group: the deadline and the day it
    was met (or that it is not met yet), each named, and how many working days late."""
    year = f"{item['year']}年度 " if item.get("year") else ""
    head = f"{year}{institutions(rows or [item])}：{kind_label(item)} {item['date']}"
    if item.get("done_on"):
        done = DONE_NAMES.get(item.get("kind", ""), "完成日期")
        return f"{head}，{done} {item['done_on']}，逾期{item['days_late']}个工作日"
    return f"{head}，尚未完成，已逾期{item['days_late']}个工作日"


def status_text(report: dict) -> str:
    """The report as an officer reads it, printed once: counts, objections, open deadlines, what is overdue."""
    import io

    from rich.console import Console
    from rich.table import Table

    out = io.StringIO()
    console = Console(file=out, width=120, no_color=True, highlight=False)
    county = f"，{report['county']}" if report.get("county") else ""
    console.print(f"{report['year']}年度信用风险评价 — 阶段：{STATE_NAMES.get(report['stage'], report['stage'])}"
                  f" — 统计日期 {report['as_of']}{county}")
    counts = Table("状态", "评价结果数", title="评价结果（按状态）")
    for state, n in report["counts"].items():
        counts.add_row(STATE_NAMES.get(state, state), str(n))
    console.print(counts)
    if report["objections"]:
        table = Table("异议编号", title="异议")
        table.add_column("机构", overflow="fold")
        for heading in ("收到日期", "受理", "复核期限", "复核决定", "决定日期"):
            table.add_column(heading)
        for o in report["objections"]:
            review_by = "中止计算（现场核查中）" if o.get("suspended") else (o["review_by"] or "—")
            table.add_row(o["id"], who(o), o["received_on"], "是" if o["admissible"] else f"否：{o['reason'] or ''}",
                          review_by, _decision(o["decision"]), o["decided_on"] or "—")
        console.print(table)
    else:
        console.print("异议：无")
    if report["deadlines"]:
        table = Table("事项", "期限", "剩余工作日", "数量", title="未到期的期限")
        table.add_column("机构", overflow="fold")
        for first, rows in grouped(report["deadlines"], ("date",)):
            table.add_row(kind_label(first), first["date"], str(first["working_days_left"]), str(len(rows)),
                          institutions(rows, "\n"))
        console.print(table)
    else:
        console.print("未到期的期限：无")
    if report["overdue"]:
        table = Table("事项", "期限", "实际完成日期", "逾期工作日", "数量", title="已逾期")
        table.add_column("机构", overflow="fold")
        for first, rows in grouped(report["overdue"], ("date", "done_on", "days_late")):
            table.add_row(kind_label(first), first["date"], first.get("done_on") or "尚未完成",
                          str(first["days_late"]), str(len(rows)), institutions(rows, "\n"))
        console.print(table)
    else:
        console.print("已逾期：无")
    notices = report.get("notices")
    if notices and notices["notices"]:
        console.print(f"结果告知书：共 {notices['notices']} 份；已发送 {notices['delivered']}，发送失败 {notices['failed']}，"
                      f"待邮寄 {notices['to_post']}，尚未发送 {notices['not_sent_yet']}"
                      + ("（发送失败的请检查邮件服务器后运行 credit notices --year " + str(report["year"]) + "）"
                         if notices["failed"] else ""))
    events = report["recorded_events_since"]
    if events:
        console.print(f"有{len(events)}条已记录的信用事件尚未纳入本年度评分（{'、'.join(events[:5])}）："
                      f"请运行 credit rescore --year {report['year']} --recorded-events")
    return out.getvalue().rstrip("\n")


def _decision(decision: str | None) -> str:
    from reports.names import DECISIONS

    return "—" if decision is None else DECISIONS[decision][0] if decision in DECISIONS else decision
