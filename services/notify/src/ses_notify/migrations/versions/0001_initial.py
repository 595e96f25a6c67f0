"""Notify tables: projection, preferences, deliveries, inbox, maintenance, webhooks.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from ses_core.platform.db import create_platform_tables_v1, drop_platform_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    create_platform_tables_v1()
    op.create_table(
        "agencies",
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=40), server_default="", nullable=False),
        sa.Column("name", sa.String(length=300), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_agencies")),
    )
    op.create_table(
        "companies",
        sa.Column("company_id", sa.String(length=64), nullable=False),
        sa.Column("legal_name", sa.String(length=300), server_default="", nullable=False),
        sa.Column("nmls_id", sa.String(length=20), server_default="", nullable=False),
        sa.Column("complaints_contact_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_companies")),
    )
    op.create_table(
        "complaints",
        sa.Column("complaint_id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("company_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), server_default="", nullable=False),
        sa.Column("agency_poc_id", sa.String(length=64), nullable=True),
        sa.Column("company_poc_id", sa.String(length=64), nullable=True),
        sa.Column("contributor_ids", JSON_DOCUMENT, nullable=False),
        sa.Column("information_requests_sent", sa.Boolean(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("complaint_id", name=op.f("pk_complaints")),
    )
    op.create_index(op.f("ix_complaints_company_id"), "complaints", ["company_id"], unique=False)

    op.create_table(
        "deliveries",
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.Column("delivery_key", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("event_subject", sa.String(length=255), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("topic", sa.String(length=48), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient_user_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("organization_kind", sa.String(length=16), server_default="", nullable=False),
        sa.Column("organization_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("address", sa.String(length=2048), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), server_default="", nullable=False),
        sa.Column("content", JSON_DOCUMENT, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("delivery_id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("delivery_key", name=op.f("uq_deliveries_delivery_key")),
    )
    op.create_index(
        "ix_deliveries_channel_status_next_attempt_at",
        "deliveries",
        ["channel", "status", "next_attempt_at"],
        unique=False,
    )
    op.create_index(op.f("ix_deliveries_event_id"), "deliveries", ["event_id"], unique=False)
    op.create_index(
        "ix_deliveries_organization_kind_organization_id",
        "deliveries",
        ["organization_kind", "organization_id"],
        unique=False,
    )

    op.create_table(
        "due_reminders",
        sa.Column("information_request_id", sa.String(length=64), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "information_request_id", "due_date", "kind", name=op.f("pk_due_reminders")
        ),
    )
    op.create_table(
        "enrollments",
        sa.Column("company_id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("initiated_by_user_id", sa.String(length=64), nullable=True),
        sa.Column("invited_user_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_enrollments")),
    )
    op.create_table(
        "information_requests",
        sa.Column("information_request_id", sa.String(length=64), nullable=False),
        sa.Column("complaint_id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("restricted_response", sa.Boolean(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("information_request_id", name=op.f("pk_information_requests")),
    )
    op.create_index(
        op.f("ix_information_requests_complaint_id"),
        "information_requests",
        ["complaint_id"],
        unique=False,
    )
    op.create_index(
        "ix_information_requests_state_due_date",
        "information_requests",
        ["state", "due_date"],
        unique=False,
    )

    op.create_table(
        "maintenance_windows",
        sa.Column("maintenance_window_id", sa.String(length=36), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("scheduled_by_user_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("maintenance_window_id", name=op.f("pk_maintenance_windows")),
    )
    op.create_index(
        op.f("ix_maintenance_windows_starts_at"), "maintenance_windows", ["starts_at"], unique=False
    )

    op.create_table(
        "notifications",
        sa.Column("notification_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=48), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("complaint_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column(
            "information_request_id", sa.String(length=64), server_default="", nullable=False
        ),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("notification_id", name=op.f("pk_notifications")),
    )
    op.create_index(
        "ix_notifications_user_id_created_at",
        "notifications",
        ["user_id", "created_at"],
        unique=False,
    )

    op.create_table(
        "preferences",
        sa.Column("owner_kind", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("choices", JSON_DOCUMENT, nullable=False),
        sa.Column("additional_emails", JSON_DOCUMENT, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner_kind", "owner_id", name=op.f("pk_preferences")),
    )
    op.create_table(
        "users",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("organization_kind", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("given_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("family_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("agency_role", sa.String(length=40), nullable=True),
        sa.Column(
            "complaints_permission", sa.String(length=16), server_default="none", nullable=False
        ),
        sa.Column("account_admin", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_users")),
    )
    op.create_index(op.f("ix_users_organization_id"), "users", ["organization_id"], unique=False)

    op.create_table(
        "webhook_endpoints",
        sa.Column("webhook_endpoint_id", sa.String(length=36), nullable=False),
        sa.Column("organization_kind", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("webhook_endpoint_id", name=op.f("pk_webhook_endpoints")),
    )
    op.create_index(
        "ix_webhook_endpoints_organization_kind_organization_id",
        "webhook_endpoints",
        ["organization_kind", "organization_id"],
        unique=False,
    )


def downgrade() -> None:
    drop_platform_tables_v1()
    op.drop_index(
        "ix_webhook_endpoints_organization_kind_organization_id", table_name="webhook_endpoints"
    )

    op.drop_table("webhook_endpoints")
    op.drop_index(op.f("ix_users_organization_id"), table_name="users")

    op.drop_table("users")
    op.drop_table("preferences")
    op.drop_index("ix_notifications_user_id_created_at", table_name="notifications")

    op.drop_table("notifications")
    op.drop_index(op.f("ix_maintenance_windows_starts_at"), table_name="maintenance_windows")

    op.drop_table("maintenance_windows")
    op.drop_index("ix_information_requests_state_due_date", table_name="information_requests")
    op.drop_index(op.f("ix_information_requests_complaint_id"), table_name="information_requests")

    op.drop_table("information_requests")
    op.drop_table("enrollments")
    op.drop_table("due_reminders")
    op.drop_index("ix_deliveries_organization_kind_organization_id", table_name="deliveries")
    op.drop_index(op.f("ix_deliveries_event_id"), table_name="deliveries")
    op.drop_index("ix_deliveries_channel_status_next_attempt_at", table_name="deliveries")

    op.drop_table("deliveries")
    op.drop_index(op.f("ix_complaints_company_id"), table_name="complaints")

    op.drop_table("complaints")
    op.drop_table("companies")
    op.drop_table("agencies")
