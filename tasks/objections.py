"""Written objections (第十九条, R-16): intake, admissibility by rule, suspensions, decision and re-scoring.

Plain functions over a database URL; each command is one transaction. A decision that withdraws an
event or sets a detected finding aside re-scores the institution from the cycle's own snapshot plus
every correction recorded for it, so the new result can be recomputed by anyone from the same inputs.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from credit.calendar import WorkCalendar
from credit.indexsystem import load_index_system
from credit.lifecycle import LATE, Suspension, Window, admissibility, publicity_window, review_deadline
from reports.lifecycle import render_reply_letter
from reports.safe import path_inside
from store.engine import migrated_engine, transaction
from store.lifecycle import Actor, Lifecycle
from store.models import (
    Cycle,
    Objection,
    ObjectionCorrection,
    ObjectionEvidence,
    ObjectionSuspension,
    Result,
)
from store.repository import Repository
from store.settings import get_settings
from tasks.lifecycle import procedure
from tasks.render import Bureau
from tasks.rescore import score_cycle

DECISIONS = ("upheld", "partly_upheld", "rejected")
FILER_KINDS = ("institution", "public", "organisation")


class ObjectionError(ValueError):
    """An objection command that cannot be carried out as asked (exit code 2)."""


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



def add_objection(db_url: str | None, intake: Intake, actor: Actor, letters: Path | None = None) -> dict:
    """Record an objection; decide admissibility by rule; put the result under review when admissible."""
    if intake.filer_kind not in FILER_KINDS:
        raise ObjectionError(f"--filer-kind {intake.filer_kind!r}: one of {', '.join(FILER_KINDS)}")
    engine = migrated_engine(db_url)
    with transaction(engine) as session:
        lifecycle = Lifecycle(session)
        cycle = lifecycle.cycle(intake.year)
        result = _current_result(lifecycle, cycle, intake.institution_id)
        existing = session.get(Objection, intake.objection_id) if intake.objection_id else None
        if existing is not None:
            return _summary(session, existing)
        if result.publicity_last_day is None:
            raise ObjectionError(f"{intake.institution_id}: its {intake.year} result is not in publicity yet")
        window = Window(result.publicity_on, result.publicity_last_day)
        has_evidence = bool(intake.evidence) if intake.has_evidence is None else intake.has_evidence
        admissible, reason = admissibility(intake.received_on, has_evidence, window)
        objection = Objection(
            id=intake.objection_id or _next_id(lifecycle, cycle), cycle_id=cycle.id,
            institution_id=intake.institution_id, result_version=result.version, filer_kind=intake.filer_kind,
            filer_name=intake.filer_name, received_on=intake.received_on, has_evidence=has_evidence,
            claim=intake.claim, admissible=admissible, reason=reason, created_at=actor.at, created_by=actor.by,
        )
        session.add(objection)
        _keep_evidence(session, objection.id, intake.evidence)
        lifecycle.repository.audit("objection", objection.id, "received", actor.why, actor.by, actor.at, None,
                                   {"institution_id": objection.institution_id, "admissible": admissible,
                                    "reason": reason, "received_on": intake.received_on.isoformat()})
        if admissible and result.state == "in_publicity":
            lifecycle.move(result, actor, state="under_review")
        lifecycle.set_stage(cycle, actor)
        session.flush()
        summary = _summary(session, objection)
        if not admissible and letters is not None:
            _write_letter(letters, objection.id, _deemed_letter(objection, result, window, intake.year))
    engine.dispose()
    return summary


def _current_result(lifecycle: Lifecycle, cycle, institution_id: str) -> Result:
    found = [r for r in lifecycle.current(cycle) if r.institution_id == institution_id]
    if not found:
        raise ObjectionError(f"--institution {institution_id}: no {cycle.year} result for this institution")
    return found[0]


def _next_id(lifecycle: Lifecycle, cycle) -> str:
    return f"OB{cycle.year}{len(lifecycle.objections(cycle)) + 1:05d}"


def _keep_evidence(session, objection_id: str, files: tuple[Path, ...]) -> None:
    """Evidence files are copied into var/evidence under their SHA-256 and listed with the objection."""
    folder = get_settings().var_dir / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        if not file.is_file():
            raise ObjectionError(f"--evidence {file}: no such file")
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        kept = folder / f"{digest}{file.suffix.lower()}"
        if not kept.exists():
            shutil.copyfile(file, kept)
        session.add(ObjectionEvidence(objection_id=objection_id, file_name=file.name, sha256=digest, path=str(kept)))


def suspend(db_url: str | None, objection_id: str, start: date, end: date | None, actor: Actor) -> dict:
    """An on-site verification interval: opened (no end) or closed; its working days do not count (R-16)."""
    if end is not None and end < start:
        raise ObjectionError(f"--to {end} is before --from {start}")
    engine = migrated_engine(db_url)
    with transaction(engine) as session:
        objection = _objection(session, objection_id)
        open_ = session.scalars(select(ObjectionSuspension).where(
            ObjectionSuspension.objection_id == objection_id, ObjectionSuspension.start == start)).first()
        if open_ is None:
            session.add(ObjectionSuspension(objection_id=objection_id, start=start, end=end))
        elif open_.end != end:
            open_.end = end
        Repository(session).audit("objection", objection_id, "suspension", actor.why, actor.by, actor.at, None,
                                  {"from": start.isoformat(), "to": end.isoformat() if end else None})
        session.flush()
        summary = _summary(session, objection)
    engine.dispose()
    return summary


def _objection(session, objection_id: str) -> Objection:
    objection = session.get(Objection, objection_id)
    if objection is None:
        raise ObjectionError(f"objection {objection_id!r} not found")
    return objection


def _summary(session, objection: Objection) -> dict:
    """What `objection add` and `suspend` print: id, admissibility and why, review deadline."""
    spans = session.scalars(select(ObjectionSuspension).where(ObjectionSuspension.objection_id == objection.id))
    review_by = None
    if objection.admissible:
        review_by = review_deadline(WorkCalendar.load(), objection.received_on,
                                    [Suspension(s.start, s.end) for s in spans], procedure(Bureau.load()))
    return {"id": objection.id, "institution_id": objection.institution_id, "admissible": objection.admissible,
            "reason": objection.reason, "review_by": review_by.isoformat() if review_by else None,
            "decision": objection.decision}


def decide(
    db_url: str | None, objection_id: str, on: date, decision: str, reason: str, *, withdraw: tuple[str, ...],
    set_aside: tuple[tuple[str, str], ...], letters: Path, actor: Actor,
) -> dict:
    """Record the review decision; re-score when something was withdrawn or set aside; write the reply letter."""
    if decision not in DECISIONS:
        raise ObjectionError(f"--decision {decision!r}: one of {', '.join(DECISIONS)}")
    if decision == "rejected" and (withdraw or set_aside):
        raise ObjectionError("a rejected objection corrects nothing: drop --withdraw-event / --set-aside")
    engine = migrated_engine(db_url)
    with transaction(engine) as session:
        lifecycle = Lifecycle(session)
        objection = _objection(session, objection_id)
        _check_decidable(objection, on)
        cycle = session.get(Cycle, objection.cycle_id)
        before = _current_result(lifecycle, cycle, objection.institution_id)
        _record_decision(session, lifecycle, objection, on, decision, reason, withdraw, set_aside, actor)
        after = _rescore(session, lifecycle, cycle, objection, on, reason, actor) if withdraw or set_aside else None
        if after is None:
            _settle_unchanged(lifecycle, cycle, before, actor)
        session.flush()
        lifecycle.set_stage(cycle, actor)
        letter = _decision_letter(session, objection, before, after, withdraw, set_aside, cycle.year)
        summary = {**_summary(session, objection), "changed": after is not None,
                   "new_version": after.version if after is not None else None}
    engine.dispose()
    summary["letter"] = str(_write_letter(letters, objection_id, letter))
    return summary


def _check_decidable(objection: Objection, on: date) -> None:
    if not objection.admissible:
        raise ObjectionError(f"{objection.id} was deemed no objection ({objection.reason}): nothing to review")
    if objection.decision is not None:
        raise ObjectionError(f"{objection.id} was decided on {objection.decided_on}: {objection.decision}")
    if on < objection.received_on:
        raise ObjectionError(f"--on {on} is before the objection was received ({objection.received_on})")


def _record_decision(session, lifecycle, objection, on, decision, reason, withdraw, set_aside, actor) -> None:
    objection.decision, objection.decided_on, objection.decision_reason = decision, on, reason
    for event_id in withdraw:
        session.add(ObjectionCorrection(objection_id=objection.id, kind="withdraw_event", event_id=event_id,
                                        reason=reason))
    for indicator, evidence in set_aside:
        session.add(ObjectionCorrection(objection_id=objection.id, kind="set_aside", indicator=indicator,
                                        evidence=evidence, reason=reason))
    lifecycle.repository.audit("objection", objection.id, "decided", actor.why, actor.by, actor.at, None,
                               {"decision": decision, "decided_on": on.isoformat(), "reason": reason,
                                "withdraw": list(withdraw), "set_aside": [list(s) for s in set_aside]})
    session.flush()


def _rescore(session, lifecycle, cycle, objection, on, reason, actor) -> Result | None:
    """第十九条: the same snapshot plus the corrections; a changed result gets a new version and publicity."""
    scored = score_cycle(session, cycle, load_index_system(cycle.index_version), objection.institution_id)
    changed = Repository(session).change_result(cycle, objection.institution_id, scored.results, scored.findings,
                                                by=actor.by,
                                                at=actor.at, why=f"objection {objection.id} upheld: {reason}")
    if changed is None:
        return None
    window = publicity_window(WorkCalendar.load(), on, procedure(Bureau.load()))
    lifecycle.move(changed, actor, state="in_publicity", publicity_on=on, publicity_last_day=window.last_day,
                   change_reason=f"复核异议{objection.id}：{reason}")
    return changed


def _settle_unchanged(lifecycle, cycle, result: Result, actor) -> None:
    """Nothing changed: back in publicity if no other objection is open (advance determines it later)."""
    still_open = [o for o in lifecycle.objections(cycle, result.institution_id)
                  if o.admissible and o.decision is None and o.result_version == result.version]
    if not still_open and result.state == "under_review":
        lifecycle.move(result, actor, state="in_publicity")


def _result_view(result: Result) -> dict:
    return {"status": result.status, "grade": result.grade or "", "clause": str(result.clause or ""),
            "score": "" if result.score is None else f"{result.score:.1f}"}


def _decision_letter(session, objection, before, after, withdraw, set_aside, year) -> str:
    ctx = {
        "objection_id": objection.id, "filer_name": objection.filer_name,
        "institution_id": objection.institution_id, "institution_name": before.name or objection.institution_id,
        "year": year, "received_on": objection.received_on, "claim": objection.claim,
        "letter_date": objection.decided_on, "bureau": Bureau.load().settings, "decision": objection.decision,
        "decided_on": objection.decided_on, "reason": objection.decision_reason, "before": _result_view(before),
        "after": _result_view(after) if after is not None else None, "withdrawn_events": list(withdraw),
        "set_aside": [{"indicator": i, "evidence": e, "reason": objection.decision_reason} for i, e in set_aside],
    }
    if after is not None:
        ctx |= {"publicity_first_day": after.publicity_on, "publicity_last_day": after.publicity_last_day}
    return render_reply_letter(ctx)


def _deemed_letter(objection: Objection, result: Result, window: Window, year: int) -> str:
    return render_reply_letter({
        "objection_id": objection.id, "filer_name": objection.filer_name,
        "institution_id": objection.institution_id, "institution_name": result.name or objection.institution_id,
        "year": year, "received_on": objection.received_on, "claim": objection.claim,
        "letter_date": objection.received_on, "bureau": Bureau.load().settings, "admissible": False,
        "inadmissible_reason": "late" if objection.reason == LATE else "no_evidence",
        "publicity_last_day": window.last_day,
    })


def _write_letter(folder: Path, objection_id: str, html: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = path_inside(folder, f"{objection_id}.html")
    path.write_text(html, encoding="utf-8")
    return path


def import_objections(db_url: str | None, year: int, drop_path: Path, actor: Actor, letters: Path) -> dict:
    """objections.csv of a drop: each valid row recorded once (by its objection_id), bad rows reported."""
    from tasks.drop_io import read_drop
    from tasks.validation import validate_drop

    drop = read_drop(drop_path)
    if "objections" not in drop.tables:
        raise ObjectionError(f"{drop_path}: the drop has no objections.csv")
    index = load_index_system("jc-2024.1")
    validated = validate_drop(drop, event_indicators=set(index.event_codes), auto_indicators=set(index.auto_codes),
                              counties=Bureau.load().counties)
    recorded = [add_objection(db_url, _intake(year, row), actor, letters)
                for row in validated.tables["objections"].to_dict("records")]
    quarantined = validated.quarantine[validated.quarantine["table"] == "objections"]
    return {"recorded": recorded, "quarantined": quarantined.to_dict("records")}


def _intake(year: int, row: dict) -> Intake:
    received = row["received_on"]
    return Intake(
        year=year, institution_id=str(row["institution_id"]), received_on=received.date(),
        filer_kind=str(row["filer_kind"]), filer_name=str(row["filer_name"] or ""), claim=str(row["claim"] or ""),
        has_evidence=str(row["has_evidence"]).lower() == "true", objection_id=str(row["objection_id"]),
    )
