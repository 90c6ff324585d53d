"""accounts, comments, the audit hash chain, finalising a round

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 21:05:00.000000

The audit table gains ``sequence``, ``prev_hash`` and ``hash``; the events already there are
chained in id order (the append-only triggers are lifted for that one backfill and put back).
The columns are added with ALTER TABLE ADD COLUMN, not a table rebuild, so the triggers and
the rows stay as they are.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NO_UPDATE = """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"""
NO_DELETE = """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"""
# PostgreSQL (issue 9): the function of 0001 stays; only the row trigger is lifted
PG_NO_UPDATE = """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"""
PG_NO_DELETE = """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"""


def _chain_existing_events() -> None:
    from khit_desktop.domain.audit_chain import GENESIS, ChainEvent, event_hash

    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            'SELECT id, at_utc, "user", machine, action, entity, entity_id, round_year, '
            "old_json, new_json, reason FROM audit_event ORDER BY id"
        )
    ).fetchall()
    previous = GENESIS
    for sequence, row in enumerate(rows, start=1):
        at = row.at_utc if isinstance(row.at_utc, datetime) else datetime.fromisoformat(row.at_utc)
        event = ChainEvent(
            sequence,
            at,
            row.user,
            row.machine,
            row.action,
            row.entity,
            row.entity_id,
            row.round_year,
            row.old_json,
            row.new_json,
            row.reason or "",
            previous,
            "",
        )
        digest = event_hash(event)
        bind.execute(
            sa.text(
                "UPDATE audit_event SET sequence = :s, prev_hash = :p, hash = :h WHERE id = :id"
            ),
            {"s": sequence, "p": previous, "h": digest, "id": row.id},
        )
        previous = digest


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("criterion_code", sa.String(length=20), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at_utc", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_comment_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["round.id"], name=op.f("fk_comment_round_id_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
    )
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("finalized_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("finalized_by", sa.String(length=120), server_default="", nullable=False)
        )
    # plain ADD COLUMN keeps the audit table (and its triggers) in place
    op.add_column("audit_event", sa.Column("sequence", sa.Integer(), nullable=True))
    op.add_column("audit_event", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_event", sa.Column("hash", sa.String(length=64), nullable=True))
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    elif postgres:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update ON audit_event")
    _chain_existing_events()
    if sqlite:
        op.execute(NO_UPDATE)
    elif postgres:
        op.execute(PG_NO_UPDATE)
    op.create_index(op.f("uq_audit_event_sequence"), "audit_event", ["sequence"], unique=True)


def downgrade() -> None:
    # Support only: the chain columns go (the events stay); accounts and comments are dropped.
    sqlite = op.get_bind().dialect.name == "sqlite"  # ALTER TABLE keeps PostgreSQL's triggers
    op.drop_index(op.f("uq_audit_event_sequence"), table_name="audit_event")
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("sequence")
    if sqlite:
        op.execute(NO_UPDATE)
        op.execute(NO_DELETE)
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_column("finalized_by")
        batch_op.drop_column("finalized_at")
    op.drop_table("comment")
    op.drop_table("app_user")
