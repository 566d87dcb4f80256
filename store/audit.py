"""The audit log (R-21): who changed what, when, why, with the values before and after; append-only.

Which cycle a line belongs to (`credit audit --year Y`) is decided here, once, from how each entity names
its lines (`entity`, `entity_id`):

- `cycle` "Y", `result` "Y/<institution>" (a version saved or changed) and "Y/<institution>/v<n>" (a move
  of the lifecycle), `share` "Y/<sequence>", `serious_event` "Y/<institution>": the year leads the id;
- `objection` "<objection id>": the cycle the objection was filed against (objections.cycle_id);
- `inspection` "<id>", `inspection_finding` "<id>", `complaint` "<id>": the year of the inspection (a
  finding: of its inspection) or of the day the complaint was received, as `credit inspection list
  --year` and `credit complaint list --year` count them: the evaluation of that year is what they feed;
- `inspector` "<id>": the roster, of no cycle (listed only without --year).

An institution's lines (`--institution ID`) are those of its results and serious events (".../ID",
".../ID/v<n>"), its objections, its inspections and their findings, and the complaints about it.
A new kind of entity is added to these rules when it first writes to the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, false, or_, select
from sqlalchemy.orm import Session

from store.models import AuditEntry, Complaint, Cycle, Inspection, InspectionFinding, Objection

YEAR_LED = ("cycle", "result", "share", "serious_event")  # entity_id "Y" or "Y/…"
INSTITUTION_LED = ("result", "serious_event")  # entity_id "Y/<institution>" or "Y/<institution>/v<n>"
RECORD_LED = ("objection", "inspection", "inspection_finding", "complaint")  # entity_id: the record's own id
OF_NO_CYCLE = ("inspector",)
ENTITIES = (*YEAR_LED, *RECORD_LED, *OF_NO_CYCLE)


@dataclass(frozen=True)
class AuditRecord:
    """One line of the audit log (R-21)."""

    id: int
    at: datetime
    by: str
    entity: str
    entity_id: str
    action: str
    why: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def audit_row(
    entity: str, entity_id: str, action: str, why: str, by: str, at: datetime,
    before: dict[str, Any] | None, after: dict[str, Any] | None,
) -> dict[str, Any]:
    """One audit line as the columns of audit_log."""
    return {"entity": entity, "entity_id": entity_id, "action": action, "why": why, "by": by, "at": at,
            "before": before, "after": after}


class AuditLog:
    """Appends to and reads the audit log inside the unit of work's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def append(
        self, entity: str, entity_id: str, action: str, why: str, by: str, at: datetime,
        before: dict[str, Any] | None, after: dict[str, Any] | None,
    ) -> None:
        """Append one line: who, when, why, and the values before and after."""
        self.append_rows([audit_row(entity, entity_id, action, why, by, at, before, after)])

    def append_rows(self, rows: list[dict[str, Any]]) -> None:
        """Append lines made by audit_row, in their order."""
        if rows:
            self.session.execute(cast(Table, AuditEntry.__table__).insert(), rows)  # Core: one executemany

    def entries(self, entity: str | None = None, entity_id: str | None = None) -> list[AuditRecord]:
        """The audit log in the order it was written, optionally for one entity."""
        query = select(AuditEntry).order_by(AuditEntry.id)
        if entity is not None:
            query = query.where(AuditEntry.entity == entity)
        if entity_id is not None:
            query = query.where(AuditEntry.entity_id == entity_id)
        return [_record(e) for e in self.session.scalars(query)]

    def find(self, *, year: int | None = None, institution_id: str | None = None,
             since: datetime | None = None) -> list[AuditRecord]:
        """The lines of a cycle, of an institution, from a moment on (each optional), in the order written."""
        query = select(AuditEntry).order_by(AuditEntry.id)
        if year is not None:
            query = query.where(of_year(year))
        if institution_id is not None:
            query = query.where(of_institution(institution_id))
        if since is not None:
            query = query.where(AuditEntry.at >= since)
        return [_record(e) for e in self.session.scalars(query)]


def _record(entry: AuditEntry) -> AuditRecord:
    return AuditRecord(id=entry.id, at=entry.at, by=entry.by, entity=entry.entity, entity_id=entry.entity_id,
                       action=entry.action, why=entry.why, before=entry.before, after=entry.after)


def _in_year(column: Any, year: int) -> ColumnElement[bool]:
    return column.between(date(year, 1, 1), date(year, 12, 31))  # type: ignore[no-any-return]


def _records(objections: Select[Any], inspections: Select[Any], findings: Select[Any],
             complaints: Select[Any]) -> ColumnElement[bool]:
    """Lines of the records whose ids the four queries select (RECORD_LED, in its order)."""
    ids = dict(zip(RECORD_LED, (objections, inspections, findings, complaints), strict=True))
    return or_(false(), *(and_(AuditEntry.entity == entity, AuditEntry.entity_id.in_(query))
                          for entity, query in ids.items()))


def _finding_ids() -> Select[Any]:
    return select(InspectionFinding.id).join(Inspection, Inspection.id == InspectionFinding.inspection_id)


def of_year(year: int) -> ColumnElement[bool]:
    """The lines of cycle `year`, by the rules of this module's docstring."""
    led = and_(AuditEntry.entity.in_(YEAR_LED),
               or_(AuditEntry.entity_id == str(year), AuditEntry.entity_id.like(f"{year}/%")))
    return or_(led, _records(
        select(Objection.id).join(Cycle, Cycle.id == Objection.cycle_id).where(Cycle.year == year),
        select(Inspection.id).where(_in_year(Inspection.inspected_on, year)),
        _finding_ids().where(_in_year(Inspection.inspected_on, year)),
        select(Complaint.id).where(_in_year(Complaint.received_on, year)),
    ))


def of_institution(institution_id: str) -> ColumnElement[bool]:
    """The lines of one institution, by the rules of this module's docstring."""
    led = and_(AuditEntry.entity.in_(INSTITUTION_LED),
               or_(AuditEntry.entity_id.like(f"%/{institution_id}"), AuditEntry.entity_id.like(f"%/{institution_id}/v%")))
    return or_(led, _records(
        select(Objection.id).where(Objection.institution_id == institution_id),
        select(Inspection.id).where(Inspection.institution_id == institution_id),
        _finding_ids().where(Inspection.institution_id == institution_id),
        select(Complaint.id).where(Complaint.institution_id == institution_id),
    ))
