"""Records an officer can find (R-21, 第十九条, 第十条): the audit log read back, the objection register,
and every letter and notice issued for a cycle.

Read-only use cases over a unit of work (`open_store(db).unit_of_work(write=False)`), called by the
commands `credit audit`, `credit objection list` and `credit letters` without Prefect. Which audit lines
belong to a cycle is the rule written once in store/audit.py. What people read is Chinese (the words are
here, states by credit.lifecycle.STATE_NAMES); the JSON keys stay English.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from credit.lifecycle import STATE_NAMES
from credit.rules import Rules
from reports.names import COVER_LETTER, DECISIONS
from tasks.objections import existing_letter, review_by

SHANGHAI = ZoneInfo("Asia/Shanghai")  # when, as the bureau's clock shows it

# ---- the words of the audit log ------------------------------------------------------------------------

ENTITY_NAMES = {
    "cycle": "评价周期", "result": "评价结果", "share": "结果共享", "serious_event": "第十七条情形",
    "objection": "异议", "inspection": "监督检查", "inspection_finding": "检查发现问题", "complaint": "投诉",
    "inspector": "检查人员",
}
ACTION_NAMES = {
    ("cycle", "created"): "建立评价周期（年度评价）",
    ("cycle", "updated"): "更新评价周期（重新评价）",
    ("cycle", "snapshot"): "纳入已记录的信用事件，换用新的数据快照",
    ("result", "new_version"): "形成新版本评价结果",
    ("result", "withdrawn"): "撤回评价结果（重新评价时该机构已不在结果中）",
    ("result", "reinstated"): "恢复评价结果",
    ("share", "shared"): "向市场监管部门共享评价结果（第二十条）",
    ("objection", "received"): "登记书面异议（第十九条）",
    ("objection", "suspension"): "登记现场核查或监测，期间不计入复核期限（第十九条）",
    ("objection", "decided"): "作出复核决定（第十九条）",
    ("inspection", "recorded"): "登记监督检查（第七—九条）",
    ("inspection_finding", "recorded"): "登记第十条情形并出具文书",
    ("inspection_finding", "decided"): "登记检查发现问题的核实结果",
    ("complaint", "recorded"): "登记投诉（第十三条）",
    ("complaint", "decided"): "登记投诉的核实结果",
    ("inspector", "created"): "新增检查人员",
    ("inspector", "changed"): "变更检查人员信息",
}
FIELD_NAMES = {
    "state": "状态", "stage": "阶段", "version": "版本", "status": "评价状态", "name": "机构名称", "county": "县（市、区）",
    "score": "得分", "grade": "等级", "clause": "第十七条情形", "bonus": "加分", "index_version": "指标体系版本",
    "snapshot": "数据快照", "pulled": "原始数据快照", "findings": "扣分事项",
    "publicity_on": "公示开始", "publicity_last_day": "公示截止", "determined_on": "确定日期", "publish_by": "公布期限",
    "published_on": "公布日期", "shared_on": "共享日期", "revoked_on": "撤销日期", "change_reason": "变更原因",
    "institution_id": "机构", "admissible": "是否受理", "reason": "理由", "received_on": "收到日期",
    "from": "核查开始", "to": "核查结束", "decision": "复核决定", "decided_on": "决定日期", "withdraw": "撤回的事件",
    "set_aside": "不予采信的扣分", "warning": "提示", "path": "文件", "digest": "摘要", "decided": "决定日期",
    "verified": "核实日期", "document": "文书", "outcome": "核实结果", "on": "核实日期", "note": "说明",
    "situation": "第十条情形", "indicator": "指标", "measure": "措施", "document_no": "文书编号", "issued_on": "出具日期",
    "inspected_on": "检查日期", "method": "检查方式", "matters": "检查事项", "inspectors": "检查人员",
    "channel": "投诉渠道", "unit": "单位", "active": "在岗", "period_start": "评价期间起", "period_end": "评价期间止",
    "as_of": "评价基准日",
}
FILER_KINDS = {"institution": "被评价机构", "public": "公民", "organisation": "法人或其他组织"}


@dataclass(frozen=True)
class AuditInput:
    year: int | None = None  # the cycle (store/audit.py says which lines are its)
    institution_id: str | None = None
    since: date | None = None  # from 00:00 of this day, Asia/Shanghai


@dataclass(frozen=True)
class Change:
    """One value of an audit line, before → after, as a person reads it."""

    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: datetime  # Asia/Shanghai
    by: str
    entity: str
    entity_id: str
    action: str
    why: str
    what: str  # in Chinese
    changes: list[Change]
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "by": self.by, "entity": self.entity,
                "entity_id": self.entity_id, "action": self.action, "why": self.why, "what": self.what,
                "before": self.before, "after": self.after}


@dataclass(frozen=True)
class AuditReport:
    given: AuditInput
    lines: list[AuditLine]

    def as_json(self) -> dict[str, Any]:
        given = self.given
        return {"year": given.year, "institution_id": given.institution_id,
                "since": given.since.isoformat() if given.since else None,
                "entries": [line.as_json() for line in self.lines]}


def audit_log(uow: Any, rules: Rules | None, given: AuditInput) -> AuditReport:
    """R-21: the audit log, filtered, with who, when (Asia/Shanghai), what in Chinese and before → after."""
    since = datetime.combine(given.since, time(0), SHANGHAI) if given.since else None
    records = uow.audit.find(year=given.year, institution_id=given.institution_id, since=since)
    labels = _labels(rules)
    return AuditReport(given, [
        AuditLine(r.id, r.at.astimezone(SHANGHAI), r.by, r.entity, r.entity_id, r.action, r.why,
                  describe(r.entity, r.action), changes(r.before, r.after, labels), r.before, r.after)
        for r in records
    ])


def describe(entity: str, action: str) -> str:
    """What an audit line records, in Chinese."""
    if (entity, action) in ACTION_NAMES:
        return ACTION_NAMES[entity, action]
    if entity == "cycle" and action in STATE_NAMES:
        return f"评价周期进入“{STATE_NAMES[action]}”阶段"
    if entity == "result" and action in STATE_NAMES:
        return f"评价结果状态变为“{STATE_NAMES[action]}”"
    clause = action.removeprefix("clause ")
    if entity == "serious_event" and clause.isdigit():
        return f"记录第十七条第{clause}项情形（实时评价）"
    return f"{ENTITY_NAMES.get(entity, entity)}：{action}"


def _labels(rules: Rules | None) -> dict[str, str]:
    """FIELD_NAMES, and each dimension's deduction named as the index system names the dimension."""
    labels = dict(FIELD_NAMES)
    for dimension in rules.index.dimensions if rules is not None else ():
        labels[f"deduction_{dimension.code}"] = f"{dimension.name}扣分"
    return labels


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None, labels: dict[str, str]) -> list[Change]:
    """The values that read differently before and after, in the order the line gives them."""
    old, new = before or {}, after or {}
    keys = list(new) + [k for k in old if k not in new]
    said = [Change(k, labels.get(k, k), value_text(k, old.get(k)), value_text(k, new.get(k))) for k in keys]
    return [c for c in said if c.before != c.after]  # none and an empty list read the same: no change


def value_text(key: str, value: Any) -> str:
    """A value of the audit log as a person reads it: states and decisions named, lists joined, — for none."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in ("state", "stage") and value in STATE_NAMES:
        return STATE_NAMES[value]
    if key == "decision" and value in DECISIONS:
        return DECISIONS[value][0]
    if isinstance(value, list):
        return "；".join(" ".join(map(str, v)) if isinstance(v, list) else value_text("", v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


# ---- the objection register (第十九条) ------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterInput:
    year: int
    letters: Path  # var/letters


@dataclass(frozen=True)
class RegisterEntry:
    id: str
    institution_id: str
    institution_name: str | None
    result_version: int
    filer_kind: str
    filer_name: str
    received_on: date
    has_evidence: bool
    claim: str
    admissible: bool
    reason: str | None  # why it was deemed no objection (视为无异议)
    review_by: date | None  # None: not reviewed, or an on-site verification has stopped the clock
    suspensions: list[tuple[date, date | None]]
    decision: str | None
    decided_on: date | None
    decision_reason: str | None
    evidence: list[str]  # file names handed in
    letters: list[str]  # paths of the letters written that exist

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "institution_id": self.institution_id, "institution_name": self.institution_name,
            "result_version": self.result_version, "filer_kind": self.filer_kind, "filer_name": self.filer_name,
            "received_on": self.received_on.isoformat(), "has_evidence": self.has_evidence, "claim": self.claim,
            "admissible": self.admissible, "reason": self.reason, "review_by": _iso(self.review_by),
            "suspensions": [{"from": s.isoformat(), "to": _iso(e)} for s, e in self.suspensions],
            "decision": self.decision, "decided_on": _iso(self.decided_on), "decision_reason": self.decision_reason,
            "evidence": self.evidence, "letters": self.letters,
        }


@dataclass(frozen=True)
class ObjectionRegister:
    year: int
    objections: list[RegisterEntry] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"year": self.year, "objections": [o.as_json() for o in self.objections]}


def objection_register(uow: Any, rules: Rules, given: RegisterInput) -> ObjectionRegister:
    """第十九条: every objection to the cycle's results, with its institution, deadline, decision and letters."""
    cycle = uow.lifecycle.cycle(given.year)
    entries = []
    for o in uow.objections.of_cycle(cycle):
        letter = existing_letter(given.letters, o.id)
        entries.append(RegisterEntry(
            id=o.id, institution_id=o.institution_id, institution_name=_name_of(uow, cycle, o.institution_id,
                                                                                o.result_version),
            result_version=o.result_version, filer_kind=o.filer_kind, filer_name=o.filer_name,
            received_on=o.received_on, has_evidence=o.has_evidence, claim=o.claim, admissible=o.admissible,
            reason=o.reason, review_by=review_by(uow, rules, o),
            suspensions=[(s.start, s.end) for s in uow.objections.suspensions(o.id)], decision=o.decision,
            decided_on=o.decided_on, decision_reason=o.decision_reason,
            evidence=[e.file_name for e in uow.objections.evidence(o.id)], letters=[letter] if letter else [],
        ))
    return ObjectionRegister(given.year, entries)


def _name_of(uow: Any, cycle: Any, institution_id: str, version: int | None = None) -> str | None:
    """The institution's name as its result (the version objected to, else the latest) gives it."""
    versions = uow.objections.versions_of(cycle, institution_id)
    named = [v for v in versions if v.version == version] or versions[-1:]
    return named[0].name if named else None


# ---- letters and notices issued for a cycle -------------------------------------------------------------


@dataclass(frozen=True)
class LettersInput:
    year: int
    letters: Path  # var/letters: the objections' letters


@dataclass(frozen=True)
class Letter:
    kind: str  # deemed_no_objection | review_decision | <measure code> | share_cover_letter
    title: str
    number: str  # objection id, document number (文书编号), or share package
    institution_id: str | None
    institution_name: str | None
    issued_on: date
    path: str | None
    exists: bool

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "number": self.number, "institution_id": self.institution_id,
                "institution_name": self.institution_name, "issued_on": self.issued_on.isoformat(),
                "path": self.path, "exists": self.exists}


@dataclass(frozen=True)
class LettersReport:
    year: int
    letters: list[Letter] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"year": self.year, "letters": [letter.as_json() for letter in self.letters]}


def letters_issued(uow: Any, rules: Rules, given: LettersInput) -> LettersReport:
    """Every letter and notice of the cycle: objection letters (第十九条), 第十条 measures, share cover letters."""
    cycle = uow.lifecycle.cycle(given.year)
    found = _objection_letters(uow, cycle, given.letters) + _measure_letters(uow, rules, given.year)
    found += _share_letters(uow, cycle)
    return LettersReport(given.year, sorted(found, key=lambda x: (x.issued_on, x.kind, x.number)))


def _objection_letters(uow: Any, cycle: Any, folder: Path) -> list[Letter]:
    letters = []
    for o in uow.objections.of_cycle(cycle):
        if o.admissible and o.decision is None:
            continue  # the reply comes with the decision
        kind, title, day = (("review_decision", "复核意见告知书", o.decided_on) if o.admissible
                            else ("deemed_no_objection", "视为无异议告知书", o.received_on))
        path = existing_letter(folder, o.id)
        letters.append(Letter(kind, title, o.id, o.institution_id, _name_of(uow, cycle, o.institution_id,
                                                                             o.result_version),
                              day, path or _planned(folder, o.id), path is not None))
    return letters


def _planned(folder: Path, objection_id: str) -> str:
    return str(Path(folder) / f"{objection_id}.html")


def _measure_letters(uow: Any, rules: Rules, year: int) -> list[Letter]:
    """第十条: the notices of the findings of the year's inspections (the year as store/audit.py counts it)."""
    inspections = {i.id: i for i in uow.supervision.inspections_between(date(year, 1, 1), date(year, 12, 31))}
    letters = []
    for f in uow.supervision.findings_of(list(inspections)):
        inspection = inspections[f.inspection_id]
        path = f.document_path
        letters.append(Letter(f.measure, _measure_name(rules, f.measure), f.document_no, inspection.institution_id,
                              inspection.institution_name, f.issued_on, path,
                              path is not None and Path(path).is_file()))
    return letters


def _measure_name(rules: Rules, code: str) -> str:
    try:
        return str(rules.supervision.measure(code).name)
    except ValueError:
        return code


def _share_letters(uow: Any, cycle: Any) -> list[Letter]:
    """第二十条: the cover letter of each package shared with the market regulation department."""
    letters = []
    for share in uow.lifecycle.shares(cycle):
        path = Path(share.path) / COVER_LETTER
        letters.append(Letter("share_cover_letter", f"共享评价结果的函（第{share.sequence}批）",
                              f"{cycle.year}-{share.sequence:03d}", None, None, share.shared_on, str(path),
                              path.is_file()))
    return letters


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
