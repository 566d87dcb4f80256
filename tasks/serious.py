"""第十七条 in real time (R-14): a verified serious event gives the direct grade at once and revokes a given grade.

Three steps, each a use case over a unit of work (the flow flows/serious_event.py runs them as tasks;
`serious_event` runs them in one transaction): record the event → change the result and revoke a
given grade → publicise the change again (第十八条).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from credit.lifecycle import GIVEN, REVOKED, SCORED
from credit.rules import Rules
from store.lifecycle import Actor
from tasks.objections import ObjectionError
from tasks.rescore import cycle_rules, publicize_changed

if TYPE_CHECKING:
    from store.models import Cycle, Result


@dataclass(frozen=True)
class SeriousEventInput:
    institution_id: str
    clause: int
    decided: date  # the judgment, penalty or listing
    verified: date  # the bureau's verification: the direct grade holds from this day
    document: str
    actor: Actor
    year: int | None = None  # the cycle; None: the institution's latest


@dataclass(frozen=True)
class Target:
    """The cycle whose result a serious event changes: the edge resolves its rules from it."""

    year: int
    index_version: str


@dataclass(frozen=True)
class RecordedEvent:
    """The event as recorded against its cycle (step 1), and the result version it hit."""

    year: int
    version: int
    event: SeriousEventInput


@dataclass(frozen=True)
class SeriousChange:
    """The result after step 2: a new version with the direct grade, and the grade revoked if it was given."""

    year: int
    event: SeriousEventInput
    changed: bool  # a new version waits for its change publicity
    clause: int | None  # the new version's clause, or the unchanged result's
    revoked: str | None = None  # the grade revoked (it had been published or shared)
    reason: str = ""


@dataclass(frozen=True)
class SeriousEventReport:
    institution_id: str
    changed: bool
    grade: str
    clause: int | None
    year: int | None = None
    revoked: str | None = None
    version: int | None = None
    publicity_last_day: str | None = None  # ISO date of the change publicity's last day

    def summary(self) -> dict:
        """What the flow returns and the command prints (the unchanged case says less)."""
        if not self.changed:
            return {"institution_id": self.institution_id, "changed": False, "grade": self.grade,
                    "clause": self.clause}
        return {"institution_id": self.institution_id, "changed": True, "year": self.year, "grade": self.grade,
                "clause": self.clause, "revoked": self.revoked, "version": self.version,
                "publicity_last_day": self.publicity_last_day}


def target_of(uow: Any, institution_id: str, year: int | None = None) -> Target:
    """The cycle of the institution's result that the event changes (its latest unless `year`)."""
    result = _latest_result(uow, institution_id, year)
    cycle = uow.objections.cycle_by_id(result.cycle_id)
    return Target(cycle.year, cycle.index_version)


def record_serious_event(uow: Any, rules: Rules, inputs: SeriousEventInput) -> RecordedEvent:
    """Step 1: keep the event with the cycle, so any re-scoring of it keeps the direct grade (R-14).

    The same event recorded again (a flow run repeated) is kept once.
    """
    _check(rules, inputs)
    result = _latest_result(uow, inputs.institution_id, inputs.year)
    cycle = uow.objections.cycle_by_id(result.cycle_id)
    same = [e for e in uow.objections.serious_events(cycle, inputs.institution_id)
            if (e.clause, e.decided_on, e.verified_on, e.document) ==
            (inputs.clause, inputs.decided, inputs.verified, inputs.document)]
    if not same:
        actor = inputs.actor
        uow.objections.add_serious_event(cycle_id=cycle.id, institution_id=inputs.institution_id, clause=inputs.clause,
                                         decided_on=inputs.decided, verified_on=inputs.verified,
                                         document=inputs.document, created_at=actor.at, created_by=actor.by)
        uow.audit.append("serious_event", f"{cycle.year}/{inputs.institution_id}", f"clause {inputs.clause}",
                         actor.why, actor.by, actor.at, None,
                         {"clause": inputs.clause, "decided": inputs.decided.isoformat(),
                          "verified": inputs.verified.isoformat(), "document": inputs.document})
    return RecordedEvent(cycle.year, result.version, inputs)


def change_for_serious_event(uow: Any, rules: Rules, recorded: RecordedEvent) -> SeriousChange:
    """Step 2: the direct grade with the lowest clause as a new version; a given grade is revoked (第十七条).

    The version the event hit is revoked if its grade was given, also when another change replaced it
    since step 1. A new version left unpublicised by an interrupted run is reported as changed again.
    """
    event, actor = recorded.event, recorded.event.actor
    rules = _rules_of(uow, rules, recorded.year)
    old = _latest_result(uow, event.institution_id, recorded.year)
    cycle = uow.objections.cycle_by_id(old.cycle_id)
    clause = min(event.clause, old.clause or event.clause)
    reason = f"第十七条第{clause}项：{event.document}"
    hit = next(v for v in uow.objections.versions_of(cycle, old.institution_id) if v.version == recorded.version)
    results, findings = _with_direct_grade(uow, rules, cycle, old.institution_id, clause)
    new = uow.evaluations.change_result(cycle, old.institution_id, results, findings, by=actor.by, at=actor.at,
                                        why=reason)
    current = new or old
    revoked = _revoke_if_given(uow, hit, current, event.verified, actor)
    if new is None and not _waiting(uow, cycle, current):
        return SeriousChange(recorded.year, event, changed=False, clause=old.clause, revoked=revoked)
    return SeriousChange(recorded.year, event, changed=True, clause=current.clause, revoked=revoked, reason=reason)


def _with_direct_grade(uow: Any, rules: Rules, cycle: Cycle, institution_id: str, clause: int) -> tuple:
    """The institution's current result rows with the direct grade and the clause, and its findings unchanged."""
    results = uow.evaluations.current_results(cycle.year)
    results = results[results["institution_id"] == institution_id].copy()
    results["grade"], results["clause"] = rules.direct_grade, str(clause)
    findings = uow.evaluations.findings_for(cycle.year)
    return results, findings[findings["institution_id"] == institution_id]


def _revoke_if_given(uow: Any, hit: Result, current: Result, on: date, actor: Actor) -> str | None:
    """第十七条: the version the event hit is revoked from the verification date if its grade was given."""
    if hit.state not in GIVEN or hit.version == current.version:
        return None
    grade = hit.grade
    uow.lifecycle.move(hit, actor, state=REVOKED, revoked_on=on)
    return grade


def _waiting(uow: Any, cycle: Cycle, current: Result) -> bool:
    """A current version still scored whose predecessor had begun publicity: its change publicity is due."""
    if current.state != SCORED:
        return False
    earlier = [v for v in uow.objections.versions_of(cycle, current.institution_id) if v.version < current.version]
    return bool(earlier) and earlier[-1].state != SCORED


def publicize_serious_change(uow: Any, rules: Rules, change: SeriousChange) -> SeriousEventReport:
    """Step 3: the changed result is publicised again from the verification date (第十八条)."""
    event = change.event
    rules = _rules_of(uow, rules, change.year)
    result = _latest_result(uow, event.institution_id, change.year)
    cycle = uow.objections.cycle_by_id(result.cycle_id)
    if change.changed and result.state == SCORED:
        publicize_changed(uow, rules, result, event.verified, change.reason, event.actor)
    uow.lifecycle.set_stage(cycle, event.actor)
    if not change.changed:
        return SeriousEventReport(event.institution_id, False, rules.direct_grade, change.clause)
    last_day = result.publicity_last_day
    return SeriousEventReport(event.institution_id, True, rules.direct_grade, change.clause, year=change.year,
                              revoked=change.revoked, version=result.version,
                              publicity_last_day=last_day.isoformat() if last_day else None)


def serious_event(uow: Any, rules: Rules, inputs: SeriousEventInput) -> SeriousEventReport:
    """The three steps in one transaction: the direct grade from the verification date; a published grade
    is revoked; a change publicity starts."""
    recorded = record_serious_event(uow, rules, inputs)
    return publicize_serious_change(uow, rules, change_for_serious_event(uow, rules, recorded))


def _check(rules: Rules, inputs: SeriousEventInput) -> None:
    if inputs.clause not in rules.clauses:
        raise ObjectionError(f"--clause {inputs.clause}：第十七条只有第{min(rules.clauses)}项至"
                             f"第{max(rules.clauses)}项")
    if inputs.verified < inputs.decided:
        raise ObjectionError(f"--verified {inputs.verified}：核实日期早于 --decided {inputs.decided}")


def _rules_of(uow: Any, rules: Rules, year: int) -> Rules:
    """The rules with the index of the cycle (its direct grade)."""
    return cycle_rules(rules, uow.lifecycle.cycle(year))


def _latest_result(uow: Any, institution_id: str, year: int | None) -> Result:
    result = uow.objections.latest_result(institution_id, year)
    if result is None:
        raise ObjectionError(f"--institution {institution_id}：没有可变更的评价结果")
    if result.status != "rated":
        raise ObjectionError(f"{institution_id} 不予评定：没有可撤销的信用风险等级")
    return result
