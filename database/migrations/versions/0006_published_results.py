"""published results of past years

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import khit_desktop.store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), server_default="appraised", nullable=False)
        )
    op.create_table(
        "published_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("published_name", sa.String(length=300), nullable=False),
        sa.Column("total", khit_desktop.store.types.ExactDecimal(), nullable=False),
        sa.Column("max_points", khit_desktop.store.types.ExactDecimal(), nullable=False),
        sa.Column("published_rank", sa.Integer(), nullable=True),
        sa.Column("published_class", sa.String(length=20), nullable=True),
        sa.Column("source_file", sa.String(length=400), nullable=False),
        sa.Column("source_sheet", sa.String(length=100), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_published_result_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_published_result_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_result")),
        sa.UniqueConstraint("round_id", "agency_id", name=op.f("uq_published_result_round_id")),
    )


def downgrade() -> None:
    # Support only: the published figures go; a past round stays, as an empty appraised round.
    op.drop_table("published_result")
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_column("kind")
