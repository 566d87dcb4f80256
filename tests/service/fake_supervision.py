"""The in-memory counterpart of store/supervision.py for the service tier: the same methods over FakeTables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from store.models import Complaint, Inspection, InspectionFinding, Inspector, Institution
from tests.service.fakes import FakeAuditLog, FakeTables

TABLES = {Inspection: "inspections", InspectionFinding: "inspection_findings", Complaint: "complaints",
          Inspector: "inspectors", Institution: "institutions"}
KINDS = {"inspection": "inspections", "complaint": "complaints"}


class FakeSupervision:
    """Inspections, findings, complaints and inspectors, in lists."""

    def __init__(self, tables: FakeTables, audit: FakeAuditLog) -> None:
        self.tables = tables
        self.audit_log = audit

    def audit(self, entity: str, entity_id: str, action: str, why: str, by: str, at: Any,
              before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        self.audit_log.append(entity, entity_id, action, why, by, at, before, after)

    def add(self, row: Inspection | InspectionFinding | Complaint | Inspector) -> None:
        if isinstance(row, Inspector) and row.active is None:
            row.active = True  # the column's default
        if isinstance(row, InspectionFinding | Complaint) and row.outcome is None:
            row.outcome = "pending"
        self.tables.add(TABLES[type(row)], row)

    # ---- the registry and the roster ---------------------------------------------------------------

    def institution(self, institution_id: str) -> Institution | None:
        return next((i for i in self.tables.of("institutions") if i.institution_id == institution_id), None)

    def inspector(self, inspector_id: str) -> Inspector | None:
        return next((i for i in self.tables.of("inspectors") if i.inspector_id == inspector_id), None)

    def inspectors(self, inspector_ids: Iterable[str]) -> list[Inspector]:
        wanted = set(inspector_ids)
        return [i for i in self.tables.of("inspectors") if i.inspector_id in wanted]

    def active_inspectors(self) -> list[Inspector]:
        return sorted((i for i in self.tables.of("inspectors") if i.active), key=lambda i: i.inspector_id)

    # ---- inspections, findings, complaints ----------------------------------------------------------

    def inspection(self, inspection_id: str) -> Inspection | None:
        return self._by_id("inspections", inspection_id)

    def finding(self, finding_id: str) -> InspectionFinding | None:
        return self._by_id("inspection_findings", finding_id)

    def complaint(self, complaint_id: str) -> Complaint | None:
        return self._by_id("complaints", complaint_id)

    def ids_starting(self, kind: str, stem: str) -> list[str]:
        return [r.id for r in self.tables.of(KINDS[kind]) if r.id.startswith(stem)]

    def finding_count(self, inspection_id: str) -> int:
        return sum(1 for f in self.tables.of("inspection_findings") if f.inspection_id == inspection_id)

    def last_document_sequence(self, measure: str, year: int) -> int:
        return max((f.document_sequence for f in self.tables.of("inspection_findings")
                    if f.measure == measure and f.document_year == year), default=0)

    def findings_with_inspections(self) -> list[tuple[InspectionFinding, Inspection]]:
        inspections = {i.id: i for i in self.tables.of("inspections")}
        return [(f, inspections[f.inspection_id]) for f in self.tables.of("inspection_findings")]

    def complaints(self) -> list[Complaint]:
        return list(self.tables.of("complaints"))

    def inspections_between(self, start: date, end: date) -> list[Inspection]:
        found = [i for i in self.tables.of("inspections") if start <= i.inspected_on <= end]
        return sorted(found, key=lambda i: (i.inspected_on, i.id))

    def findings_of(self, inspection_ids: Iterable[str]) -> list[InspectionFinding]:
        wanted = set(inspection_ids)
        return sorted((f for f in self.tables.of("inspection_findings") if f.inspection_id in wanted),
                      key=lambda f: f.id)

    def complaints_between(self, start: date, end: date) -> list[Complaint]:
        found = [c for c in self.tables.of("complaints") if start <= c.received_on <= end]
        return sorted(found, key=lambda c: (c.received_on, c.id))

    def _by_id(self, table: str, row_id: str) -> Any:
        return next((r for r in self.tables.of(table) if r.id == row_id), None)
