"""Output digests kept in the store (issue 11 item 7): the SHA-256 of every file shared, published or put on the site.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

`credit verify` and `advance` compare the files on disk with these rows: a file changed, removed or
added since it was written is reported, and `advance` refuses to build on it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "output_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('package', 'kept', 'list', 'site')", name=op.f("ck_output_digests_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_output_digests")),
        sa.UniqueConstraint("folder", "name", name=op.f("uq_output_digests_folder_name")),
    )


def downgrade() -> None:
    op.drop_table("output_digests")
