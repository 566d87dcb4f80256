"""The repository: saves a whole evaluation idempotently and reads results, findings and the audit log back."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from credit.lifecycle import REVOKED, SCORED
from credit.versions import Current, Stored, diff_versions, same_apart_from_snapshot, started_states
from store.audit import AuditLog, AuditRecord, audit_row
from store.models import (
    Cycle,
    Finding,
    Institution,
    QuarantinedRow,
    Result,
    Snapshot,
    ValidationWarning,
)

if TYPE_CHECKING:  # pandas only where a frame is read or made (issue 14: `cycle status` does without it)
    import pandas as pd

RESULT_COLUMNS = (
    "institution_id", "name", "county", "status", "score", "grade", "clause", "deduction_basic",
    "deduction_execution", "deduction_management", "deduction_integrity", "bonus", "index_version",
)
POINT_COLUMNS = (
    "score", "deduction_basic", "deduction_execution", "deduction_management", "deduction_integrity", "bonus",
)
FINDING_COLUMNS = ("institution_id", "dimension", "indicator", "date", "raw_points", "points", "evidence")
REGISTRY_COLUMNS = (
    "institution_id", "name", "county", "address", "legal_nature", "registered_on", "status",
    "status_changed_on", "materials_missing",
)
CURRENT_COLUMNS = (*RESULT_COLUMNS, "snapshot", "version", "state")
QUARANTINE_COLUMNS = ("table", "file", "row", "column", "value", "reason")
WARNING_COLUMNS = ("file", "row", "key", "column", "reason")
# What makes a stored result differ from a new one: its values, snapshot and findings (by their digest).
VALUES = RESULT_COLUMNS[1:] + ("snapshot",)
COMPARED = VALUES + ("findings_digest",)
WHY_EVALUATION = "annual evaluation"
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class SaveReport:
    """What save_evaluation wrote: counts of result versions, findings, validation rows and audit rows."""

    year: int
    cycle_id: int
    snapshot: str
    new: int  # institutions given their first result in this cycle
    changed: int  # institutions given a new version because something differed
    unchanged: int
    withdrawn: int  # current results of institutions no longer in the evaluation
    findings: int  # finding rows written
    validation_replaced: bool  # quarantine and warning rows of the cycle rewritten
    audit: int  # audit rows written

    @property
    def wrote_nothing(self) -> bool:
        return self.new == self.changed == self.withdrawn == self.audit == 0 and not self.validation_replaced


class CycleStartedError(ValueError):
    """An evaluation that would change results whose publicity has begun (exit code 2).

    Saving it would put published or publicised results back to `scored` and skip 第十八条's new
    publicity; such changes go through `credit rescore`, which publicises them again.
    """


class Repository:
    """Reads and writes the credit store inside the caller's transaction (the caller commits).

    The rules of a save (what is new, changed, withdrawn; the audit rows) are written once here over a few
    primitives that touch the database (the `_`-methods in "storage"); the service tier's fake overrides
    those primitives only.
    """

    def __init__(self, session: Session, audit_log: AuditLog | None = None) -> None:
        self.session = session
        self.audit_log = audit_log or AuditLog(session)

    # ---- writing -----------------------------------------------------------------------------------

    def save_evaluation(
        self,
        *,
        year: int,
        period_start: date,
        period_end: date,
        as_of: date,
        index_version: str,
        snapshot: str,
        origin: str,
        snapshot_path: str,
        row_counts: dict[str, Any],
        registry: pd.DataFrame,
        results: pd.DataFrame,
        findings: pd.DataFrame,
        quarantine: pd.DataFrame,
        warnings: pd.DataFrame,
        by: str,
        at: datetime,
    ) -> SaveReport:
        """Store one evaluation; same inputs twice leave the same rows, a changed result gets a new version (R-12, R-21)."""
        self._ensure_snapshot(snapshot, origin, snapshot_path, row_counts, at)
        cycle_values = {
            "period_start": period_start, "period_end": period_end, "as_of": as_of,
            "index_version": index_version, "snapshot": snapshot,
        }
        cycle, audit = self._upsert_cycle(year, cycle_values, by, at)
        self._upsert_registry(year, _registry_rows(registry, snapshot))
        counts = self._save_results(cycle, index_version, snapshot, results, findings, by, at)
        replaced = self._replace_validation(cycle.id, snapshot, quarantine, warnings)
        self._flush()
        return SaveReport(
            year=year, cycle_id=cycle.id, snapshot=snapshot, validation_replaced=replaced,
            audit=audit + counts.pop("audit"), **counts,
        )

    def keep_snapshot(self, digest: str, origin: str, path: str, row_counts: dict[str, Any], at: datetime) -> None:
        """Record a snapshot (content-addressed: one already recorded is kept as it is)."""
        self._ensure_snapshot(digest, origin, path, row_counts, at)

    def _upsert_cycle(self, year: int, values: dict[str, Any], by: str, at: datetime) -> tuple[Cycle, int]:
        cycle = self.cycle(year)
        if cycle is None:
            cycle = self._add_cycle(Cycle(year=year, stage=SCORED, created_at=at, updated_at=at, **values))
            self.audit("cycle", str(year), "created", WHY_EVALUATION, by, at, None, _jsonable(values))
            return cycle, 1
        before = {key: getattr(cycle, key) for key in values}
        if before == values:
            return cycle, 0
        for key, value in values.items():
            setattr(cycle, key, value)
        cycle.updated_at = at
        self._flush()
        self.audit("cycle", str(year), "updated", WHY_EVALUATION, by, at, _jsonable(before), _jsonable(values))
        return cycle, 1

    def _save_results(
        self,
        cycle: Cycle,
        index_version: str,
        snapshot: str,
        results: pd.DataFrame,
        findings: pd.DataFrame,
        by: str,
        at: datetime,
    ) -> dict[str, int]:
        """A result whose values or findings differ from its current version gets a new version (R-12, R-21)."""
        incoming = _result_rows(results, index_version, snapshot)
        incoming_findings = _finding_rows(findings, set(incoming))
        for institution_id, values in incoming.items():
            values["findings_digest"] = _digest(incoming_findings.get(institution_id, []))
        stored = self._stored(cycle.id)
        plan = diff_versions(stored, incoming)
        _refuse_if_started(cycle.year, started_states(stored), list(plan.touched))
        current = {i: _current_of(stored, i) for i in plan.retired}
        differ = [current[i].result_id for i in plan.changed if _findings_differ(current[i], incoming[i])]
        old_findings = self._findings_of(differ)
        audits = [
            _change_audit(cycle.year, i, current[i], incoming[i], old_findings, incoming_findings, by, at)
            for i in plan.changed
        ]
        audits += [_result_audit(cycle.year, i, "withdrawn", by, at, _version_json(current[i]), None)
                   for i in plan.withdrawn]
        audits += [_result_audit(cycle.year, i, "new_version", by, at, None,  # a first version: before = null
                                 _version_json(Current(0, plan.next_version[i], incoming[i])))
                   for i in plan.new if i not in plan.reinstated]
        # a withdrawn institution that comes back continues its numbering
        audits += [
            _result_audit(cycle.year, i, "reinstated", by, at, None,
                          _version_json(Current(0, plan.next_version[i], incoming[i])))
            for i in plan.reinstated
        ]
        self._retire([current[i].result_id for i in plan.retired])
        writes = [(i, plan.next_version[i], incoming[i], incoming_findings.get(i, [])) for i in plan.written]
        written = self._insert_results(cycle.id, at, writes)
        self.audit_log.append_rows(audits)
        return {
            "new": len(plan.new), "changed": len(plan.changed), "unchanged": len(plan.unchanged),
            "withdrawn": len(plan.withdrawn), "findings": written, "audit": len(audits),
        }

    def change_result(
        self, cycle: Cycle, institution_id: str, results: pd.DataFrame, findings: pd.DataFrame, *,
        by: str, at: datetime, why: str,
    ) -> Result | None:
        """One institution re-scored (an upheld objection, 第十七条): a new current version when it differs.

        Returns the new version (state `scored`, for the caller to move on), or None when nothing changed.
        """
        incoming = _result_rows(results, cycle.index_version, cycle.snapshot)[institution_id]
        incoming_findings = _finding_rows(findings, {institution_id})
        incoming["findings_digest"] = _digest(incoming_findings.get(institution_id, []))
        stored = _current_of(self._stored(cycle.id, institution_id), institution_id)
        if same_apart_from_snapshot(stored.values, incoming):
            return None  # its own rows did not change: the snapshot it names still holds them
        old_findings = self._findings_of([stored.result_id]) if _findings_differ(stored, incoming) else {}
        audit = _change_audit(cycle.year, institution_id, stored, incoming, old_findings, incoming_findings, by, at)
        audit["why"] = why
        self._retire([stored.result_id])
        write = (institution_id, stored.version + 1, incoming, incoming_findings.get(institution_id, []))
        self._insert_results(cycle.id, at, [write])
        self.audit_log.append_rows([audit])
        return self._current_result(cycle.id, institution_id)

    def _replace_validation(
        self, cycle_id: int, snapshot: str, quarantine: pd.DataFrame, warnings: pd.DataFrame
    ) -> bool:
        """Quarantine and warnings of a cycle are those of its latest save: replaced when they differ."""
        quarantined = [_quarantine_row(cycle_id, snapshot, row) for row in _rows(quarantine, QUARANTINE_COLUMNS)]
        warned = [_warning_row(cycle_id, snapshot, row) for row in _rows(warnings, WARNING_COLUMNS)]
        same_quarantine = _multiset(self._stored_rows(QuarantinedRow, cycle_id)) == _multiset(quarantined)
        if same_quarantine and _multiset(self._stored_rows(ValidationWarning, cycle_id)) == _multiset(warned):
            return False
        self._replace_rows(QuarantinedRow, cycle_id, quarantined)
        self._replace_rows(ValidationWarning, cycle_id, warned)
        return True

    def audit(
        self,
        entity: str,
        entity_id: str,
        action: str,
        why: str,
        by: str,
        at: datetime,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        """Append one line to the audit log (R-21): who, when, why, and the values before and after."""
        self.audit_log.append(entity, entity_id, action, why, by, at, before, after)

    # ---- reading -----------------------------------------------------------------------------------

    def cycle(self, year: int) -> Cycle | None:
        """The cycle of an evaluation year, if it was saved."""
        return self.session.scalar(select(Cycle).where(Cycle.year == year))

    def saved_cycle(self, year: int) -> Cycle:
        """The cycle of an evaluation year; LookupError (exit code 2) when it was never saved."""
        cycle = self.cycle(year)
        if cycle is None:
            raise LookupError(f"{year} 年度尚无已保存的评价结果：请先运行 `credit evaluate --year {year}`")
        return cycle

    def cycles(self) -> list[Cycle]:
        """Every cycle, oldest first."""
        return list(self.session.scalars(select(Cycle).order_by(Cycle.year)))

    def versions(self, cycle_id: int) -> list[Result]:
        """Every result version of a cycle, current or not, by institution and version."""
        query = select(Result).where(Result.cycle_id == cycle_id).order_by(Result.institution_id, Result.version)
        return list(self.session.scalars(query))

    def revoked_institutions(self, cycle_id: int) -> set[str]:
        """Institutions of a cycle with a version revoked under 第十七条."""
        query = select(Result.institution_id).where(Result.cycle_id == cycle_id, Result.state == REVOKED)
        return set(self.session.scalars(query))

    def snapshot(self, digest: str) -> Snapshot | None:
        """A recorded snapshot (its origin, path and row counts), if recorded."""
        return self.session.get(Snapshot, digest)

    def current_results(self, year: int) -> pd.DataFrame:
        """The current version of every result of a year, formatted as results.csv, plus snapshot, version, state."""
        columns = [getattr(Result, name) for name in CURRENT_COLUMNS]
        query = select(*columns).join(Cycle).where(Cycle.year == year, Result.is_current.is_(True))
        return _current_frame(row._mapping for row in self.session.execute(query))

    def findings_for(self, year: int) -> pd.DataFrame:
        """The findings of the current results of a year, as findings.csv rows in its order."""
        query = (
            select(Result.institution_id, Finding.dimension, Finding.indicator, Finding.date,
                   Finding.raw_points, Finding.points, Finding.evidence)
            .join(Result, Result.id == Finding.result_id)
            .join(Cycle, Cycle.id == Result.cycle_id)
            .where(Cycle.year == year, Result.is_current.is_(True))
        )
        return _findings_frame((row[0], *_finding_key(row[1:])) for row in self.session.execute(query))

    def audit_entries(self, entity: str | None = None, entity_id: str | None = None) -> list[AuditRecord]:
        """The audit log in the order it was written, optionally for one entity (R-21)."""
        return self.audit_log.entries(entity, entity_id)

    # ---- storage: the only methods that touch the database -----------------------------------------

    def _flush(self) -> None:
        self.session.flush()

    def _ensure_snapshot(self, digest: str, origin: str, path: str, row_counts: dict[str, Any], at: datetime) -> None:
        # Content-addressed: the first save of a hash is kept, a later origin of the same content is not news.
        if self.snapshot(digest) is None:
            self.session.add(_snapshot_row(digest, origin, path, row_counts, at))
            self.session.flush()

    def _add_cycle(self, cycle: Cycle) -> Cycle:
        self.session.add(cycle)
        self.session.flush()
        return cycle

    def _upsert_registry(self, year: int, rows: list[dict[str, Any]]) -> None:
        # The registry holds the facts of the latest drop: an older cycle re-saved does not roll them back.
        newer = select(Cycle.id).where(Cycle.year > year).limit(1)
        if self.session.scalar(newer) is not None:
            return
        table = _table(Institution)
        stored = {row.institution_id: row._asdict() for row in self.session.execute(select(table))}
        new = [row for row in rows if row["institution_id"] not in stored]
        changed = [row for row in rows if row["institution_id"] in stored and stored[row["institution_id"]] != row]
        if new:
            self.session.execute(table.insert(), new)
        if changed:
            self.session.execute(update(Institution), changed)

    def _stored(self, cycle_id: int, institution_id: str | None = None) -> dict[str, Stored]:
        """Every institution with a version in the cycle: its current version and its highest number."""
        columns = [getattr(Result, name) for name in COMPARED]
        query = select(Result.id, Result.institution_id, Result.version, Result.state, *columns).where(
            Result.cycle_id == cycle_id, Result.is_current.is_(True)
        )
        latest = (
            select(Result.institution_id, func.max(Result.version))
            .where(Result.cycle_id == cycle_id)
            .group_by(Result.institution_id)
        )
        if institution_id is not None:
            query = query.where(Result.institution_id == institution_id)
            latest = latest.where(Result.institution_id == institution_id)
        current = {
            row.institution_id: Current(
                result_id=row.id, version=row.version, values={name: getattr(row, name) for name in COMPARED},
                state=row.state,
            )
            for row in self.session.execute(query)
        }
        return {i: Stored(current.get(i), version) for i, version in self.session.execute(latest)}

    def _findings_of(self, result_ids: list[int]) -> dict[int, list[tuple[str, ...]]]:
        """The findings of some result versions, as comparable text (see _finding_key)."""
        grouped: dict[int, list[tuple[str, ...]]] = defaultdict(list)
        for start in range(0, len(result_ids), 500):
            query = select(
                Finding.result_id, Finding.dimension, Finding.indicator, Finding.date,
                Finding.raw_points, Finding.points, Finding.evidence,
            ).where(Finding.result_id.in_(result_ids[start : start + 500]))
            for row in self.session.execute(query):
                grouped[row.result_id].append(_finding_key(row[1:]))
        return grouped

    def _retire(self, result_ids: list[int]) -> None:
        if result_ids:
            self.session.execute(update(Result), [{"id": i, "is_current": False} for i in result_ids])

    def _insert_results(
        self, cycle_id: int, at: datetime, writes: list[tuple[str, int, dict[str, Any], list[tuple[str, ...]]]]
    ) -> int:
        if not writes:
            return 0
        rows = _result_records(cycle_id, at, writes)
        table = _table(Result)
        ids = self.session.scalars(table.insert().returning(table.c.id, sort_by_parameter_order=True), rows).all()
        finding_rows = _finding_records(ids, writes)
        if finding_rows:
            _copy_rows(self.session, _table(Finding), FINDING_RECORD, finding_rows)
        return len(finding_rows)

    def _current_result(self, cycle_id: int, institution_id: str) -> Result:
        query = select(Result).where(Result.cycle_id == cycle_id, Result.institution_id == institution_id,
                                     Result.is_current.is_(True))
        return self.session.scalars(query).one()

    def _stored_rows(self, model: type[QuarantinedRow] | type[ValidationWarning],
                     cycle_id: int) -> list[dict[str, Any]]:
        table = _table(model)
        columns = [column for column in table.c if column.name != "id"]
        return [row._asdict() for row in self.session.execute(select(*columns).where(table.c.cycle_id == cycle_id))]

    def _replace_rows(self, model: type[QuarantinedRow] | type[ValidationWarning], cycle_id: int,
                      rows: list[dict[str, Any]]) -> None:
        table = _table(model)
        self.session.execute(table.delete().where(table.c.cycle_id == cycle_id))
        if rows:
            self.session.execute(table.insert(), rows)


# ---- converting between the frames (strings) and the typed columns ---------------------------------


def _rows(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """The frame's values of `columns` as plain Python tuples (<NA> as None): fast, unlike to_dict."""
    if len(frame) == 0:
        return []
    return list(zip(*(_column(frame, name) for name in columns), strict=True))


def _missing(value: Any) -> bool:
    if value is None or (isinstance(value, str) and value == ""):
        return True
    import pandas as pd

    return not isinstance(value, str) and bool(pd.isna(value))


def _text(value: Any) -> str | None:
    return None if _missing(value) else str(value)


def _int(value: Any) -> int | None:
    if _missing(value):
        return None
    number = Decimal(str(value))
    if number != number.to_integral_value():
        raise ValueError(f"{value!r} is not a whole number")
    return int(number)


@lru_cache(maxsize=4096)
def _point_text(value: str) -> str:
    """Points are exact decimals with at most one place (R-13): '89.9' stays 89.9, '89.95' is refused."""
    try:
        number = Decimal(value)
        tenths = number.quantize(TENTH)
    except InvalidOperation as error:
        raise ValueError(f"{value!r} is not a number of points") from error
    if tenths != number:
        raise ValueError(f"{value!r} has more than one decimal place")
    return f"{tenths:.1f}"


def _points(value: Any) -> Decimal | None:
    return None if _missing(value) else Decimal(_point_text(str(value)))


@lru_cache(maxsize=4096)
def _iso_text(value: str) -> str:
    return date.fromisoformat(value).isoformat()


def _iso(value: Any) -> str:
    """A date as ISO text, '' when empty; accepts ISO strings, dates and timestamps."""
    if _missing(value):
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _iso_text(str(value))


@lru_cache(maxsize=4096)
def _day(iso: str) -> date | None:
    return date.fromisoformat(iso) if iso else None


def _date(value: Any) -> date | None:
    return _day(_iso(value))


def _loose_date(value: Any) -> date | None:
    # status_changed_on is read only for removed institutions (INDEX_SYSTEM "Bad rows"): elsewhere junk is kept as null.
    try:
        return _date(value)
    except ValueError:
        return None


def _registry_rows(registry: pd.DataFrame, snapshot: str) -> list[dict[str, Any]]:
    rows = []
    for values in _rows(registry, REGISTRY_COLUMNS):
        given = dict(zip(REGISTRY_COLUMNS, values, strict=True))
        record: dict[str, Any] = {name: _text(value) for name, value in given.items()}
        record["registered_on"] = _date(given["registered_on"])
        record["status_changed_on"] = _loose_date(given["status_changed_on"])
        record["last_snapshot"] = snapshot
        rows.append(record)
    return rows


def _result_rows(results: pd.DataFrame, index_version: str, snapshot: str) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for values in _rows(results, RESULT_COLUMNS):
        row = dict(zip(RESULT_COLUMNS, values, strict=True))
        institution_id = str(row["institution_id"])
        if institution_id in rows:
            raise ValueError(f"results name institution {institution_id} twice")
        typed: dict[str, Any] = {name: _text(row[name]) for name in ("name", "county", "status", "grade")}
        typed |= {name: _points(row[name]) for name in POINT_COLUMNS}
        typed["clause"] = _int(row["clause"])
        typed["index_version"] = _text(row["index_version"]) or index_version
        typed["snapshot"] = snapshot
        rows[institution_id] = {name: typed[name] for name in VALUES}
    return rows


def _finding_rows(findings: pd.DataFrame, institutions: set[str]) -> dict[str, list[tuple[str, ...]]]:
    """Findings as comparable text keyed by institution (see _finding_key), converted once per distinct value."""
    if len(findings) == 0:
        return {}
    columns = [_column(findings, name) for name in FINDING_COLUMNS]
    ids, dimensions, indicators, days, raw_points, points, evidence = columns
    keys = zip(
        _each_distinct(dimensions, str), _each_distinct(indicators, str), _each_distinct(days, _iso),
        _each_distinct(raw_points, _point_key), _each_distinct(points, _point_key),
        ("" if value is None else str(value) for value in evidence),
        strict=True,
    )
    grouped: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for institution_id, key in zip(ids, keys, strict=True):
        grouped[institution_id].append(key)
    unknown = grouped.keys() - institutions
    if unknown:
        raise ValueError(f"findings name institutions without a result: {sorted(unknown)[:5]}")
    return grouped


def _column(frame: pd.DataFrame, name: str) -> Any:
    if name not in frame.columns:
        raise KeyError(f"frame lacks column {name!r}")
    return frame[name].to_numpy(dtype=object, na_value=None)


def _each_distinct(values: Any, convert: Any) -> list[Any]:
    """convert(value) for every value, computed once per distinct value (a drop has few dates and point values)."""
    import pandas as pd

    table = {value: convert(value) for value in pd.unique(values)}
    return [table[value] for value in values]


def _point_key(value: Any) -> str:
    if _missing(value):
        raise ValueError("a finding has no points")
    return _point_text(str(value))


def _finding_key(values: Iterable[Any]) -> tuple[str, ...]:
    """A stored finding as comparable text: dimension, indicator, ISO date ('' when none), raw points, points, evidence."""
    dimension, indicator, day, raw_points, points, evidence = values
    return (dimension, indicator, _stored_iso(day), _stored_points(raw_points), _stored_points(points), evidence)


@lru_cache(maxsize=4096)
def _stored_iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


@lru_cache(maxsize=4096)
def _stored_points(value: Decimal) -> str:
    return f"{value:.1f}"


FINDING_RECORD = ("result_id", "dimension", "indicator", "date", "raw_points", "points", "evidence")


def _finding_record(result_id: int, key: tuple[str, ...]) -> tuple[Any, ...]:
    dimension, indicator, day, raw_points, points, evidence = key
    return (result_id, dimension, indicator, _day(day), Decimal(raw_points), Decimal(points), evidence)


def _quarantine_row(cycle_id: int, snapshot: str, values: tuple[Any, ...]) -> dict[str, Any]:
    table, file, row, column, value, reason = values
    return {
        "cycle_id": cycle_id, "snapshot": snapshot, "table_name": str(table), "file": str(file), "row": _int(row),
        "column_name": _text(column), "value": _text(value), "reason": str(reason),
    }


def _warning_row(cycle_id: int, snapshot: str, values: tuple[Any, ...]) -> dict[str, Any]:
    file, row, key, column, reason = values
    return {
        "cycle_id": cycle_id, "snapshot": snapshot, "file": str(file), "row": _int(row), "key": _text(key),
        "column_name": _text(column), "reason": str(reason),
    }


def _multiset(rows: Iterable[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
    return Counter(tuple(sorted(row.items())) for row in rows)


def _format_result(row: Mapping[Any, Any]) -> dict[str, Any]:
    record = {name: ("" if row[name] is None else row[name]) for name in CURRENT_COLUMNS}
    for name in POINT_COLUMNS:
        if row[name] is not None:
            record[name] = f"{row[name]:.1f}"
    record["clause"] = "" if row["clause"] is None else str(row["clause"])
    return record


def _current_frame(rows: Iterable[Mapping[Any, Any]]) -> pd.DataFrame:
    """Current result versions as results.csv rows (plus snapshot, version, state), by institution."""
    import pandas as pd

    frame = pd.DataFrame([_format_result(row) for row in rows], columns=list(CURRENT_COLUMNS))
    frame["version"] = frame["version"].astype("int64")
    return frame.sort_values("institution_id", ignore_index=True)


def _findings_frame(records: Iterable[tuple[str, ...]]) -> pd.DataFrame:
    """Findings as findings.csv rows in its order."""
    import pandas as pd

    frame = pd.DataFrame(list(records), columns=list(FINDING_COLUMNS))
    order = ["institution_id", "dimension", "date", "indicator", "evidence"]
    return frame.sort_values(order, kind="stable", ignore_index=True)


def _snapshot_row(digest: str, origin: str, path: str, row_counts: dict[str, Any], at: datetime) -> Snapshot:
    counts = {str(k): int(v) for k, v in row_counts.items()}
    return Snapshot(hash=digest, origin=origin, path=path, row_counts=counts, created_at=at)


def _result_records(
    cycle_id: int, at: datetime, writes: list[tuple[str, int, dict[str, Any], list[tuple[str, ...]]]]
) -> list[dict[str, Any]]:
    """The rows of new current result versions, state `scored`."""
    return [
        {"cycle_id": cycle_id, "institution_id": institution_id, "version": version, "is_current": True,
         "state": SCORED, "created_at": at, **values}
        for institution_id, version, values, _ in writes
    ]


def _finding_records(
    result_ids: Iterable[int], writes: list[tuple[str, int, dict[str, Any], list[tuple[str, ...]]]]
) -> list[tuple[Any, ...]]:
    """The finding rows of new result versions, in FINDING_RECORD's column order."""
    return [
        _finding_record(result_id, finding)
        for result_id, (*_, findings) in zip(result_ids, writes, strict=True)
        for finding in findings
    ]


def _current_of(stored: dict[str, Stored], institution_id: str) -> Current:
    current = stored[institution_id].current
    if current is None:
        raise KeyError(institution_id)
    return current


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Values for the audit log's JSON: points as '81.0', dates as ISO strings, the rest as is."""

    def one(value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{value:.1f}"
        if isinstance(value, date):
            return value.isoformat()
        return value

    return {key: one(value) for key, value in values.items()}


def _digest(findings: list[tuple[str, ...]]) -> str:
    """sha256 of a version's findings in a fixed order: equal digests, equal findings."""
    return hashlib.sha256(json.dumps(sorted(findings), ensure_ascii=False).encode()).hexdigest()


def _findings_differ(stored: Current, values: dict[str, Any]) -> bool:
    return bool(stored.values["findings_digest"] != values["findings_digest"])


def _version_json(stored: Current) -> dict[str, Any]:
    values = {key: value for key, value in stored.values.items() if key != "findings_digest"}
    return {"version": stored.version, **_jsonable(values)}


def _change_audit(
    year: int, institution_id: str, stored: Current, values: dict[str, Any],
    old_findings: dict[int, list[tuple[str, ...]]], new_findings: dict[str, list[tuple[str, ...]]],
    by: str, at: datetime,
) -> dict[str, Any]:
    """Before/after of a new version: its values, and the findings only the old (before) or new (after) one has."""
    before = _version_json(stored)
    after = _version_json(Current(stored.result_id, stored.version + 1, values))
    if _findings_differ(stored, values):
        old = Counter(old_findings.get(stored.result_id, []))
        new = Counter(new_findings.get(institution_id, []))
        before["findings"] = [list(key) for key in sorted((old - new).elements())]
        after["findings"] = [list(key) for key in sorted((new - old).elements())]
    return _result_audit(year, institution_id, "new_version", by, at, before, after)


def _result_audit(
    year: int, institution_id: str, action: str, by: str, at: datetime,
    before: dict[str, Any] | None, after: dict[str, Any] | None,
) -> dict[str, Any]:
    return audit_row("result", f"{year}/{institution_id}", action, WHY_EVALUATION, by, at, before, after)


def _table(model: type[Any]) -> Table:
    """The Core table of a model (typed as such: the ORM declares a FromClause)."""
    return cast(Table, model.__table__)


def _copy_rows(session: Session, table: Table, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert in the session's transaction: COPY on PostgreSQL, the driver's executemany on SQLite.

    Both skip SQLAlchemy's per-row parameter handling, which costs more than the database for 400,000 findings;
    on SQLite the columns' own bind processors still convert the values.
    """
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    if dialect.name == "postgresql":
        statement = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
        driver = connection.connection.driver_connection
        assert driver is not None  # a live connection of the session's transaction
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    convert = [(index, process) for index, process in enumerate(processors) if process is not None]
    prepared = []
    for row in rows:
        values = list(row)
        for index, process in convert:
            values[index] = process(values[index])
        prepared.append(tuple(values))
    placeholders = ", ".join("?" for _ in names)
    connection.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({placeholders})", prepared)


def _refuse_if_started(year: int, started: list[str], touched: list[str]) -> None:
    """An evaluation may replace results only while none of the cycle's publicity has begun (R-15)."""
    if started and touched:
        raise CycleStartedError(
            f"cycle {year} is past scoring (results {', '.join(started)}): this evaluation would change "
            f"{len(touched)} result(s), e.g. {', '.join(sorted(touched)[:3])}. Change them with `credit rescore "
            f"--year {year} --recorded-events` (events recorded since) or an objection decision, which "
            "publicise changes again (第十八条)"
        )

