"""Inspections, their 第十条 findings and measures, and complaints, kept in the store (R-06, R-07, R-09).

Use cases `(uow, rules, inputs) -> report` over one unit of work (the caller's transaction: `with
store.unit_of_work() as uow:`), every change audited (R-21). What they record reaches the
scores through `recorded_events`: the evaluation of a year adds the year's recorded events to the drop
it pulled (`tasks.drop_io.with_recorded_events`), so they are validated, scored, listed as pending and
kept in the snapshot exactly like rows of the drop's credit_events.csv. The rules are those of
`credit.rules.Rules` (`rules.supervision`, `rules.bureau`), resolved once by the caller.

Where the measures are silent:
- An inspection names at least `inspectors_per_inspection` inspectors of the roster (two: 《行政处罚法》
  第四十二条); an inspector not in the roster is refused, so the record says who was there.
- An institution is named by its 统一社会信用代码 (check character verified). One not in the store's
  registry is accepted (complaints about unregistered institutions count for the plan), and said so.
- A finding's measure document is rendered when the finding is recorded, numbered per measure and per
  year of issue (晋环监告〔2026〕1号); its SHA-256 is stored, so a document changed later is detectable.
- A verification outcome is recorded once; a second decision on the same record is refused. (A
  verified event that proves wrong is withdrawn through an objection, 第十九条, like any other event.)
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from credit.codes import is_valid_code
from credit.indexsystem import format_tenths
from credit.rules import Rules
from credit.supervision import (
    EVENT_COLUMNS,
    SupervisionRules,
    complaint_event,
    document_number,
    finding_event,
)
from reports.safe import path_inside
from store.lifecycle import Actor
from store.models import Complaint, Inspection, InspectionFinding
from store.supervision import SupervisionRepository
from tasks.recorded import complaint_record, finding_record, recorded_event_rows

if TYPE_CHECKING:  # the single-record commands load neither pandas nor the documents' renderer (issue 14)
    import pandas as pd

ID_PATTERN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,59}")
ENTITY_NAMES = {"inspection_finding": "问题", "complaint": "投诉"}  # what a message calls a record


class SupervisionError(ValueError):
    """A supervision record that cannot be taken as given (exit code 2); the message names the field."""


class HasSupervision(Protocol):
    """A unit of work (store.uow.SqlUnitOfWork, or the service tier's fake) as supervision uses it."""

    supervision: SupervisionRepository

    def flush(self) -> None: ...


@dataclass(frozen=True)
class InspectionInput:
    institution_id: str
    inspected_on: date
    method: str
    matters: tuple[str, ...]
    inspectors: tuple[str, ...]
    summary: str | None = None
    inspection_id: str | None = None
    institution_name: str | None = None  # default: the name in the store's registry


@dataclass(frozen=True)
class FindingInput:
    inspection_id: str
    situation: int
    measure: str
    facts: str
    issued_on: date
    rectify_by: date | None = None
    interview_at: str | None = None
    interview_place: str | None = None


@dataclass(frozen=True)
class ComplaintInput:
    institution_id: str
    channel: str
    received_on: date
    summary: str
    complainant: str | None = None
    complaint_id: str | None = None


@dataclass(frozen=True)
class OutcomeInput:
    """The verification of a finding or complaint: its id, the day it concluded, the outcome, a note."""

    record_id: str
    on: date
    outcome: str
    note: str | None = None
    decided: date | None = None  # the decision date, when not the default (the inspection's, or `on`)


@dataclass(frozen=True)
class InspectionReport:
    inspection_id: str
    institution_id: str
    institution_name: str | None
    in_registry: bool
    inspected_on: str
    method: str
    matters: list[str]
    inspectors: list[str]


@dataclass(frozen=True)
class FindingReport:
    finding_id: str
    inspection_id: str
    document_path: str
    situation: int
    indicator: str | None
    measure: str
    document_no: str
    issued_on: str
    document: str  # the file name of the measure document


@dataclass(frozen=True)
class ComplaintReport:
    complaint_id: str
    channel_name: str
    in_registry: bool
    institution_id: str
    channel: str
    received_on: str


@dataclass(frozen=True)
class FindingOutcome:
    finding_id: str
    outcome: str
    event: dict[str, str] | None  # the credit_events row it gives, if any


@dataclass(frozen=True)
class ComplaintOutcome:
    complaint_id: str
    outcome: str
    event: dict[str, str] | None


@dataclass(frozen=True)
class SupervisionList:
    """The inspections (with their findings) and complaints of a year, as recorded."""

    year: int
    inspections: list[dict[str, Any]] = field(default_factory=list)
    complaints: list[dict[str, Any]] = field(default_factory=list)


# ------------------------------------------------------------------------------------------- inspections


def add_inspection(uow: HasSupervision, rules: Rules, given: InspectionInput, actor: Actor) -> InspectionReport:
    """Record an inspection (第七—九条); its id is given or INS-<year>-<sequence>."""
    store, supervision = uow.supervision, rules.supervision
    _check_institution(given.institution_id, "--institution")
    method = _rule(supervision.methods, given.method, "--method", "检查方式（第九条）")
    matters = [_rule(supervision.matters, m, "--matter", "检查事项（第八条）").code for m in given.matters]
    if not matters:
        raise SupervisionError("--matter：至少填写一项检查事项（第八条）")
    _check_inspectors(store, given.inspectors, supervision.inspectors_per_inspection)
    inspection_id = _checked_id(given.inspection_id, "--id") or _next_id(store, "inspection", "INS",
                                                                           given.inspected_on.year)
    if store.inspection(inspection_id) is not None:
        raise SupervisionError(f"检查 {inspection_id} 已登记")
    registered = store.institution(given.institution_id)
    name = given.institution_name or (registered.name if registered is not None else None)
    row = Inspection(id=inspection_id, institution_id=given.institution_id, institution_name=name,
                     inspected_on=given.inspected_on,
                     method=method.code, matters=matters, inspectors=list(given.inspectors), summary=given.summary,
                     rules_version=supervision.version, created_at=actor.at, created_by=actor.by)
    store.add(row)
    report = InspectionReport(
        inspection_id=inspection_id, institution_id=given.institution_id, institution_name=name,
        in_registry=registered is not None, inspected_on=given.inspected_on.isoformat(), method=method.code,
        matters=matters, inspectors=list(given.inspectors))
    after = {"institution_id": report.institution_id, "inspected_on": report.inspected_on, "method": report.method,
             "matters": matters, "inspectors": report.inspectors}
    store.audit("inspection", inspection_id, "recorded", actor.why, actor.by, actor.at, None, after)
    return report


def add_finding(uow: HasSupervision, rules: Rules, given: FindingInput, out_dir: Path, actor: Actor) -> FindingReport:
    """Record a 第十条 finding of an inspection and render its measure document into `out_dir`."""
    store, supervision = uow.supervision, rules.supervision
    inspection = store.inspection(given.inspection_id)
    if inspection is None:
        raise SupervisionError(f"检查 {given.inspection_id} 未登记")
    situation = _rule(supervision.situations, given.situation, "--situation", "第十条情形")
    measure = _rule(supervision.measures, given.measure, "--measure", "处理措施（第十条）")
    _check_finding(given, inspection)
    sequence = store.last_document_sequence(measure.code, given.issued_on.year) + 1
    finding_id = f"{inspection.id}-{store.finding_count(inspection.id) + 1}"
    number = document_number(measure, given.issued_on.year, sequence)
    html = _render(_document_context(store, rules, inspection, given, number), measure.name)
    path = path_inside(Path(out_dir), f"{finding_id}-{given.measure}.html")
    row = InspectionFinding(
        id=finding_id, inspection_id=inspection.id, situation=situation.item, facts=given.facts.strip(),
        measure=measure.code, document_no=number, document_year=given.issued_on.year, document_sequence=sequence,
        issued_on=given.issued_on, document_path=str(path), document_sha256=hashlib.sha256(html.encode()).hexdigest(),
        outcome="pending", created_at=actor.at, created_by=actor.by)
    store.add(row)
    _write_document(path, html)  # after the row is in: a refused row leaves no document behind
    after = {"situation": situation.item, "indicator": situation.indicator, "measure": measure.code,
             "document_no": number, "issued_on": given.issued_on.isoformat(), "document": path.name}
    store.audit("inspection_finding", finding_id, "recorded", actor.why, actor.by, actor.at, None, after)
    return FindingReport(finding_id=finding_id, inspection_id=inspection.id, document_path=str(path), **after)


def _render(context: dict, name: str) -> str:
    from reports.measures import render_measure_html

    try:
        return render_measure_html(context)
    except ValueError as exc:  # what the document itself refuses (an interview before the notice, …)
        raise SupervisionError(f"{name}无法生成：{exc}") from None


def _check_finding(given: FindingInput, inspection: Inspection) -> None:
    if not given.facts.strip():
        raise SupervisionError("--facts：请写明检查发现的问题（事实）")
    if given.issued_on < inspection.inspected_on:
        raise SupervisionError(f"--issued {given.issued_on}：签发日期早于检查日期 {inspection.inspected_on}")
    if given.measure == "interview" and not (given.interview_at and given.interview_place):
        raise SupervisionError("约见谈话须给出约谈时间 --interview-at 和约谈地点 --place")
    if given.rectify_by is not None and given.rectify_by < given.issued_on:
        raise SupervisionError(f"--rectify-by {given.rectify_by}：整改期限早于签发日期 {given.issued_on}")


def _document_context(store: SupervisionRepository, rules: Rules, inspection: Inspection, given: FindingInput,
                      number: str) -> dict:
    supervision = rules.supervision
    institution = store.institution(inspection.institution_id)
    if not inspection.institution_name:
        raise SupervisionError(f"检查 {inspection.id}：机构 {inspection.institution_id} 不在登记信息中，检查记录也未给出"
                               "机构名称（inspection add --name）；处理措施文书须写明机构名称")
    method = supervision.method(inspection.method)
    situation = supervision.situation(given.situation)
    names = {i.inspector_id: i.name for i in store.inspectors(inspection.inspectors)}
    return {
        "kind": given.measure, "document_no": number, "issued_on": given.issued_on,
        "institution_id": inspection.institution_id,
        "institution_name": inspection.institution_name,
        "institution_address": institution.address if institution is not None else None,
        "inspection_id": inspection.id, "inspected_on": inspection.inspected_on,
        "method": method.name, "method_item": method.item,
        "matters": [{"item": supervision.matter(m).item, "name": supervision.matter(m).name}
                    for m in inspection.matters],
        "inspectors": [names.get(i, i) for i in inspection.inspectors],
        "situation": situation.item, "situation_text": situation.text, "facts": given.facts.strip(),
        "indicator": _indicator(situation.indicator, rules), "rectify_by": given.rectify_by,
        "interview_at": given.interview_at, "interview_place": given.interview_place,
        "bureau": rules.bureau.settings,
    }


def _indicator(code: str | None, rules: Rules) -> dict | None:
    """The indicator a situation becomes, as the supervision rules' own index system has it."""
    if code is None:
        return None
    indicator = rules.with_index(rules.supervision.index_version).index.indicators[code]
    assert indicator.points is not None  # an event indicator (checked when the supervision rules load)
    return {"code": code, "name": indicator.name, "points": format_tenths(indicator.points)}


def _write_document(path: Path, html: str) -> None:
    """<out>/<finding id>-<measure>.html; the name is built from checked ids only (R-20)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")


def verify_finding(uow: HasSupervision, rules: Rules, given: OutcomeInput, actor: Actor) -> FindingOutcome:
    """Record whether a finding was confirmed (核实); a confirmed one becomes a credit event."""
    event = settle(uow, rules, "inspection_finding", given, actor)
    return FindingOutcome(finding_id=given.record_id, outcome=given.outcome, event=event)


def settle(uow: HasSupervision, rules: Rules, entity: str, given: OutcomeInput, actor: Actor) -> dict | None:
    """Record the verification outcome of a finding or complaint; the credit event it gives, if any."""
    store = uow.supervision
    if entity == "inspection_finding":
        finding = _finding(store, given.record_id)
        inspection = store.inspection(finding.inspection_id)
        assert inspection is not None  # a finding's inspection is a foreign key
        _check_outcome(given, ("verified", "not_verified"), inspection.inspected_on, "检查日期")
        _decide(store, finding, entity, given, actor)
        return finding_event(finding_record(finding, inspection), rules.supervision)
    complaint = store.complaint(given.record_id)
    if complaint is None:
        raise SupervisionError(f"投诉 {given.record_id} 未登记")
    _check_outcome(given, ("verified", "unfounded"), complaint.received_on, "收到投诉的日期")
    _decide(store, complaint, entity, given, actor)
    return complaint_event(complaint_record(complaint), rules.supervision)


def _check_outcome(given: OutcomeInput, outcomes: tuple[str, ...], first_day: date, what: str) -> None:
    if given.outcome not in outcomes:
        raise SupervisionError(f"--outcome {given.outcome!r}：应为 {' | '.join(outcomes)}")
    if given.on < first_day:
        raise SupervisionError(f"--on {given.on}：核实日期早于{what} {first_day}")


def _finding(store: SupervisionRepository, finding_id: str) -> InspectionFinding:
    finding = store.finding(finding_id)
    if finding is None:
        raise SupervisionError(f"问题 {finding_id} 未登记")
    return finding


def _decide(store: SupervisionRepository, row: InspectionFinding | Complaint, entity: str, given: OutcomeInput,
            actor: Actor) -> None:
    if row.outcome != "pending":
        raise SupervisionError(f"{ENTITY_NAMES[entity]} {row.id}：已有核实结论（{row.outcome}，{row.verified_on or '—'}），"
                               "不能再次决定")
    on, decided = given.on, given.decided
    if decided is not None and decided > on:
        raise SupervisionError(f"--decided {decided}：处理决定日期晚于核实日期 {on}")
    before = {"outcome": row.outcome}
    row.outcome, row.outcome_note = given.outcome, given.note
    row.verified_on = on if given.outcome == "verified" else None
    row.decided_on = decided if given.outcome == "verified" else None
    after = {"outcome": given.outcome, "on": on.isoformat(), "decided_on": decided.isoformat() if decided else None,
             "note": given.note}
    store.audit(entity, row.id, "decided", actor.why, actor.by, actor.at, before, after)


# -------------------------------------------------------------------------------------------- complaints


def add_complaint(uow: HasSupervision, rules: Rules, given: ComplaintInput, actor: Actor) -> ComplaintReport:
    """Record a complaint (第十三条); it counts only once verified (R-09)."""
    store = uow.supervision
    _check_institution(given.institution_id, "--institution")
    channel = _rule(rules.supervision.channels, given.channel, "--channel", "投诉渠道（第十三条）")
    if not given.summary.strip():
        raise SupervisionError("--summary：请写明投诉内容")
    complaint_id = _checked_id(given.complaint_id, "--id") or _next_id(store, "complaint", "CMP",
                                                                        given.received_on.year)
    if store.complaint(complaint_id) is not None:
        raise SupervisionError(f"投诉 {complaint_id} 已登记")
    store.add(Complaint(id=complaint_id, institution_id=given.institution_id, channel=given.channel,
                        received_on=given.received_on, complainant=given.complainant,
                        summary=given.summary.strip(), outcome="pending", created_at=actor.at,
                        created_by=actor.by))
    after = {"institution_id": given.institution_id, "channel": given.channel,
             "received_on": given.received_on.isoformat()}
    store.audit("complaint", complaint_id, "recorded", actor.why, actor.by, actor.at, None, after)
    return ComplaintReport(complaint_id=complaint_id, channel_name=channel,
                           in_registry=store.institution(given.institution_id) is not None, **after)


def decide_complaint(uow: HasSupervision, rules: Rules, given: OutcomeInput, actor: Actor) -> ComplaintOutcome:
    """Record the verification of a complaint: verified (a JY-02 event) or unfounded (kept, never scored)."""
    event = settle(uow, rules, "complaint", given, actor)
    return ComplaintOutcome(complaint_id=given.record_id, outcome=given.outcome, event=event)


# ------------------------------------------------------------------------------------ recorded events


def recorded_events(
    uow: HasSupervision | SupervisionRepository, start: date, end: date, rules: Rules | SupervisionRules
) -> pd.DataFrame:
    """The credit_events rows of the store's records that belong to the period, in event_id order.

    `uow` is a unit of work or its supervision repository; `rules` the Rules of the period (or its
    supervision rules), which say the indicator each record becomes.
    """
    import pandas as pd

    kept = recorded_event_rows(uow, start, end, rules)  # tasks/recorded.py: the same rows without pandas
    return pd.DataFrame(kept, columns=list(EVENT_COLUMNS), dtype="string")


def events_for_year(uow: HasSupervision, rules: Rules) -> pd.DataFrame:
    """What the evaluation of the period of `rules` (第十四条: its calendar year) adds to its drop."""
    start = rules.period_start
    return recorded_events(uow, start, date(start.year, 12, 31), rules)


# ------------------------------------------------------------------------------------------------ checks


def _rule(table: dict, key, option: str, what: str):
    """The entry `key` of a supervision-rules table; an unknown one names the option and the known keys."""
    if key not in table:
        raise SupervisionError(f"{option} {key!r}：不是已知的{what}；可选：{' | '.join(map(str, table))}")
    return table[key]


def _checked_id(value: str | None, option: str) -> str | None:
    """A given id names files and events: letters, digits, `.`, `_`, `-`, at most 60, not starting with `.`."""
    if value is not None and not ID_PATTERN.fullmatch(value):
        raise SupervisionError(f"{option} {value!r}：编号须为 1–60 个字母、数字、“.”、“_”或“-”，且不以“.”开头")
    return value


def _check_institution(institution_id: str, option: str) -> None:
    if not is_valid_code(institution_id):
        raise SupervisionError(f"{option} {institution_id!r}：不是校验码正确的统一社会信用代码")


def _check_inspectors(store: SupervisionRepository, inspectors: tuple[str, ...], needed: int) -> None:
    if len(set(inspectors)) != len(inspectors):
        raise SupervisionError("--inspector：同一名执法人员填写了两次")
    if len(inspectors) < needed:
        raise SupervisionError(f"--inspector：一次检查至少需要 {needed} 名执法人员（《行政处罚法》第四十二条）")
    known = {i.inspector_id for i in store.inspectors(inspectors)}
    unknown = [i for i in inspectors if i not in known]
    if unknown:
        raise SupervisionError(f"--inspector {'、'.join(unknown)}：不在执法检查人员名录中"
                               "（名录用 credit inspectors import 导入）")


def _next_id(store: SupervisionRepository, kind: str, prefix: str, year: int) -> str:
    """<prefix>-<year>-<4-digit sequence>, one more than the highest of that year."""
    stem = f"{prefix}-{year}-"
    numbers = [int(t[len(stem):]) for t in store.ids_starting(kind, stem) if t[len(stem):].isdigit()]
    return f"{stem}{max(numbers, default=0) + 1:04d}"


# ------------------------------------------------------------------------------------------------ lists


def supervision_list(uow: HasSupervision, year: int) -> SupervisionList:
    """The inspections (with their findings) and complaints of a year, as recorded, for the branches."""
    store = uow.supervision
    start, end = date(year, 1, 1), date(year, 12, 31)
    inspections = store.inspections_between(start, end)
    findings = store.findings_of([i.id for i in inspections])
    complaints = store.complaints_between(start, end)
    return SupervisionList(year=year, inspections=[_inspection_view(i, findings) for i in inspections],
                           complaints=[_complaint_view(c) for c in complaints])


def _inspection_view(inspection: Inspection, findings: list[InspectionFinding]) -> dict:
    return {
        "id": inspection.id, "institution_id": inspection.institution_id, "name": inspection.institution_name,
        "inspected_on": inspection.inspected_on.isoformat(), "method": inspection.method,
        "matters": list(inspection.matters), "inspectors": list(inspection.inspectors),
        "findings": [{"id": f.id, "situation": f.situation, "measure": f.measure, "document_no": f.document_no,
                      "outcome": f.outcome, "verified_on": _iso_or_none(f.verified_on)}
                     for f in findings if f.inspection_id == inspection.id],
    }


def _complaint_view(complaint: Complaint) -> dict:
    return {"id": complaint.id, "institution_id": complaint.institution_id, "channel": complaint.channel,
            "received_on": complaint.received_on.isoformat(), "outcome": complaint.outcome,
            "verified_on": _iso_or_none(complaint.verified_on)}


def _iso_or_none(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
