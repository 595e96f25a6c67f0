"""Hold information requests sent before the company finished enrollment.

``companies.enrolled`` records EnrollmentCompleted; ``information_requests`` keeps the
id of the InformationRequestSent event (``sent_event_id``) and whether the request is
still to be announced once the company is enrolled (``awaiting_enrollment``).

Companies already known with an SES Complaints Contact are taken as enrolled: that is
how revision 0001 decided whether the company could be told.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "companies", sa.Column("enrolled", sa.Boolean(), server_default="0", nullable=False)
    )
    op.add_column(
        "information_requests",
        sa.Column("sent_event_id", sa.String(length=64), nullable=True),
    )
    op.add_column(
        "information_requests",
        sa.Column("awaiting_enrollment", sa.Boolean(), server_default="0", nullable=False),
    )
    companies = sa.table(
        "companies",
        sa.column("complaints_contact_id", sa.String()),
        sa.column("enrolled", sa.Boolean()),
    )
    op.execute(
        companies.update()
        .where(companies.c.complaints_contact_id.is_not(None))
        .values(enrolled=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("information_requests") as batch:
        batch.drop_column("awaiting_enrollment")
        batch.drop_column("sent_event_id")
    with op.batch_alter_table("companies") as batch:
        batch.drop_column("enrolled")
