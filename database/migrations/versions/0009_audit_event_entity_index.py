"""an index on the audit trail by row (entity, entity_id)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 23:40:00.000000

The overview, the history dialog, the conflict message and the integrity check read a row's
events (``WHERE entity = … AND entity_id = …``); without an index every such read scans the
whole trail, which on a 2,000-agency round is tens of thousands of events. Creating an index
is not an UPDATE: the append-only triggers do not object.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_event_entity", "audit_event", ["entity", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_entity", table_name="audit_event")
