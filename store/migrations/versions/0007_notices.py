"""Institution result notices and their deliveries (owned by the notices work).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Issue 13 (第十九条): each evaluated institution gets its own 信用风险等级评价结果告知书, one per result
version, mailed with its PDF or left for the post; every attempt is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "result_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.String(length=18), nullable=False),
        sa.Column("result_version", sa.Integer(), nullable=False),
        sa.Column("document_no", sa.String(length=64), nullable=False),
        sa.Column("document_year", sa.Integer(), nullable=False),
        sa.Column("document_sequence", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("html_path", sa.Text(), nullable=False),
        sa.Column("pdf_path", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"], name=op.f("fk_result_notices_cycle_id_cycles")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_notices")),
        sa.UniqueConstraint("cycle_id", "institution_id", "result_version",
                            name=op.f("uq_result_notices_cycle_id_institution_id_result_version")),
        sa.UniqueConstraint("document_year", "document_sequence",
                            name=op.f("uq_result_notices_document_year_document_sequence")),
    )
    op.create_index(op.f("ix_result_notices_cycle_id"), "result_notices", ["cycle_id"])
    op.create_table(
        "notice_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("smtp_result", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('sent', 'failed', 'post')", name=op.f("ck_notice_deliveries_status")),
        sa.ForeignKeyConstraint(["notice_id"], ["result_notices.id"],
                                name=op.f("fk_notice_deliveries_notice_id_result_notices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_deliveries")),
    )
    op.create_index(op.f("ix_notice_deliveries_notice_id"), "notice_deliveries", ["notice_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notice_deliveries_notice_id"), table_name="notice_deliveries")
    op.drop_table("notice_deliveries")
    op.drop_index(op.f("ix_result_notices_cycle_id"), table_name="result_notices")
    op.drop_table("result_notices")
