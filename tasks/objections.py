"""Written objections (第十九条, R-16): intake, admissibility by rule, suspensions, decision and re-scoring.

Use cases over a unit of work (store/uow.py) and the rules bundle (credit/rules.py); the caller's unit
of work is the transaction, so `import_objections` records a whole objections.csv or nothing. A
decision that withdraws an event or sets a detected finding aside re-scores the institution from the
cycle's own snapshot plus every correction recorded for it, so the new result can be recomputed by
anyone from the same inputs.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from credit.lifecycle import (
    DETERMINED,
    IN_PUBLICITY,
    LATE,
    PUBLISHED,
    SHARED,
    STATE_NAMES,
    UNDER_REVIEW,
    Suspension,
    Window,
    admissibility,
    review_deadline,
)
from credit.rules import Rules
from reports.safe import UnsafePathError, path_inside
from store.lifecycle import Actor

if TYPE_CHECKING:
    from store.models import Cycle, Objection, Result

DECISIONS = ("upheld", "partly_upheld", "rejected")
FILER_KINDS = ("institution", "public", "organisation")
PAST_PUBLICITY = (DETERMINED, PUBLISHED, SHARED)  # an intake on such a result is recorded, with a warning
# Issue 11 item 5: an objection id names its letter file, so it is a plain token: a letter or digit, then up
# to 63 letters, digits, "_" or "-". `../x`, `a/b`, `/abs/x` are refused (exit code 2) before anything is stored.
OBJECTION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
ID_RULE = "异议编号只能由字母、数字、“_”和“-”组成，以字母或数字开头，最长 64 个字符"


class ObjectionError(ValueError):
    """An objection command that cannot be carried out as asked (exit code 2)."""


# ---- inputs and reports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    year: int
    institution_id: str
    received_on: date
    filer_kind: str
    filer_name: str
    claim: str
    evidence: tuple[Path, ...] = ()
    has_evidence: bool | None = None  # objections.csv says it; on the CLI, evidence files say it
    objection_id: str | None = None


@dataclass(frozen=True)
class Filing:
    """Where an objection's papers go: evidence files kept by their SHA-256, and the letters written."""

    evidence: Path
    letters: Path

    @classmethod
    def under(cls, var_dir: Path) -> Filing:
        """var/evidence and var/letters."""
        return cls(Path(var_dir) / "evidence", Path(var_dir) / "letters")


@dataclass(frozen=True)
class AddInput:
    intake: Intake
    actor: Actor
    filing: Filing


@dataclass(frozen=True)
class SuspendInput:
    objection_id: str
    start: date
    end: date | None  # None: the verification goes on, the clock is stopped
    actor: Actor


@dataclass(frozen=True)
class DecideInput:
    objection_id: str
    on: date
    decision: str
    reason: str
    actor: Actor
    filing: Filing
    withdraw: tuple[str, ...] = ()  # event ids
    set_aside: tuple[tuple[str, str], ...] = ()  # (indicator, evidence)


@dataclass(frozen=True)
class ImportInput:
    year: int
    drop: Path
    actor: Actor
    filing: Filing


@dataclass(frozen=True)
class ObjectionSummary:
    """What `objection add` and `suspend` print: id, admissibility and why, review deadline."""

    id: str
    institution_id: str
    admissible: bool
    reason: str | None
    review_by: str | None  # ISO date; None while an on-site verification is open
    decision: str | None
    warnings: tuple[str, ...] = ()  # accepted, but a person should know (Chinese; also in the audit row)
    letter: str | None = None  # the 视为无异议告知书 written for it, when there is one


@dataclass(frozen=True)
class ResultView:
    """A result as a decision reports it: version, status, score ("" when not rated), grade, clause."""

    version: int
    status: str
    score: str
    grade: str
    clause: int | None

    @classmethod
    def of(cls, result: Result) -> ResultView:
        score = "" if result.score is None else f"{result.score:.1f}"
        return cls(result.version, result.status, score, result.grade or "", result.clause)


@dataclass(frozen=True)
class DecisionReport:
    objection: ObjectionSummary
    changed: bool
    new_version: int | None
    letter: Path
    before: ResultView | None = None
    after: ResultView | None = None  # the new version, when the decision changed the result
    publicity: Window | None = None  # the new version's publicity (第十八条), when it changed
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    recorded: list[ObjectionSummary]
    quarantined: list[dict[str, Any]]


# ---- intake ---------------------------------------------------------------------------------------


def add_objection(uow: Any, rules: Rules, inputs: AddInput) -> ObjectionSummary:
    """Record an objection; decide admissibility by rule; put the result under review when admissible."""
    intake, actor = inputs.intake, inputs.actor
    if intake.filer_kind not in FILER_KINDS:
        raise ObjectionError(f"--filer-kind {intake.filer_kind!r}：应为 {' | '.join(FILER_KINDS)} 之一")
    if intake.objection_id is not None:
        check_id(intake.objection_id, "objection_id")
    cycle = uow.lifecycle.cycle(intake.year)
    result = _current_result(uow, cycle, intake.institution_id)
    existing = uow.objections.get(intake.objection_id) if intake.objection_id else None
    if existing is not None:
        return _summary(uow, rules, existing, inputs.filing.letters)
    if result.publicity_on is None or result.publicity_last_day is None:
        raise ObjectionError(f"{intake.institution_id}：其 {intake.year} 年度评价结果尚未公示，不能提出异议（第十九条）")
    window = Window(result.publicity_on, result.publicity_last_day)
    has_evidence = bool(intake.evidence) if intake.has_evidence is None else intake.has_evidence
    admissible, reason = admissibility(intake.received_on, has_evidence, window)
    warnings = _intake_warnings(result)
    objection = uow.objections.add(
        id=intake.objection_id or _next_id(uow, cycle), cycle_id=cycle.id, institution_id=intake.institution_id,
        result_version=result.version, filer_kind=intake.filer_kind, filer_name=intake.filer_name,
        received_on=intake.received_on, has_evidence=has_evidence, claim=intake.claim, admissible=admissible,
        reason=reason, created_at=actor.at, created_by=actor.by,
    )
    _keep_evidence(uow, objection.id, intake.evidence, inputs.filing.evidence)
    uow.audit.append("objection", objection.id, "received", actor.why, actor.by, actor.at, None,
                     {"institution_id": objection.institution_id, "admissible": admissible, "reason": reason,
                      "received_on": intake.received_on.isoformat(), **_warning_field(warnings)})
    if admissible and result.state == IN_PUBLICITY:
        uow.lifecycle.move(result, actor, state=UNDER_REVIEW)
    uow.lifecycle.set_stage(cycle, actor)
    uow.flush()
    if not admissible:
        _write_letter(inputs.filing.letters, objection.id, _deemed_letter(rules, objection, result, window, intake.year))
    return replace(_summary(uow, rules, objection, inputs.filing.letters), warnings=warnings)


def _intake_warnings(result: Result) -> tuple[str, ...]:
    """An objection to a result already determined, published or shared is recorded, but said so (第十九条)."""
    if result.state not in PAST_PUBLICITY:
        return ()
    day = {DETERMINED: result.determined_on, PUBLISHED: result.published_on, SHARED: result.shared_on}[result.state]
    when = f"（{day}）" if day else ""
    return (f"该机构评价结果（第{result.version}版）的状态为“{STATE_NAMES[result.state]}”{when}：异议照常登记，"
            "已确定、公布或共享的结果不会因此自动改变；复核后如需更正，将作为变更结果重新公示。",)


def _warning_field(warnings: tuple[str, ...]) -> dict[str, str]:
    """The audit row's `warning`, when a person was warned."""
    return {"warning": "；".join(warnings)} if warnings else {}


def _current_result(uow: Any, cycle: Cycle, institution_id: str) -> Result:
    found = [r for r in uow.lifecycle.current(cycle) if r.institution_id == institution_id]
    if not found:
        raise ObjectionError(f"--institution {institution_id}：该机构没有 {cycle.year} 年度评价结果")
    return found[0]


def check_id(objection_id: str, where: str) -> str:
    """An objection id that can name a file: otherwise bad input (exit code 2), naming where it came from."""
    if not OBJECTION_ID.fullmatch(objection_id):
        raise ObjectionError(f"{where} {objection_id!r}：{ID_RULE}")
    return objection_id


def _next_id(uow: Any, cycle: Cycle) -> str:
    """OB<year><n>: n is one past the largest number already used for the year (imported ids included), so an
    imported OB202500002 never collides with the next `objection add`. The writing unit of work holds the writer
    lock, so two intakes never pick the same number."""
    prefix = f"OB{cycle.year}"
    used = [int(o.id[len(prefix):]) for o in uow.lifecycle.objections(cycle)
            if o.id.startswith(prefix) and o.id[len(prefix):].isdigit()]
    candidate = max(used, default=0) + 1
    while uow.objections.get(f"{prefix}{candidate:05d}") is not None:  # an id of another cycle's numbering
        candidate += 1
    return f"{prefix}{candidate:05d}"


def _keep_evidence(uow: Any, objection_id: str, files: tuple[Path, ...], folder: Path) -> None:
    """Evidence files are copied into var/evidence under their SHA-256 and listed with the objection."""
    if not files:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        if not file.is_file():
            raise ObjectionError(f"--evidence {file}：文件不存在")
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        kept = folder / f"{digest}{file.suffix.lower()}"
        if not kept.exists():
            shutil.copyfile(file, kept)
        uow.objections.add_evidence(objection_id, file.name, digest, str(kept))


def import_objections(uow: Any, rules: Rules, inputs: ImportInput) -> ImportReport:
    """objections.csv of a drop, all or nothing (issue 11 item 5): every row is checked first (the contract's
    checks against the cycle's own index version, then id, date, filer kind and institution); one bad row is
    bad input naming file, row and column, and nothing of the file is stored. Then each row is recorded once
    (by its objection_id) in the caller's one writing unit of work."""
    from tasks.drop_io import read_drop
    from tasks.rescore import cycle_rules
    from tasks.validation import validate_drop

    drop = read_drop(inputs.drop)
    if "objections" not in drop.tables:
        raise ObjectionError(f"{inputs.drop}：数据文件夹中没有 objections.csv")
    cycle = uow.lifecycle.cycle(inputs.year)
    index = cycle_rules(rules, cycle).index
    validated = validate_drop(drop, event_indicators=set(index.event_codes), auto_indicators=set(index.auto_codes),
                              counties=rules.bureau.counties, clauses=index.clauses)
    file = drop.tables["objections"].source
    quarantined = validated.quarantine[validated.quarantine["table"] == "objections"]
    problems = [f"{q['file']} 第{q['row']}行，{q['column']}：{q.get('reason_zh') or q['reason']}"
                for q in quarantined.to_dict("records")]
    table = validated.tables["objections"]
    rated = {r.institution_id for r in uow.lifecycle.current(cycle)}
    rows = [(int(n), row) for n, row in zip(table.index, table.to_dict("records"), strict=True)]
    problems += [p for n, row in rows for p in _row_problems(file, n, row, rated, inputs.year)]
    if problems:
        raise ObjectionError("objections.csv 未登记任何异议，请改正后重新导入：\n" + "\n".join(problems))
    recorded = [add_objection(uow, rules, AddInput(_intake(inputs.year, row), inputs.actor, inputs.filing))
                for _, row in rows]
    return ImportReport(recorded, [])


def _row_problems(file: str, n: int, row: dict, rated: set[str], year: int) -> list[str]:
    """What stops one accepted row from being recorded, each naming file, row and column."""
    at = f"{file} 第{n}行"
    found = []
    if not OBJECTION_ID.fullmatch(str(row["objection_id"])):
        found.append(f"{at}，objection_id {str(row['objection_id'])!r}：{ID_RULE}")
    if _missing(row["received_on"]):
        found.append(f"{at}，received_on：收到日期为空或不是 YYYY-MM-DD 日期")
    if str(row["filer_kind"]) not in FILER_KINDS:
        found.append(f"{at}，filer_kind {row['filer_kind']!r}：应为 {' | '.join(FILER_KINDS)}")
    if str(row["institution_id"]) not in rated:
        found.append(f"{at}，institution_id {row['institution_id']}：该机构没有 {year} 年度评价结果")
    return found


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def _intake(year: int, row: dict) -> Intake:
    received = row["received_on"]
    return Intake(
        year=year, institution_id=str(row["institution_id"]), received_on=received.date(),
        filer_kind=str(row["filer_kind"]), filer_name=_text(row["filer_name"]), claim=_text(row["claim"]),
        has_evidence=str(row["has_evidence"]).lower() == "true", objection_id=str(row["objection_id"]),
    )


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


# ---- review ---------------------------------------------------------------------------------------


def objection_year(uow: Any, objection_id: str) -> int:
    """The evaluation year an objection was filed against: the edge resolves that year's rules."""
    return uow.objections.cycle_by_id(_objection(uow, objection_id).cycle_id).year


def suspend(uow: Any, rules: Rules, inputs: SuspendInput) -> ObjectionSummary:
    """An on-site verification interval: opened (no end) or closed; its working days do not count (R-16)."""
    start, end, actor = inputs.start, inputs.end, inputs.actor
    if end is not None and end < start:
        raise ObjectionError(f"--to {end} 早于 --from {start}")
    objection = _objection(uow, inputs.objection_id)
    same_start = [s for s in uow.objections.suspensions(objection.id) if s.start == start]
    before = None  # issue 11 item 8: closing an interval logs the interval as it was (open), not null
    if not same_start:
        uow.objections.add_suspension(objection.id, start, end)
    else:
        before = {"from": start.isoformat(), "to": same_start[0].end.isoformat() if same_start[0].end else None}
        same_start[0].end = end
    uow.audit.append("objection", objection.id, "suspension", actor.why, actor.by, actor.at, before,
                     {"from": start.isoformat(), "to": end.isoformat() if end else None})
    uow.flush()
    return _summary(uow, rules, objection)


def _objection(uow: Any, objection_id: str) -> Objection:
    objection = uow.objections.get(objection_id)
    if objection is None:
        raise ObjectionError(f"没有编号为 {objection_id!r} 的异议")
    return objection


def review_by(uow: Any, rules: Rules, objection: Objection) -> date | None:
    """第十九条: the review deadline, suspensions left out; None when not reviewed or while the clock is stopped."""
    if not objection.admissible:
        return None
    spans = [Suspension(s.start, s.end) for s in uow.objections.suspensions(objection.id)]
    return review_deadline(rules.calendar, objection.received_on, spans, rules.procedure)


def _summary(uow: Any, rules: Rules, objection: Objection, letters: Path | None = None) -> ObjectionSummary:
    deadline = review_by(uow, rules, objection)
    return ObjectionSummary(objection.id, objection.institution_id, objection.admissible, objection.reason,
                            deadline.isoformat() if deadline else None, objection.decision,
                            letter=existing_letter(letters, objection.id) if letters is not None else None)


def decide(uow: Any, rules: Rules, inputs: DecideInput) -> DecisionReport:
    """Record the review decision; re-score when something was withdrawn or set aside; write the reply letter."""
    if inputs.decision not in DECISIONS:
        raise ObjectionError(f"--decision {inputs.decision!r}：应为 {' | '.join(DECISIONS)} 之一")
    if inputs.decision == "rejected" and (inputs.withdraw or inputs.set_aside):
        raise ObjectionError("复核决定为维持（rejected）时不更正任何事项：请去掉 --withdraw-event / --set-aside")
    objection = _objection(uow, check_id(inputs.objection_id, "异议编号"))
    if objection.decision is not None:  # a rerun re-issues the letter; it never decides twice
        return reissue(uow, rules, objection, inputs.filing)
    _check_decidable(objection, inputs.on)
    cycle = uow.objections.cycle_by_id(objection.cycle_id)
    before = _current_result(uow, cycle, objection.institution_id)
    warnings = _late_warnings(rules, review_by(uow, rules, objection), inputs.on)
    _record_decision(uow, objection, inputs, warnings)
    after = _rescore(uow, rules, cycle, objection, inputs) if inputs.withdraw or inputs.set_aside else None
    if after is None:
        _settle_unchanged(uow, cycle, before, inputs.actor)
    uow.flush()
    uow.lifecycle.set_stage(cycle, inputs.actor)
    letter = _decision_letter(rules, objection, before, after, inputs, cycle.year)
    summary = replace(_summary(uow, rules, objection), warnings=warnings)
    # Written inside the caller's unit of work, before its commit: a letter that cannot be written rolls the
    # decision back, so a decided objection always has its 复核意见告知书 (issue 11 item 5).
    path = _write_letter(inputs.filing.letters, objection.id, letter)
    window = _window(after) if after is not None else None
    return DecisionReport(summary, after is not None, after.version if after is not None else None, path,
                          before=ResultView.of(before), after=ResultView.of(after) if after is not None else None,
                          publicity=window, warnings=warnings)


def reissue(uow: Any, rules: Rules, objection: Objection, filing: Filing) -> DecisionReport:
    """A decided objection's 复核意见告知书 again: where it is, re-written from the stored decision, its
    corrections and the result versions when the file was lost. Nothing in the store changes."""
    cycle = uow.objections.cycle_by_id(objection.cycle_id)
    versions = uow.objections.versions_of(cycle, objection.institution_id)
    before = next(r for r in versions if r.version == objection.result_version)
    later = [r for r in versions if r.version > before.version]
    mine = [c for c, _ in uow.objections.corrections(cycle) if c.objection_id == objection.id]
    after = later[0] if later and mine else None
    note = f"{objection.id} 已于 {objection.decided_on} 作出复核决定，不再重复决定"
    existing = existing_letter(filing.letters, objection.id)
    if existing is None:
        redo = DecideInput(objection.id, objection.decided_on or before.created_at.date(), str(objection.decision),
                           objection.decision_reason or "",
                           Actor("", before.created_at, ""), filing,
                           withdraw=tuple(str(c.event_id) for c in mine if c.kind == "withdraw_event"),
                           set_aside=tuple((str(c.indicator), str(c.evidence)) for c in mine if c.kind == "set_aside"))
        _write_letter(filing.letters, objection.id,
                      _decision_letter(rules, objection, before, after, redo, cycle.year))
        note += "；原复核意见告知书缺失，已依记录重新写出"
    path = letter_path(filing.letters, objection.id)
    return DecisionReport(_summary(uow, rules, objection), after is not None, after.version if after else None, path,
                          before=ResultView.of(before), after=ResultView.of(after) if after is not None else None,
                          publicity=_window(after) if after is not None else None, warnings=(note,))


def _late_warnings(rules: Rules, deadline: date | None, on: date) -> tuple[str, ...]:
    """A decision after the review deadline is recorded, but said so (第十九条)."""
    if deadline is None or on <= deadline:
        return ()
    late = rules.calendar.working_days_between(deadline, on)
    return (f"复核期限为{deadline}，本决定于{on}作出，已超过复核期限{late}个工作日（第十九条）："
            "决定照常记录，逾期情况已写入审计日志。",)


def _window(result: Result) -> Window | None:
    if result.publicity_on is None or result.publicity_last_day is None:
        return None
    return Window(result.publicity_on, result.publicity_last_day)


def _check_decidable(objection: Objection, on: date) -> None:
    if not objection.admissible:
        raise ObjectionError(f"{objection.id} 已视为无异议（{objection.reason}），无需复核")
    if objection.decision is not None:
        raise ObjectionError(f"{objection.id} 已于 {objection.decided_on} 作出复核决定：{objection.decision}")
    if on < objection.received_on:
        raise ObjectionError(f"--on {on} 早于收到异议的日期（{objection.received_on}）")


def _record_decision(uow: Any, objection: Objection, inputs: DecideInput, warnings: tuple[str, ...]) -> None:
    objection.decision, objection.decided_on, objection.decision_reason = inputs.decision, inputs.on, inputs.reason
    for event_id in inputs.withdraw:
        uow.objections.add_correction(objection.id, "withdraw_event", inputs.reason, event_id=event_id)
    for indicator, evidence in inputs.set_aside:
        uow.objections.add_correction(objection.id, "set_aside", inputs.reason, indicator=indicator, evidence=evidence)
    actor = inputs.actor
    uow.audit.append("objection", objection.id, "decided", actor.why, actor.by, actor.at, None,
                     {"decision": inputs.decision, "decided_on": inputs.on.isoformat(), "reason": inputs.reason,
                      "withdraw": list(inputs.withdraw), "set_aside": [list(s) for s in inputs.set_aside],
                      **_warning_field(warnings)})
    uow.flush()


def _rescore(uow: Any, rules: Rules, cycle: Cycle, objection: Objection, inputs: DecideInput) -> Result | None:
    """第十九条: the same snapshot plus the corrections; a changed result gets a new version and publicity."""
    from tasks.rescore import change_and_publicize, cycle_rules, score_cycle

    scored = score_cycle(uow, cycle_rules(rules, cycle), cycle, objection.institution_id)
    return change_and_publicize(uow, rules, cycle, objection.institution_id, scored.results, scored.findings,
                                on=inputs.on, reason=f"复核异议{objection.id}：{inputs.reason}",
                                why=f"objection {objection.id} upheld: {inputs.reason}", actor=inputs.actor)


def _settle_unchanged(uow: Any, cycle: Cycle, result: Result, actor: Actor) -> None:
    """Nothing changed: back in publicity if no other objection is open (advance determines it later)."""
    still_open = [o for o in uow.lifecycle.objections(cycle, result.institution_id)
                  if o.admissible and o.decision is None and o.result_version == result.version]
    if not still_open and result.state == UNDER_REVIEW:
        uow.lifecycle.move(result, actor, state=IN_PUBLICITY)


# ---- letters (复核意见告知书, 视为无异议告知书) --------------------------------------------------------


def _result_view(result: Result) -> dict:
    return {"status": result.status, "grade": result.grade or "", "clause": str(result.clause or ""),
            "score": "" if result.score is None else f"{result.score:.1f}"}


def _letter_rules(rules: Rules) -> dict:
    """What the letters say of the rules: the bureau, the grades, the procedure's working days."""
    return {"bureau": rules.bureau.settings, "grade_bands": rules.index.grades, "index": rules.index,
            "publicity_working_days": rules.procedure.publicity, "review_working_days": rules.procedure.review}


def _decision_letter(rules: Rules, objection: Objection, before: Result, after: Result | None,
                     inputs: DecideInput, year: int) -> str:
    from reports.lifecycle import render_reply_letter

    ctx = {
        **_letter_rules(rules),
        "objection_id": objection.id, "filer_name": objection.filer_name,
        "institution_id": objection.institution_id, "institution_name": before.name or objection.institution_id,
        "year": year, "received_on": objection.received_on, "claim": objection.claim,
        "letter_date": objection.decided_on, "decision": objection.decision,
        "decided_on": objection.decided_on, "reason": objection.decision_reason, "before": _result_view(before),
        "after": _result_view(after) if after is not None else None, "withdrawn_events": list(inputs.withdraw),
        "set_aside": [{"indicator": i, "evidence": e, "reason": objection.decision_reason}
                      for i, e in inputs.set_aside],
    }
    if after is not None:
        ctx |= {"publicity_first_day": after.publicity_on, "publicity_last_day": after.publicity_last_day}
    return render_reply_letter(ctx)


def _deemed_letter(rules: Rules, objection: Objection, result: Result, window: Window, year: int) -> str:
    from reports.lifecycle import render_reply_letter

    return render_reply_letter({
        **_letter_rules(rules),
        "objection_id": objection.id, "filer_name": objection.filer_name,
        "institution_id": objection.institution_id, "institution_name": result.name or objection.institution_id,
        "year": year, "received_on": objection.received_on, "claim": objection.claim,
        "letter_date": objection.received_on, "admissible": False,
        "inadmissible_reason": "late" if objection.reason == LATE else "no_evidence",
        "publicity_last_day": window.last_day,
    })


def letter_path(folder: Path, objection_id: str) -> Path:
    """<letters>/<objection id>.html: the objection's one letter (视为无异议告知书, or 复核意见告知书)."""
    return path_inside(folder, f"{objection_id}.html")


def existing_letter(folder: Path, objection_id: str) -> str | None:
    """The objection's letter, if one was written."""
    try:
        path = letter_path(folder, objection_id)
    except UnsafePathError:  # an id no file can be named after: no letter was ever written for it
        return None
    return str(path) if path.is_file() else None


def _write_letter(folder: Path, objection_id: str, html: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = letter_path(folder, objection_id)
    path.write_text(html, encoding="utf-8")
    return path
