"""The audit log: hash-chained entries, chain heads, signed checkpoints (issue 15).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)
CHAIN, HASH, ID, TEXT = 100, 64, 200, 300


def upgrade() -> None:
    text_columns = [
        ("source", TEXT),
        ("action", TEXT),
        ("outcome", 16),
        ("reason", TEXT),
        ("user_id", TEXT),
        ("side", 16),
        ("organization_id", ID),
        ("roles", TEXT),
        ("resource_kind", ID),
        ("resource_id", TEXT),
        ("complaint_id", ID),
        ("request_id", ID),
        ("client_address", TEXT),
    ]
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chain", sa.String(CHAIN), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", TIME, nullable=False),
        sa.Column("event_id", sa.String(ID), nullable=False),
        sa.Column("occurred_at", TIME, nullable=False),
        *(sa.Column(name, sa.String(length), nullable=False) for name, length in text_columns),
        sa.Column("forwarded_for", sa.Text(), nullable=False),
        sa.Column("previous_hash", sa.String(HASH), nullable=False),
        sa.Column("hash", sa.String(HASH), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entries"),
        sa.UniqueConstraint("chain", "sequence", name="uq_audit_entries_chain_sequence"),
        sa.UniqueConstraint("event_id", name="uq_audit_entries_event_id"),
    )
    op.create_index(
        "ix_audit_entries_organization_id_id", "audit_entries", ["organization_id", "id"]
    )
    op.create_index("ix_audit_entries_chain_id", "audit_entries", ["chain", "id"])
    op.create_table(
        "audit_chain_heads",
        sa.Column("chain", sa.String(CHAIN), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(HASH), nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("chain", name="pk_audit_chain_heads"),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chain", sa.String(CHAIN), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(HASH), nullable=False),
        sa.Column("signed_at", TIME, nullable=False),
        sa.Column("key_id", sa.String(ID), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_checkpoints"),
        sa.UniqueConstraint("chain", "sequence", name="uq_audit_checkpoints_chain_sequence"),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_chain_heads")
    op.drop_index("ix_audit_entries_chain_id", table_name="audit_entries")
    op.drop_index("ix_audit_entries_organization_id_id", table_name="audit_entries")
    op.drop_table("audit_entries")
