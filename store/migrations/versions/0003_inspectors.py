"""The inspector roster for the 双随机 draw of the inspection plan.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

第二十二条 (R-19): inspections of the plan are assigned to inspectors drawn at random from this roster;
an inspector with no county is city bureau staff, eligible everywhere.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inspectors",
        sa.Column("inspector_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("county", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("inspector_id", name=op.f("pk_inspectors")),
    )


def downgrade() -> None:
    op.drop_table("inspectors")
