"""Objections (第十九条) and 第十七条 serious events: every query of theirs, inside the unit of work."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.audit import AuditLog
from store.models import (
    Cycle,
    Objection,
    ObjectionCorrection,
    ObjectionEvidence,
    ObjectionSuspension,
    Result,
    SeriousEvent,
)


class ObjectionRepository:
    """Objections, their evidence, suspensions and corrections, and serious events."""

    def __init__(self, session: Session, audit_log: AuditLog) -> None:
        self.session = session
        self.audit_log = audit_log

    # ---- objections (第十九条) ----------------------------------------------------------------------

    def get(self, objection_id: str) -> Objection | None:
        return self.session.get(Objection, objection_id)

    def add(self, **values: Any) -> Objection:
        """A new objection (id, cycle_id, institution_id, result_version, filer, claim, admissibility, ...)."""
        objection = Objection(**values)
        self.session.add(objection)
        self.session.flush()
        return objection

    def of_cycle(self, cycle: Cycle) -> list[Objection]:
        """The objections filed against the cycle's results, as received (date, then id)."""
        query = select(Objection).where(Objection.cycle_id == cycle.id)
        return list(self.session.scalars(query.order_by(Objection.received_on, Objection.id)))

    def cycle_by_id(self, cycle_id: int) -> Cycle:
        """The cycle an objection or a result belongs to."""
        return self.session.get_one(Cycle, cycle_id)

    def add_evidence(self, objection_id: str, file_name: str, sha256: str, path: str) -> None:
        self.session.add(ObjectionEvidence(objection_id=objection_id, file_name=file_name, sha256=sha256, path=path))

    def evidence(self, objection_id: str) -> list[ObjectionEvidence]:
        """The files handed in with an objection, in the order they were kept."""
        query = select(ObjectionEvidence).where(ObjectionEvidence.objection_id == objection_id)
        return list(self.session.scalars(query.order_by(ObjectionEvidence.id)))

    def suspensions(self, objection_id: str) -> list[ObjectionSuspension]:
        """The on-site verification intervals of an objection, in the order they were recorded."""
        query = select(ObjectionSuspension).where(ObjectionSuspension.objection_id == objection_id)
        return list(self.session.scalars(query.order_by(ObjectionSuspension.id)))

    def add_suspension(self, objection_id: str, start: date, end: date | None) -> ObjectionSuspension:
        suspension = ObjectionSuspension(objection_id=objection_id, start=start, end=end)
        self.session.add(suspension)
        self.session.flush()
        return suspension

    def add_correction(self, objection_id: str, kind: str, reason: str, *, event_id: str | None = None,
                       indicator: str | None = None, evidence: str | None = None) -> None:
        """What a decided objection corrects: an event withdrawn, or a finding set aside (第十九条)."""
        self.session.add(ObjectionCorrection(objection_id=objection_id, kind=kind, event_id=event_id,
                                             indicator=indicator, evidence=evidence, reason=reason))
        self.session.flush()

    def corrections(self, cycle: Cycle) -> list[tuple[ObjectionCorrection, str]]:
        """Every correction of the cycle's objections, with the institution it concerns."""
        query = (select(ObjectionCorrection, Objection.institution_id)
                 .join(Objection, Objection.id == ObjectionCorrection.objection_id)
                 .where(Objection.cycle_id == cycle.id)
                 .order_by(ObjectionCorrection.id))
        return [(correction, owner) for correction, owner in self.session.execute(query).all()]

    # ---- serious events (第十七条) ------------------------------------------------------------------

    def add_serious_event(self, **values: Any) -> SeriousEvent:
        """A verified 第十七条 event (cycle_id, institution_id, clause, decided_on, verified_on, document, ...)."""
        event = SeriousEvent(**values)
        self.session.add(event)
        self.session.flush()
        return event

    def serious_events(self, cycle: Cycle, institution_id: str | None = None) -> list[SeriousEvent]:
        """The 第十七条 events applied to the cycle in real time, oldest first."""
        query = select(SeriousEvent).where(SeriousEvent.cycle_id == cycle.id)
        if institution_id is not None:
            query = query.where(SeriousEvent.institution_id == institution_id)
        return list(self.session.scalars(query.order_by(SeriousEvent.id)))

    # ---- results these use cases need (not in store/repository.py) ---------------------------------

    def latest_result(self, institution_id: str, year: int | None = None) -> Result | None:
        """The institution's current result in `year`, or in its latest cycle."""
        query = (select(Result).join(Cycle, Cycle.id == Result.cycle_id)
                 .where(Result.institution_id == institution_id, Result.is_current.is_(True)))
        if year is not None:
            query = query.where(Cycle.year == year)
        return self.session.scalars(query.order_by(Cycle.year.desc())).first()

    def versions_of(self, cycle: Cycle, institution_id: str) -> list[Result]:
        """Every version of the institution's result in the cycle, oldest first."""
        query = select(Result).where(Result.cycle_id == cycle.id, Result.institution_id == institution_id)
        return list(self.session.scalars(query.order_by(Result.version)))
