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

The log is a hash chain (issue #11): each row carries `row_hash`, the SHA-256 of its canonical content
(`canonical`: the columns of CHAINED as JSON with sorted keys, `at` in UTC ISO form, `prev_hash`
included), and `prev_hash`, the `row_hash` of the row before it (GENESIS for the first). Ids are dense:
`append_rows` gives each row the next id itself. What `verify_chain` detects, and what it cannot:

- a row edited (its content no longer gives its row_hash), or edited with its hash recomputed (the next
  row's prev_hash no longer matches): 内容被改动 / 链断开;
- rows deleted in the middle: the ids jump and the next row's prev_hash does not match: 缺少行（编号 a–b）;
- rows deleted at the end: on SQLite `sqlite_sequence` still holds the highest id ever issued (the table
  is AUTOINCREMENT, migration 0005), so the missing tail is reported; on PostgreSQL the sequence is not
  transactional (a rolled-back write consumes ids), so it cannot tell, and the tail is protected by the
  roles instead (deploy/README.md "数据库角色": the application role cannot DELETE, UPDATE, TRUNCATE,
  ALTER or disable the triggers of audit_log);
- a forged row INSERTed with any at/by: its hashes do not match unless the forger recomputes them.
  The hash is plain SHA-256, not keyed: whoever can rewrite every row and recompute the chain (or append
  a well-formed row at the end) is not caught by it. That attacker is stopped by the PostgreSQL role
  separation (only the migration owner can change audit_log), and on SQLite only by the file's
  permissions.
Gaps in the ids of rows that existed before the chain (PostgreSQL sequences skip the ids of rolled-back
writes) are sealed by the migration: across such a gap the prev_hash still matches, and on PostgreSQL a
gap whose link is intact is accepted; on SQLite ids never skip, so every gap is reported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, false, or_, select, text
from sqlalchemy.orm import Session

from store.models import AuditEntry, Complaint, Cycle, Inspection, InspectionFinding, Objection

YEAR_LED = ("cycle", "result", "share", "serious_event")  # entity_id "Y" or "Y/…"
INSTITUTION_LED = ("result", "serious_event")  # entity_id "Y/<institution>" or "Y/<institution>/v<n>"
RECORD_LED = ("objection", "inspection", "inspection_finding", "complaint")  # entity_id: the record's own id
OF_NO_CYCLE = ("inspector",)
ENTITIES = (*YEAR_LED, *RECORD_LED, *OF_NO_CYCLE)

GENESIS = "0" * 64  # the prev_hash of the first row
CHAINED = ("id", "at", "by", "entity", "entity_id", "action", "why", "before", "after", "prev_hash")  # hashed


def canonical(row: Mapping[str, Any]) -> str:
    """The content a row's hash is taken over: CHAINED as JSON, sorted keys, `at` as UTC ISO with microseconds.

    `at` is written as the store keeps it (UtcDateTime: a naive moment is local time), so the same text
    comes back from SQLite and PostgreSQL; before/after are JSON already, and sorted keys make their
    order irrelevant.
    """
    content = {name: row[name] for name in CHAINED}
    content["at"] = row["at"].astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_hash(row: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the row's canonical content, prev_hash included: this is what links the chain."""
    return hashlib.sha256(canonical(row).encode("utf-8")).hexdigest()


def chain(rows: list[dict[str, Any]], last_id: int, last_hash: str) -> list[dict[str, Any]]:
    """`rows` numbered on from `last_id`, each with prev_hash and row_hash (also used by migration 0005)."""
    chained = []
    for offset, row in enumerate(rows, start=1):
        line = {**row, "id": last_id + offset, "prev_hash": last_hash}
        line["row_hash"] = last_hash = row_hash(line)
        chained.append(line)
    return chained


@dataclass(frozen=True)
class ChainCheck:
    """What `AuditLog.verify_chain` found: intact, or the first broken or missing row and what is wrong."""

    ok: bool
    rows: int  # rows checked and found intact before the first problem (all of them when ok)
    bad_row: int | None  # the id of the first broken or missing row
    problem: str  # in Chinese, "" when ok


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
        """Append lines made by audit_row, in their order, chained on to the last row.

        The chain stays linear because every writing unit of work holds the store's writer lock (uow.py)
        from before its first read: the last row read here is still the last when the rows are inserted.
        Should anything append without the lock, two appenders would pick the same next id and the
        primary key refuses one of them: the chain can never fork.
        """
        if rows:
            last_id, last_hash = self._head()
            lines = chain(rows, last_id, last_hash)
            self.session.execute(cast(Table, AuditEntry.__table__).insert(), lines)  # Core: one executemany

    def _head(self) -> tuple[int, str]:
        """The id to number on from and the hash to link to: the last row (the highest id ever, on SQLite)."""
        last = self.session.execute(select(AuditEntry.id, AuditEntry.row_hash).order_by(AuditEntry.id.desc())
                                    .limit(1)).first()
        last_id, last_hash = (0, GENESIS) if last is None else (int(last[0]), str(last[1]))
        # a deleted tail on SQLite: number on after it, so that the gap shows (the link then is to the last row kept)
        return max(last_id, self.highest_issued() or 0), last_hash

    def highest_issued(self) -> int | None:
        """The highest id the database ever issued to audit_log, where it tells (SQLite sqlite_sequence)."""
        if self.session.get_bind().dialect.name != "sqlite":
            return None  # a PostgreSQL sequence is not transactional: rolled-back writes skip ids
        query = text("select seq from sqlite_sequence where name = 'audit_log'")
        seq = self.session.execute(query).scalar()
        return None if seq is None else int(seq)

    def verify_chain(self) -> ChainCheck:
        """Walk the whole log in id order: every row's own hash, its link to the row before, no id missing."""
        gaps_sealed = self.session.get_bind().dialect.name == "postgresql"
        checked, prev_id, prev_hash = 0, 0, GENESIS
        # plain tuples of the columns, not ORM objects: `cycle status` walks the whole chain on every run (issue 14)
        names = (*CHAINED, "row_hash")
        query = select(*(getattr(AuditEntry, name) for name in names)).order_by(AuditEntry.id)
        for values in self.session.execute(query.execution_options(yield_per=1000)):
            entry = dict(zip(names, values, strict=True))
            found = _problem(entry, prev_id, prev_hash, gaps_sealed)
            if found is not None:
                return ChainCheck(False, checked, *found)
            checked, prev_id, prev_hash = checked + 1, entry["id"], entry["row_hash"]
        highest = self.highest_issued()
        if highest is not None and highest > prev_id:
            missing = f"缺少行（编号 {_span(prev_id + 1, highest)}）：审计日志末尾的行已被删除"
            return ChainCheck(False, checked, prev_id + 1, missing)
        return ChainCheck(True, checked, None, "")

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


def _problem(entry: Mapping[str, Any], prev_id: int, prev_hash: str, gaps_sealed: bool) -> tuple[int, str] | None:
    """The first thing wrong with `entry` (its columns) after the row (prev_id, prev_hash), as (row id, message)."""
    row_id = int(entry["id"])
    if entry["row_hash"] != row_hash(entry):
        return row_id, f"编号 {row_id} 的行内容被改动（或为伪造插入的行）：其内容与所记哈希值不符"
    linked = entry["prev_hash"] == prev_hash
    if row_id != prev_id + 1 and not (linked and gaps_sealed):
        return prev_id + 1, f"缺少行（编号 {_span(prev_id + 1, row_id - 1)}）：这些行已被删除"
    if not linked:
        before = f"编号 {prev_id} 的行" if prev_id else "链首"
        return row_id, f"链断开：编号 {row_id} 的行所记的上一行哈希值与{before}不符（其前的行被改动、删除或伪造）"
    return None


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


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
