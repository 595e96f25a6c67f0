"""Keep each complaint's reference number: notices name complaints by it, not by their id.

``complaints.reference_number`` is filled from the next complaints event that carries it
(every event does since this release). Until then a notice names the complaint by the
reference complaints recorded before readable references had
(``ses_core.models.complaint_reference.legacy_reference_number``), which is what those
complaints are called.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("complaints", sa.Column("reference_number", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.drop_column("reference_number")
