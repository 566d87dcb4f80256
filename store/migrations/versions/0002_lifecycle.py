"""The lifecycle after scoring: publicity dates on results, objections, suspensions, corrections, shares.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

第十八—二十一条 (R-15–R-18): every deadline is a stored date so the daily `advance` can move results on
without anything staying up between days.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

RESULT_DATES = ("publicity_on", "publicity_last_day", "determined_on", "publish_by", "published_on", "shared_on",
                "revoked_on")


def moment(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def objection_ref() -> sa.Column:
    return sa.Column("objection_id", sa.String(length=64), sa.ForeignKey("objections.id"), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("results") as batch:
        for name in RESULT_DATES:
            batch.add_column(sa.Column(name, sa.Date(), nullable=True))
        batch.add_column(sa.Column("change_reason", sa.Text(), nullable=True))
    op.create_table(
        "objections",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("cycle_id", sa.Integer(), sa.ForeignKey("cycles.id"), nullable=False),
        sa.Column("institution_id", sa.String(length=18), nullable=False),
        sa.Column("result_version", sa.Integer(), nullable=False),
        sa.Column("filer_kind", sa.String(length=16), nullable=False),
        sa.Column("filer_name", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("has_evidence", sa.Boolean(), nullable=False),
        sa.Column("claim", sa.Text(), nullable=False),
        sa.Column("admissible", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        moment("created_at"),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.CheckConstraint("filer_kind IN ('institution', 'public', 'organisation')",
                           name=op.f("ck_objections_filer_kind")),
        sa.CheckConstraint("decision IN ('upheld', 'partly_upheld', 'rejected')", name=op.f("ck_objections_decision")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
    )
    op.create_index(op.f("ix_objections_cycle_id"), "objections", ["cycle_id"])
    op.create_table(
        "objection_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        objection_ref(),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection_evidence")),
    )
    op.create_table(
        "objection_suspensions",
        sa.Column("id", sa.Integer(), nullable=False),
        objection_ref(),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection_suspensions")),
    )
    op.create_table(
        "objection_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        objection_ref(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=True),
        sa.Column("indicator", sa.String(length=16), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('withdraw_event', 'set_aside')", name=op.f("ck_objection_corrections_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection_corrections")),
    )
    op.create_table(
        "share_packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), sa.ForeignKey("cycles.id"), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("shared_on", sa.Date(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        moment("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_packages")),
        sa.UniqueConstraint("cycle_id", "sequence", name=op.f("uq_share_packages_cycle_id_sequence")),
    )


def downgrade() -> None:
    for table in ("share_packages", "objection_corrections", "objection_suspensions", "objection_evidence"):
        op.drop_table(table)
    op.drop_index(op.f("ix_objections_cycle_id"), table_name="objections")
    op.drop_table("objections")
    with op.batch_alter_table("results") as batch:
        batch.drop_column("change_reason")
        for name in reversed(RESULT_DATES):
            batch.drop_column(name)
