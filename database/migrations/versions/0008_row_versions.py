"""row versions for optimistic concurrency (several clerks on one PostgreSQL server)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 09:00:00.000000

Each row two users may edit at the same time gets ``version`` (1 for the rows already there);
SQLAlchemy's ``version_id_col`` adds 1 on every UPDATE and refuses an UPDATE whose version
has moved (``services.concurrency``). Added with ALTER TABLE ADD COLUMN (no table rebuild).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = (
    "round",
    "round_agency",
    "receipt",
    "score",
    "general_value",
    "survey",
    "explanation",
    "council_decision",
)


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
