"""The in-memory counterpart of store/repository.py for the service tier.

`FakeEvaluations` is the real `Repository` with its storage primitives (the `_`-methods of its "storage"
section, and the reads) over FakeTables: what a save decides (credit.versions.diff_versions, the audit
rows, the refusal of a started cycle) is the real code, so the fake cannot drift from it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from credit.lifecycle import REVOKED
from credit.versions import Current, Stored
from store.models import Cycle, Finding, Institution, QuarantinedRow, Result, Snapshot, ValidationWarning
from store.repository import (
    COMPARED,
    CURRENT_COLUMNS,
    Repository,
    _current_frame,
    _finding_key,
    _finding_records,
    _findings_frame,
    _result_records,
    _snapshot_row,
)
from tests.service.fakes import FakeAuditLog, FakeTables

FINDING_FIELDS = ("result_id", "dimension", "indicator", "date", "raw_points", "points", "evidence")
VALIDATION_TABLES = {QuarantinedRow: "quarantined_rows", ValidationWarning: "warnings"}


class FakeEvaluations(Repository):
    """Cycles, snapshots, the registry, result versions with their findings, and validation rows, in lists."""

    def __init__(self, tables: FakeTables, audit: FakeAuditLog) -> None:
        self.session = None  # type: ignore[assignment]  # nothing here may reach a database
        self.tables = tables
        self.audit_log = audit  # type: ignore[assignment]

    # ---- reading -----------------------------------------------------------------------------------

    def cycle(self, year: int) -> Cycle | None:
        return next((c for c in self.tables.of("cycles") if c.year == year), None)

    def cycles(self) -> list[Cycle]:
        return sorted(self.tables.of("cycles"), key=lambda c: c.year)

    def versions(self, cycle_id: int) -> list[Result]:
        rows = [r for r in self.tables.of("results") if r.cycle_id == cycle_id]
        return sorted(rows, key=lambda r: (r.institution_id, r.version))

    def revoked_institutions(self, cycle_id: int) -> set[str]:
        return {r.institution_id for r in self.versions(cycle_id) if r.state == REVOKED}

    def snapshot(self, digest: str) -> Snapshot | None:
        return next((s for s in self.tables.of("snapshots") if s.hash == digest), None)

    def current_results(self, year: int) -> pd.DataFrame:
        cycle = self.cycle(year)
        rows = [] if cycle is None else [r for r in self.versions(cycle.id) if r.is_current]
        return _current_frame({name: getattr(r, name) for name in CURRENT_COLUMNS} for r in rows)

    def findings_for(self, year: int) -> pd.DataFrame:
        cycle = self.cycle(year)
        current = {} if cycle is None else {r.id: r for r in self.versions(cycle.id) if r.is_current}
        records = [
            (current[f.result_id].institution_id, *_finding_key(_finding_values(f)))
            for f in self.tables.of("findings") if f.result_id in current
        ]
        return _findings_frame(records)

    # ---- storage -----------------------------------------------------------------------------------

    def _flush(self) -> None:
        return None

    def _ensure_snapshot(self, digest: str, origin: str, path: str, row_counts: dict[str, Any], at: datetime) -> None:
        if self.snapshot(digest) is None:
            self.tables.add("snapshots", _snapshot_row(digest, origin, path, row_counts, at))

    def _add_cycle(self, cycle: Cycle) -> Cycle:
        return self.tables.add("cycles", cycle)

    def _upsert_registry(self, year: int, rows: list[dict[str, Any]]) -> None:
        if any(c.year > year for c in self.tables.of("cycles")):
            return
        stored = {i.institution_id: i for i in self.tables.of("institutions")}
        for row in rows:
            institution = stored.get(row["institution_id"])
            if institution is None:
                self.tables.add("institutions", Institution(**row))
                continue
            for key, value in row.items():
                setattr(institution, key, value)

    def _stored(self, cycle_id: int, institution_id: str | None = None) -> dict[str, Stored]:
        versions = [r for r in self.versions(cycle_id) if institution_id is None or r.institution_id == institution_id]
        latest: dict[str, int] = {}
        current: dict[str, Current] = {}
        for r in versions:
            latest[r.institution_id] = max(latest.get(r.institution_id, 0), r.version)
            if r.is_current:
                values = {name: _typed(getattr(r, name)) for name in COMPARED}
                current[r.institution_id] = Current(r.id, r.version, values, r.state)
        return {i: Stored(current.get(i), version) for i, version in latest.items()}

    def _findings_of(self, result_ids: list[int]) -> dict[int, list[tuple[str, ...]]]:
        wanted = set(result_ids)
        grouped: dict[int, list[tuple[str, ...]]] = defaultdict(list)
        for f in self.tables.of("findings"):
            if f.result_id in wanted:
                grouped[f.result_id].append(_finding_key(_finding_values(f)))
        return grouped

    def _retire(self, result_ids: list[int]) -> None:
        retired = set(result_ids)
        for r in self.tables.of("results"):
            if r.id in retired:
                r.is_current = False

    def _insert_results(
        self, cycle_id: int, at: datetime, writes: list[tuple[str, int, dict[str, Any], list[tuple[str, ...]]]]
    ) -> int:
        if not writes:
            return 0
        ids = [self.tables.add("results", Result(**row)).id for row in _result_records(cycle_id, at, writes)]
        findings = _finding_records(ids, writes)
        for values in findings:
            self.tables.add("findings", Finding(**dict(zip(FINDING_FIELDS, values, strict=True))))
        return len(findings)

    def _current_result(self, cycle_id: int, institution_id: str) -> Result:
        [result] = [r for r in self.versions(cycle_id) if r.institution_id == institution_id and r.is_current]
        return result

    def _stored_rows(self, model: type[QuarantinedRow] | type[ValidationWarning], cycle_id: int) -> list[dict]:
        columns = [c.name for c in model.__table__.c if c.name != "id"]
        return [{name: _column(row, model, name) for name in columns}
                for row in self.tables.of(VALIDATION_TABLES[model]) if row.cycle_id == cycle_id]

    def _replace_rows(self, model: type[QuarantinedRow] | type[ValidationWarning], cycle_id: int,
                      rows: list[dict[str, Any]]) -> None:
        name = VALIDATION_TABLES[model]
        self.tables.rows[name] = [row for row in self.tables.of(name) if row.cycle_id != cycle_id]
        attributes = {c.name: c.key for c in model.__table__.c}
        for row in rows:
            self.tables.add(name, model(**{attributes[k]: v for k, v in row.items()}))


def _finding_values(finding: Finding) -> tuple[Any, ...]:
    return (finding.dimension, finding.indicator, finding.date, finding.raw_points, finding.points, finding.evidence)


def _typed(value: Any) -> Any:
    """What the database gives back for a stored value: points with one decimal place."""
    return value.quantize(Decimal("0.1")) if isinstance(value, Decimal) else value


def _column(row: Any, model: type, column: str) -> Any:
    return getattr(row, model.__table__.c[column].key)


# ---- a saved evaluation in the fake, for any service test that needs results ---------------------------


def evaluation_input(rows: dict[str, list[dict]], rules: Any, as_of: Any, *, snapshot: str = "sha256:" + "a" * 64,
                     by: str = "test", at: datetime | None = None) -> Any:
    """A tasks.save.SaveInput for drop rows as tests/support/builders writes them, scored with `rules`."""
    from datetime import UTC

    from credit.scoring import score
    from tasks.drop_io import Drop
    from tasks.save import SaveInput
    from tasks.validation import Validated
    from tests.support.builders import frames

    tables = frames(rows)
    scored = score(tables, rules.index, rules.calendar, rules.period_start.year, as_of)
    counts = pd.DataFrame([{"table": name, "file": f"{name}.csv", "read": len(frame), "accepted": len(frame),
                            "quarantined": 0} for name, frame in tables.items()])
    validated = Validated(
        tables=tables, quarantine=pd.DataFrame(columns=["table", "file", "row", "column", "value", "reason"]),
        warnings=pd.DataFrame(columns=["file", "row", "key", "column", "reason"]), counts=counts)
    return SaveInput(as_of=as_of, drop=Drop({}, snapshot, "tests"), snapshot_path=f"var/snapshots/{snapshot[7:]}",
                     validated=validated, scored=scored, by=by, at=at or datetime(2026, 1, 20, tzinfo=UTC))
