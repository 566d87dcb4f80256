"""Supervision records (第七—十、十三条) and the inspector roster: every query of theirs, inside the unit of work."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.audit import AuditLog
from store.models import Complaint, Inspection, InspectionFinding, Inspector, Institution

RECORDS: dict[str, type[Inspection] | type[Complaint]] = {"inspection": Inspection, "complaint": Complaint}


class SupervisionRepository:
    """Inspections, findings, complaints and inspectors."""

    def __init__(self, session: Session, audit_log: AuditLog) -> None:
        self.session = session
        self.audit_log = audit_log

    def audit(self, entity: str, entity_id: str, action: str, why: str, by: str, at: Any,
              before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        """Append one line to the audit log (R-21)."""
        self.audit_log.append(entity, entity_id, action, why, by, at, before, after)

    def add(self, row: Inspection | InspectionFinding | Complaint | Inspector) -> None:
        """Record a new row (an inspection, finding, complaint or inspector); it is written at once."""
        self.session.add(row)
        self.session.flush()

    # ---- the registry and the roster ---------------------------------------------------------------

    def institution(self, institution_id: str) -> Institution | None:
        """The registry facts of an institution, if the store's registry has it."""
        return self.session.get(Institution, institution_id)

    def inspector(self, inspector_id: str) -> Inspector | None:
        return self.session.get(Inspector, inspector_id)

    def inspectors(self, inspector_ids: Iterable[str]) -> list[Inspector]:
        """The roster's inspectors among `inspector_ids` (unknown ids are left out)."""
        ids = list(inspector_ids)
        return list(self.session.scalars(select(Inspector).where(Inspector.inspector_id.in_(ids))))

    def active_inspectors(self) -> list[Inspector]:
        """The active inspectors, by inspector_id."""
        query = select(Inspector).where(Inspector.active.is_(True)).order_by(Inspector.inspector_id)
        return list(self.session.scalars(query))

    # ---- inspections, findings, complaints ----------------------------------------------------------

    def inspection(self, inspection_id: str) -> Inspection | None:
        return self.session.get(Inspection, inspection_id)

    def finding(self, finding_id: str) -> InspectionFinding | None:
        return self.session.get(InspectionFinding, finding_id)

    def complaint(self, complaint_id: str) -> Complaint | None:
        return self.session.get(Complaint, complaint_id)

    def ids_starting(self, kind: str, stem: str) -> list[str]:
        """Ids of inspections or complaints (`kind`) that start with `stem`, e.g. "INS-2025-"."""
        model = RECORDS[kind]
        return list(self.session.scalars(select(model.id).where(model.id.like(f"{stem}%"))))

    def finding_count(self, inspection_id: str) -> int:
        """How many findings an inspection has."""
        query = select(func.count()).select_from(InspectionFinding).where(
            InspectionFinding.inspection_id == inspection_id)
        return self.session.scalar(query) or 0

    def last_document_sequence(self, measure: str, year: int) -> int:
        """The highest document number of a measure in a year of issue (0 when none)."""
        query = select(func.max(InspectionFinding.document_sequence)).where(
            InspectionFinding.measure == measure, InspectionFinding.document_year == year)
        return self.session.scalar(query) or 0

    def findings_with_inspections(self) -> list[tuple[InspectionFinding, Inspection]]:
        """Every finding with its inspection."""
        query = select(InspectionFinding, Inspection).join(Inspection, Inspection.id == InspectionFinding.inspection_id)
        return [(finding, inspection) for finding, inspection in self.session.execute(query)]

    def complaints(self) -> list[Complaint]:
        """Every complaint."""
        return list(self.session.scalars(select(Complaint)))

    def inspections_between(self, start: date, end: date) -> list[Inspection]:
        """Inspections made from `start` to `end`, by date and id."""
        query = (select(Inspection).where(Inspection.inspected_on.between(start, end))
                 .order_by(Inspection.inspected_on, Inspection.id))
        return list(self.session.scalars(query))

    def findings_of(self, inspection_ids: Iterable[str]) -> list[InspectionFinding]:
        """The findings of some inspections, by id."""
        query = (select(InspectionFinding).where(InspectionFinding.inspection_id.in_(list(inspection_ids)))
                 .order_by(InspectionFinding.id))
        return list(self.session.scalars(query))

    def complaints_between(self, start: date, end: date) -> list[Complaint]:
        """Complaints received from `start` to `end`, by date and id."""
        query = (select(Complaint).where(Complaint.received_on.between(start, end))
                 .order_by(Complaint.received_on, Complaint.id))
        return list(self.session.scalars(query))
