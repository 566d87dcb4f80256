"""Initial schema: registry, snapshots, cycles, versioned results, findings, quarantine, warnings, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-28

The audit log is append-only (R-21): triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

REFUSAL = "audit_log is append-only (R-21)"

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
    f"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
]

POSTGRESQL_TRIGGERS = [
    f"CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{REFUSAL}: % refused', TG_OP; END $$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse()",
]


def points(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.Numeric(precision=4, scale=1), nullable=nullable)


def moment(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def snapshot_ref(name: str = "snapshot") -> sa.Column:
    return sa.Column(name, sa.String(length=71), sa.ForeignKey("snapshots.hash"), nullable=False)


def cycle_ref() -> sa.Column:
    return sa.Column("cycle_id", sa.Integer(), sa.ForeignKey("cycles.id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("hash", sa.String(length=71), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("row_counts", sa.JSON(), nullable=False),
        moment("created_at"),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_snapshots")),
    )
    op.create_table(
        "institutions",
        sa.Column("institution_id", sa.String(length=18), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("county", sa.String(length=32), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("legal_nature", sa.String(length=32), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_changed_on", sa.Date(), nullable=True),
        sa.Column("materials_missing", sa.Text(), nullable=True),
        snapshot_ref("last_snapshot"),
        sa.PrimaryKeyConstraint("institution_id", name=op.f("pk_institutions")),
    )
    op.create_table(
        "cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("index_version", sa.String(length=32), nullable=False),
        snapshot_ref(),
        sa.Column("stage", sa.String(length=16), server_default="scored", nullable=False),
        moment("created_at"),
        moment("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycles")),
        sa.UniqueConstraint("year", name=op.f("uq_cycles_year")),
    )
    op.create_table(
        "results",
        sa.Column("id", sa.Integer(), nullable=False),
        cycle_ref(),
        sa.Column("institution_id", sa.String(length=18), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("county", sa.String(length=32), nullable=True),
        points("score"),
        sa.Column("grade", sa.String(length=1), nullable=True),
        sa.Column("clause", sa.Integer(), nullable=True),
        points("deduction_basic"),
        points("deduction_execution"),
        points("deduction_management"),
        points("deduction_integrity"),
        points("bonus"),
        sa.Column("index_version", sa.String(length=32), nullable=False),
        snapshot_ref(),
        sa.Column("state", sa.String(length=16), server_default="scored", nullable=False),
        sa.Column("findings_digest", sa.String(length=64), nullable=False),
        moment("created_at"),
        sa.CheckConstraint("status IN ('rated', 'not_rated')", name=op.f("ck_results_status")),
        sa.CheckConstraint("grade IN ('A', 'B', 'C', 'D')", name=op.f("ck_results_grade")),
        sa.CheckConstraint("clause BETWEEN 1 AND 8", name=op.f("ck_results_clause")),
        sa.CheckConstraint(
            "state IN ('scored', 'in_publicity', 'under_review', 'determined', 'published', 'shared', 'revoked')",
            name=op.f("ck_results_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_results")),
        sa.UniqueConstraint(
            "cycle_id", "institution_id", "version", name=op.f("uq_results_cycle_id_institution_id_version")
        ),
    )
    op.create_index(
        "ix_results_current",
        "results",
        ["cycle_id", "institution_id"],
        unique=True,
        sqlite_where=sa.text("is_current = 1"),
        postgresql_where=sa.text("is_current"),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), sa.ForeignKey("results.id"), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        points("raw_points", nullable=False),
        points("points", nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
    )
    op.create_index(op.f("ix_findings_result_id"), "findings", ["result_id"])
    op.create_table(
        "quarantined_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        cycle_ref(),
        snapshot_ref(),
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("column_name", sa.Text(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantined_rows")),
    )
    op.create_index(op.f("ix_quarantined_rows_cycle_id"), "quarantined_rows", ["cycle_id"])
    op.create_table(
        "warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        cycle_ref(),
        snapshot_ref(),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("key", sa.Text(), nullable=True),
        sa.Column("column_name", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warnings")),
    )
    op.create_index(op.f("ix_warnings_cycle_id"), "warnings", ["cycle_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        moment("at"),
        sa.Column("by", sa.String(length=128), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_entity_entity_id"), "audit_log", ["entity", "entity_id"])
    for statement in _triggers():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION audit_log_refuse()")
    for table in ("audit_log", "warnings", "quarantined_rows", "findings", "results", "cycles", "institutions"):
        op.drop_table(table)
    op.drop_table("snapshots")


def _triggers() -> list[str]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_TRIGGERS
    if dialect == "postgresql":
        return POSTGRESQL_TRIGGERS
    raise NotImplementedError(f"no append-only audit triggers for {dialect}")
