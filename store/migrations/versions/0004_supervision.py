"""Supervision records: inspections and their 第十条 findings, complaints; 第十七条 events kept.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

第七—十条 and 第十三条 (R-06, R-07, R-09): a verified finding or complaint becomes a credit event that
the next evaluation of its period scores (credit/supervision.py, tasks/supervision.py). A 第十七条
event applied in real time (R-14) is kept too, so that re-scoring the cycle keeps its direct D.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def recorded() -> list[sa.Column]:
    return [sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("created_by", sa.String(length=128), nullable=False)]


def outcome() -> list[sa.Column]:
    return [
        sa.Column("outcome", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "inspections",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.String(length=18), nullable=False),
        sa.Column("institution_name", sa.Text(), nullable=True),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("matters", sa.JSON(), nullable=False),
        sa.Column("inspectors", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("rules_version", sa.String(length=32), nullable=False),
        *recorded(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    op.create_index(op.f("ix_inspections_institution_id"), "inspections", ["institution_id"])
    op.create_table(
        "inspection_findings",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("inspection_id", sa.String(length=64), nullable=False),
        sa.Column("situation", sa.Integer(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("document_no", sa.String(length=64), nullable=False),
        sa.Column("document_year", sa.Integer(), nullable=False),
        sa.Column("document_sequence", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("document_path", sa.Text(), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        *outcome(),
        *recorded(),
        sa.CheckConstraint("situation BETWEEN 1 AND 6", name=op.f("ck_inspection_findings_situation")),
        sa.CheckConstraint("measure IN ('written_notice', 'interview')", name=op.f("ck_inspection_findings_measure")),
        sa.CheckConstraint("outcome IN ('pending', 'verified', 'not_verified')",
                           name=op.f("ck_inspection_findings_outcome")),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspections.id"],
                                name=op.f("fk_inspection_findings_inspection_id_inspections")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_findings")),
        sa.UniqueConstraint("document_no", name=op.f("uq_inspection_findings_document_no")),
    )
    op.create_index(op.f("ix_inspection_findings_inspection_id"), "inspection_findings", ["inspection_id"])
    op.create_table(
        "complaints",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.String(length=18), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("complainant", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        *outcome(),
        *recorded(),
        sa.CheckConstraint("channel IN ('hotline_12345', 'written')", name=op.f("ck_complaints_channel")),
        sa.CheckConstraint("outcome IN ('pending', 'verified', 'unfounded')", name=op.f("ck_complaints_outcome")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    op.create_index(op.f("ix_complaints_institution_id"), "complaints", ["institution_id"])
    op.create_table(
        "serious_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.String(length=18), nullable=False),
        sa.Column("clause", sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        *recorded(),
        sa.CheckConstraint("clause BETWEEN 1 AND 8", name=op.f("ck_serious_events_clause")),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"], name=op.f("fk_serious_events_cycle_id_cycles")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_serious_events")),
    )
    op.create_index(op.f("ix_serious_events_cycle_id"), "serious_events", ["cycle_id"])


def downgrade() -> None:
    op.drop_table("serious_events")
    op.drop_table("complaints")
    op.drop_table("inspection_findings")
    op.drop_table("inspections")
