"""An in-memory unit of work for the service tier: the use cases run on it without Prefect or a database.

Modelled on cosmicpython's FakeUnitOfWork. The fake repositories keep the store's own model classes
(store.models, used as plain objects, never attached to a session) in lists of FakeTables, so a use case
sees the same objects and attributes it sees on the real store. Each area's fake lives beside this file
(fake_lifecycle.py, fake_objections.py, fake_evaluation.py, fake_supervision.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any

from store.audit import AuditRecord, ChainCheck, audit_row


@dataclass
class FakeTables:
    """The rows of every table, by table name; ids handed out per table from 1."""

    rows: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    ids: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, table: str, row: Any) -> Any:
        if hasattr(row, "id") and getattr(row, "id", None) is None:
            self.ids[table] += 1
            row.id = self.ids[table]
        self.rows[table].append(row)
        return row

    def of(self, table: str) -> list[Any]:
        return self.rows[table]


class FakeAuditLog:
    """The audit log as a list: append-only, like the real one."""

    def __init__(self, tables: FakeTables) -> None:
        self.tables = tables

    def append(self, entity: str, entity_id: str, action: str, why: str, by: str, at: datetime,
               before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        self.append_rows([audit_row(entity, entity_id, action, why, by, at, before, after)])

    def append_rows(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.tables.ids["audit_log"] += 1
            self.tables.rows["audit_log"].append(AuditRecord(id=self.tables.ids["audit_log"], **row))

    def entries(self, entity: str | None = None, entity_id: str | None = None) -> list[AuditRecord]:
        return [r for r in self.tables.of("audit_log")
                if (entity is None or r.entity == entity) and (entity_id is None or r.entity_id == entity_id)]

    def verify_chain(self) -> ChainCheck:
        """A list only ever appended to is intact (the real chain: tests/integration/test_audit_chain.py)."""
        return ChainCheck(True, len(self.tables.of("audit_log")), None, "")


class FakeUnitOfWork:
    """Commits are counted, not made: a test asserts what was committed and that errors roll back."""

    def __init__(self, tables: FakeTables | None = None) -> None:
        from tests.service.fake_digests import FakeDigests
        from tests.service.fake_evaluation import FakeEvaluations
        from tests.service.fake_lifecycle import FakeLifecycle
        from tests.service.fake_objections import FakeObjections
        from tests.service.fake_supervision import FakeSupervision

        self.tables = tables or FakeTables()
        self.audit = FakeAuditLog(self.tables)
        self.evaluations = FakeEvaluations(self.tables, self.audit)
        self.lifecycle = FakeLifecycle(self.tables, self.audit)
        self.objections = FakeObjections(self.tables, self.audit)
        self.supervision = FakeSupervision(self.tables, self.audit)
        self.digests = FakeDigests(self.tables)
        self.notices = FakeNotices()
        self.committed = 0
        self.rolled_back = 0
        self.write = True

    def __enter__(self) -> FakeUnitOfWork:
        self._saved = {name: list(rows) for name, rows in self.tables.rows.items()}
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.committed += 1
            return
        self.rolled_back += 1
        self.tables.rows.clear()
        self.tables.rows.update(self._saved)  # rows added are gone; changed objects keep their changes

    def flush(self) -> None:
        return None


class FakeStore:
    """What a use case that opens its own units of work is given instead of store.uow.Store."""

    def __init__(self, tables: FakeTables | None = None) -> None:
        self.tables = tables or FakeTables()
        self.units: list[FakeUnitOfWork] = []

    def unit_of_work(self, write: bool = True) -> FakeUnitOfWork:
        uow = FakeUnitOfWork(self.tables)
        uow.write = write
        self.units.append(uow)
        return uow


class FakeNotices:
    """The service tier issues no result notices (tests/integration/test_notices.py covers the real ones):
    `cycle status` reads an empty register."""

    def notices(self, year: int, institution_id: str | None = None, latest_only: bool = True) -> list:
        return []

