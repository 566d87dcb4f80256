"""Tables of the credit store: registry facts, snapshots, cycles, versioned results and the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from credit.lifecycle import STATES

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

HASH = 71  # "sha256:" + 64 hex digits


class UtcDateTime(TypeDecorator[datetime]):
    """A moment, stored in UTC and read back aware on every database (naive input = local time)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def points() -> Numeric[Decimal]:
    """Points and scores: exact decimals with one place (R-13), never binary floats."""
    return Numeric(4, 1, asdecimal=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Snapshot(Base):
    """A content-addressed copy of an input drop (R-12: every result names the snapshot it came from)."""

    __tablename__ = "snapshots"

    hash: Mapped[str] = mapped_column(String(HASH), primary_key=True)
    origin: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(Text)
    row_counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Institution(Base):
    """The registry (名录) facts of an institution as of the latest saved drop."""

    __tablename__ = "institutions"

    institution_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    county: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(Text)
    legal_nature: Mapped[str | None] = mapped_column(String(32))
    registered_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    status_changed_on: Mapped[date | None] = mapped_column(Date)
    materials_missing: Mapped[str | None] = mapped_column(Text)
    last_snapshot: Mapped[str] = mapped_column(ForeignKey("snapshots.hash"))


class Cycle(Base):
    """One annual evaluation (第十五条): its period, as-of date, index version, snapshot and stage."""

    __tablename__ = "cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    as_of: Mapped[date] = mapped_column(Date)
    index_version: Mapped[str] = mapped_column(String(32))
    snapshot: Mapped[str] = mapped_column(ForeignKey("snapshots.hash"))
    stage: Mapped[str] = mapped_column(String(16), default="scored", server_default="scored")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    results: Mapped[list[Result]] = relationship(back_populates="cycle", viewonly=True)


class Result(Base):
    """One version of an institution's result in a cycle; exactly one version per institution is current."""

    __tablename__ = "results"
    __table_args__ = (
        UniqueConstraint("cycle_id", "institution_id", "version"),
        Index(
            "ix_results_current",
            "cycle_id",
            "institution_id",
            unique=True,
            sqlite_where=text("is_current = 1"),
            postgresql_where=text("is_current"),
        ),
        CheckConstraint("status IN ('rated', 'not_rated')", name="status"),
        CheckConstraint("grade IN ('A', 'B', 'C', 'D')", name="grade"),
        CheckConstraint("clause BETWEEN 1 AND 8", name="clause"),
        CheckConstraint(f"state IN ({', '.join(repr(s) for s in STATES)})", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    institution_id: Mapped[str] = mapped_column(String(18))
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool]
    status: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(Text)
    county: Mapped[str | None] = mapped_column(String(32))
    score: Mapped[Decimal | None] = mapped_column(points())
    grade: Mapped[str | None] = mapped_column(String(1))
    clause: Mapped[int | None] = mapped_column(Integer)
    deduction_basic: Mapped[Decimal | None] = mapped_column(points())
    deduction_execution: Mapped[Decimal | None] = mapped_column(points())
    deduction_management: Mapped[Decimal | None] = mapped_column(points())
    deduction_integrity: Mapped[Decimal | None] = mapped_column(points())
    bonus: Mapped[Decimal | None] = mapped_column(points())
    index_version: Mapped[str] = mapped_column(String(32))
    snapshot: Mapped[str] = mapped_column(ForeignKey("snapshots.hash"))
    state: Mapped[str] = mapped_column(String(16), default="scored", server_default="scored")
    # sha256 of this version's findings, written with them: a re-save compares it instead of every finding.
    findings_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # 第十八—二十条: the dates of the lifecycle (migration 0002); None until the step happens.
    publicity_on: Mapped[date | None] = mapped_column(Date)
    publicity_last_day: Mapped[date | None] = mapped_column(Date)
    determined_on: Mapped[date | None] = mapped_column(Date)
    publish_by: Mapped[date | None] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    shared_on: Mapped[date | None] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    change_reason: Mapped[str | None] = mapped_column(Text)

    cycle: Mapped[Cycle] = relationship(back_populates="results", viewonly=True)
    findings: Mapped[list[Finding]] = relationship(back_populates="result", viewonly=True, order_by="Finding.id")


class Finding(Base):
    """One scored occurrence of an indicator, with its raw and counted points and its evidence."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id"), index=True)
    dimension: Mapped[str] = mapped_column(String(16))
    indicator: Mapped[str] = mapped_column(String(16))
    date: Mapped[date | None] = mapped_column(Date)
    raw_points: Mapped[Decimal] = mapped_column(points())
    points: Mapped[Decimal] = mapped_column(points())
    evidence: Mapped[str] = mapped_column(Text)

    result: Mapped[Result] = relationship(back_populates="findings", viewonly=True)


class QuarantinedRow(Base):
    """An input row set aside by validation, kept with the cycle and snapshot it was read for."""

    __tablename__ = "quarantined_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    snapshot: Mapped[str] = mapped_column(ForeignKey("snapshots.hash"))
    table_name: Mapped[str] = mapped_column(String(32))
    file: Mapped[str] = mapped_column(Text)
    row: Mapped[int] = mapped_column(Integer)
    column_name: Mapped[str | None] = mapped_column(Text)
    value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)


class ValidationWarning(Base):
    """A validation warning: the row was kept and read as the contract says."""

    __tablename__ = "warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    snapshot: Mapped[str] = mapped_column(ForeignKey("snapshots.hash"))
    file: Mapped[str] = mapped_column(Text)
    row: Mapped[int | None] = mapped_column(Integer)
    key: Mapped[str | None] = mapped_column(Text)
    column_name: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """R-21: who changed what, when, why, with the values before and after; append-only in the database.

    A hash chain (store/audit.py): `row_hash` is the SHA-256 of the row's content, `prev_hash` the one of
    the row before. AUTOINCREMENT on SQLite so that sqlite_sequence keeps the highest id ever issued.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "entity", "entity_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    by: Mapped[str] = mapped_column(String(128))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    why: Mapped[str] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))


class Objection(Base):
    """第十九条: a written objection, its admissibility by rule, and the reviewer's decision (R-16)."""

    __tablename__ = "objections"
    __table_args__ = (
        CheckConstraint("filer_kind IN ('institution', 'public', 'organisation')", name="filer_kind"),
        CheckConstraint("decision IN ('upheld', 'partly_upheld', 'rejected')", name="decision"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    institution_id: Mapped[str] = mapped_column(String(18))
    result_version: Mapped[int] = mapped_column(Integer)
    filer_kind: Mapped[str] = mapped_column(String(16))
    filer_name: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(Date)
    has_evidence: Mapped[bool]
    claim: Mapped[str] = mapped_column(Text)
    admissible: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(16))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(128))


class ObjectionEvidence(Base):
    """A file handed in with an objection, kept with its SHA-256."""

    __tablename__ = "objection_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[str] = mapped_column(ForeignKey("objections.id"))
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(Text)


class ObjectionSuspension(Base):
    """On-site verification or monitoring for an objection: its days do not count (第十九条)."""

    __tablename__ = "objection_suspensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[str] = mapped_column(ForeignKey("objections.id"))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)


class ObjectionCorrection(Base):
    """What an upheld objection corrects: an event withdrawn, or a detected finding set aside."""

    __tablename__ = "objection_corrections"
    __table_args__ = (CheckConstraint("kind IN ('withdraw_event', 'set_aside')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[str] = mapped_column(ForeignKey("objections.id"))
    kind: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str | None] = mapped_column(Text)
    indicator: Mapped[str | None] = mapped_column(String(16))
    evidence: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)


class SharePackage(Base):
    """A package written to the market regulation department's outbox (第二十条); same content is not resent."""

    __tablename__ = "share_packages"
    __table_args__ = (UniqueConstraint("cycle_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    shared_on: Mapped[date] = mapped_column(Date)
    path: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Inspector(Base):
    """An inspector of the bureau's roster for the 双随机 draw (第二十二条; R-19); county None = city bureau staff."""

    __tablename__ = "inspectors"

    inspector_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(Text)
    county: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Inspection(Base):
    """An inspection of an institution (第七—九条; R-06): how it was made, what it looked at, who made it."""

    __tablename__ = "inspections"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    institution_id: Mapped[str] = mapped_column(String(18), index=True)
    institution_name: Mapped[str | None] = mapped_column(Text)  # as the registry had it, or as given
    inspected_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(32))  # rules/supervision: 第九条
    matters: Mapped[list[str]] = mapped_column(JSON)  # rules/supervision: 第八条
    inspectors: Mapped[list[str]] = mapped_column(JSON)  # inspector ids of the roster
    summary: Mapped[str | None] = mapped_column(Text)
    rules_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(128))


class InspectionFinding(Base):
    """A 第十条 situation found by an inspection, the measure taken and its verification (R-07)."""

    __tablename__ = "inspection_findings"
    __table_args__ = (
        CheckConstraint("situation BETWEEN 1 AND 6", name="situation"),
        CheckConstraint("measure IN ('written_notice', 'interview')", name="measure"),
        CheckConstraint("outcome IN ('pending', 'verified', 'not_verified')", name="outcome"),
        UniqueConstraint("document_no"),
    )

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # also the credit event's id
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspections.id"), index=True)
    situation: Mapped[int] = mapped_column(Integer)
    facts: Mapped[str] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(String(16))
    document_no: Mapped[str] = mapped_column(String(64))
    document_year: Mapped[int] = mapped_column(Integer)
    document_sequence: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    document_path: Mapped[str | None] = mapped_column(Text)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    decided_on: Mapped[date | None] = mapped_column(Date)
    verified_on: Mapped[date | None] = mapped_column(Date)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(128))


class Complaint(Base):
    """A complaint about an institution (第十三条; R-09): only a verified one becomes credit information."""

    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint("channel IN ('hotline_12345', 'written')", name="channel"),
        CheckConstraint("outcome IN ('pending', 'verified', 'unfounded')", name="outcome"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # also the credit event's id
    institution_id: Mapped[str] = mapped_column(String(18), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[date] = mapped_column(Date)
    complainant: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    decided_on: Mapped[date | None] = mapped_column(Date)
    verified_on: Mapped[date | None] = mapped_column(Date)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(128))


class SeriousEvent(Base):
    """A 第十七条 event applied in real time to a cycle's result (R-14): kept so that any re-scoring of the
    cycle keeps the direct D, even when the event came after the cycle's as_of."""

    __tablename__ = "serious_events"
    __table_args__ = (CheckConstraint("clause BETWEEN 1 AND 8", name="clause"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    institution_id: Mapped[str] = mapped_column(String(18))
    clause: Mapped[int] = mapped_column(Integer)
    decided_on: Mapped[date] = mapped_column(Date)
    verified_on: Mapped[date] = mapped_column(Date)
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(128))


# ---- result notices and their delivery (issue 13; store/notices.py) -------------------------------------


class ResultNotice(Base):
    """信用风险等级评价结果告知书: one per institution and result version (第十九条 the institution's own result)."""

    __tablename__ = "result_notices"
    __table_args__ = (
        UniqueConstraint("cycle_id", "institution_id", "result_version"),
        UniqueConstraint("document_year", "document_sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id"), index=True)
    institution_id: Mapped[str] = mapped_column(String(18))
    result_version: Mapped[int] = mapped_column(Integer)
    document_no: Mapped[str] = mapped_column(String(64))
    document_year: Mapped[int] = mapped_column(Integer)
    document_sequence: Mapped[int] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    html_path: Mapped[str] = mapped_column(Text)
    pdf_path: Mapped[str | None] = mapped_column(Text)  # None: no PDF could be printed (the HTML is kept)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NoticeDelivery(Base):
    """One attempt to deliver a notice: mailed (sent / failed, with the SMTP answer) or left for the post."""

    __tablename__ = "notice_deliveries"
    __table_args__ = (CheckConstraint("status IN ('sent', 'failed', 'post')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("result_notices.id"), index=True)
    status: Mapped[str] = mapped_column(String(8))
    address: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    smtp_result: Mapped[str] = mapped_column(Text)  # the server's answer, or why the notice goes by post
    at: Mapped[datetime] = mapped_column(UtcDateTime())


# ---- output digests (issue 11 item 7: tamper evidence of what the program wrote) ----------------------------


OUTPUT_KINDS = ("package", "kept", "list", "site")  # outbox package, var/shares rows, published list, website


class OutputDigest(Base):
    """The SHA-256 of one file the program wrote for others (outbox, published lists, site, kept rows).

    Recorded when the file is written, so that `credit verify` and `advance` can tell a file changed,
    removed or added since; `folder` is the resolved folder, `name` the path inside it ("/" between parts).
    """

    __tablename__ = "output_digests"
    __table_args__ = (
        UniqueConstraint("folder", "name"),
        CheckConstraint("kind IN ('package', 'kept', 'list', 'site')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int | None] = mapped_column(Integer)
    folder: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
