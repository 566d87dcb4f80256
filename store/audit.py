"""The audit log (R-21): who changed what, when, why, with the values before and after; append-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import AuditEntry


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
            self.session.execute(AuditEntry.__table__.insert(), rows)

    def entries(self, entity: str | None = None, entity_id: str | None = None) -> list[AuditRecord]:
        """The audit log in the order it was written, optionally for one entity."""
        query = select(AuditEntry).order_by(AuditEntry.id)
        if entity is not None:
            query = query.where(AuditEntry.entity == entity)
        if entity_id is not None:
            query = query.where(AuditEntry.entity_id == entity_id)
        return [
            AuditRecord(id=e.id, at=e.at, by=e.by, entity=e.entity, entity_id=e.entity_id, action=e.action,
                        why=e.why, before=e.before, after=e.after)
            for e in self.session.scalars(query)
        ]
