"""第十七条 in real time (R-14): a verified serious event makes the grade D at once and revokes a given grade."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from credit.calendar import WorkCalendar
from credit.lifecycle import publicity_window
from store.engine import migrated_engine, transaction
from store.lifecycle import Actor, Lifecycle
from store.models import Cycle, Result, SeriousEvent
from store.repository import Repository
from tasks.lifecycle import procedure
from tasks.objections import ObjectionError
from tasks.render import Bureau

GIVEN = ("published", "shared")  # a grade the public has seen: revoked, not just replaced


def serious_event(
    db_url: str | None, institution_id: str, clause: int, decided: date, verified: date, document: str,
    actor: Actor, year: int | None = None,
) -> dict:
    """D with the clause from the verification date; a published grade is revoked; a change publicity starts."""
    if not 1 <= clause <= 8:
        raise ObjectionError(f"--clause {clause}: 第十七条 has clauses 1 to 8")
    if verified < decided:
        raise ObjectionError(f"--verified {verified} is before --decided {decided}")
    engine = migrated_engine(db_url)
    with transaction(engine) as session:
        lifecycle = Lifecycle(session)
        old = _latest_result(session, institution_id, year)
        cycle = session.get(Cycle, old.cycle_id)
        session.add(SeriousEvent(cycle_id=cycle.id, institution_id=institution_id, clause=clause, decided_on=decided,
                                 verified_on=verified, document=document, created_at=actor.at, created_by=actor.by))
        summary = _apply(session, lifecycle, cycle, old, clause, verified, document, actor)
        lifecycle.repository.audit("serious_event", f"{cycle.year}/{institution_id}", f"clause {clause}",
                                   actor.why, actor.by, actor.at, None,
                                   {"clause": clause, "decided": decided.isoformat(),
                                    "verified": verified.isoformat(), "document": document})
        lifecycle.set_stage(cycle, actor)
    engine.dispose()
    return summary


def _latest_result(session, institution_id: str, year: int | None) -> Result:
    query = (select(Result).join(Cycle, Cycle.id == Result.cycle_id)
             .where(Result.institution_id == institution_id, Result.is_current.is_(True)))
    if year is not None:
        query = query.where(Cycle.year == year)
    result = session.scalars(query.order_by(Cycle.year.desc())).first()
    if result is None:
        raise ObjectionError(f"--institution {institution_id}: no evaluated result to change")
    if result.status != "rated":
        raise ObjectionError(f"{institution_id} was not rated (不予评定): there is no grade to revoke")
    return result


def _apply(session, lifecycle, cycle, old: Result, clause: int, verified: date, document: str, actor) -> dict:
    new_clause = min(clause, old.clause or clause)
    repository = Repository(session)
    frame = repository.current_results(cycle.year)
    frame = frame[frame["institution_id"] == old.institution_id].copy()
    frame["grade"], frame["clause"] = "D", str(new_clause)
    findings = repository.findings_for(cycle.year)
    findings = findings[findings["institution_id"] == old.institution_id]
    reason = f"第十七条第{new_clause}项：{document}"
    previous_state, previous_grade = old.state, old.grade
    new = repository.change_result(cycle, old.institution_id, frame, findings, by=actor.by, at=actor.at, why=reason)
    if new is None:
        return {"institution_id": old.institution_id, "changed": False, "grade": "D", "clause": old.clause}
    if previous_state in GIVEN:
        lifecycle.move(old, actor, state="revoked", revoked_on=verified)
    window = publicity_window(WorkCalendar.load(), verified, procedure(Bureau.load()))
    lifecycle.move(new, actor, state="in_publicity", publicity_on=verified, publicity_last_day=window.last_day,
                   change_reason=reason)
    return {"institution_id": old.institution_id, "changed": True, "year": cycle.year, "grade": "D",
            "clause": new_clause, "revoked": previous_grade if previous_state in GIVEN else None,
            "version": new.version, "publicity_last_day": window.last_day.isoformat()}
