"""Supervision records (第七—十、十三条) and the inspector roster: every query of theirs, inside the unit of work."""

from __future__ import annotations

from sqlalchemy.orm import Session

from store.audit import AuditLog


class SupervisionRepository:
    """Inspections, findings, complaints and inspectors."""

    def __init__(self, session: Session, audit_log: AuditLog) -> None:
        self.session = session
        self.audit_log = audit_log
