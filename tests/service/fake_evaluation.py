"""The in-memory counterpart of store/repository.py for the service tier."""

from __future__ import annotations

from typing import Any

from tests.service.fakes import FakeAuditLog, FakeTables


class FakeEvaluations:
    def __init__(self, tables: FakeTables, audit: FakeAuditLog) -> None:
        self.tables = tables
        self.audit_log = audit

    def _unused(self) -> Any:
        return None
