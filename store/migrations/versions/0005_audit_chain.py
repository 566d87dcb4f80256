"""Audit-log hash chain: every row carries the SHA-256 of its content and of the row before it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Rows that exist already are chained in the order of their ids (store/audit.py `chain`, the same function
that appends new rows). The append-only triggers refuse UPDATE, so the migration, run by the tables'
owner, sets them aside for its own statements only: on PostgreSQL it disables the row trigger inside
this transaction and enables it again; on SQLite the table is rebuilt (so that it is AUTOINCREMENT:
sqlite_sequence then keeps the highest id ever issued) and the triggers are created again on it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from store.audit import GENESIS, chain
from store.models import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REFUSAL = "audit_log is append-only (R-21)"  # as in 0001
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
    f"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END",
]
CONTENT = ("at", "by", "entity", "entity_id", "action", "why", "before", "after")


def _columns(chained: bool) -> list[sa.Column[Any]]:
    """The columns of audit_log as 0001 made them, with the two hash columns when `chained`."""
    columns: list[sa.Column[Any]] = [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", UtcDateTime(), nullable=False),  # DDL: DateTime(timezone=True), as in 0001
        sa.Column("by", sa.String(length=128), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
    ]
    if chained:
        columns += [sa.Column("prev_hash", sa.String(length=64), nullable=False),
                    sa.Column("row_hash", sa.String(length=64), nullable=False)]
    return columns


def _reader(name: str) -> sa.Table:
    """audit_log as rows to read: `at` read back as the store reads it (aware, UTC)."""
    return sa.Table(name, sa.MetaData(), sa.Column("id", sa.Integer()), sa.Column("at", UtcDateTime()),
                    *(sa.Column(c, sa.JSON() if c in ("before", "after") else sa.Text()) for c in CONTENT[1:]))


def _existing_rows(name: str) -> list[dict[str, Any]]:
    table = _reader(name)
    rows = op.get_bind().execute(sa.select(table).order_by(table.c.id)).mappings()
    return [dict(row) for row in rows]


def _chained(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The existing rows with their hashes, each keeping its id (gaps stay, sealed by the links)."""
    lines, last_hash = [], GENESIS
    for row in rows:
        [line] = chain([{c: row[c] for c in CONTENT}], row["id"] - 1, last_hash)
        lines.append(line)
        last_hash = line["row_hash"]
    return lines


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(chained=True)
        return
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_log", sa.Column("row_hash", sa.String(length=64), nullable=True))
    lines = _chained(_existing_rows("audit_log"))
    if lines:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
        table = sa.table("audit_log", sa.column("id"), sa.column("prev_hash"), sa.column("row_hash"))
        update = table.update().where(table.c.id == sa.bindparam("line_id"))
        op.get_bind().execute(update.values(prev_hash=sa.bindparam("prev"), row_hash=sa.bindparam("hash")),
                              [{"line_id": x["id"], "prev": x["prev_hash"], "hash": x["row_hash"]} for x in lines])
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change")
    op.alter_column("audit_log", "prev_hash", nullable=False)
    op.alter_column("audit_log", "row_hash", nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(chained=False)
        return
    op.drop_column("audit_log", "row_hash")
    op.drop_column("audit_log", "prev_hash")


def _rebuild_sqlite(chained: bool) -> None:
    """SQLite cannot alter a table's key or constraints: copy audit_log into a new one, then swap them."""
    rows = _existing_rows("audit_log")
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    op.create_table("audit_log_new", *_columns(chained), sqlite_autoincrement=chained)
    lines = _chained(rows) if chained else [{"id": row["id"], **{c: row[c] for c in CONTENT}} for row in rows]
    if lines:
        writer = sa.Table("audit_log_new", sa.MetaData(), *_columns(chained))
        op.get_bind().execute(writer.insert(), lines)
    op.drop_index("ix_audit_log_entity_entity_id", table_name="audit_log")
    op.drop_table("audit_log")
    op.rename_table("audit_log_new", "audit_log")
    op.create_index("ix_audit_log_entity_entity_id", "audit_log", ["entity", "entity_id"])
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)
