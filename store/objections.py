"""Objections (第十九条) and 第十七条 serious events: every query of theirs, inside the unit of work."""

from __future__ import annotations

from sqlalchemy.orm import Session

from store.audit import AuditLog


class ObjectionRepository:
    """Objections, their evidence, suspensions and corrections, and serious events."""

    def __init__(self, session: Session, audit_log: AuditLog) -> None:
        self.session = session
        self.audit_log = audit_log
