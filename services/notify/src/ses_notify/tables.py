"""The notify service's tables.

Nothing here is owned by one agency: users, companies and deliveries span tenants
(a company answers every agency), so the tables are keyed by user, organisation or
delivery rather than scoped by tenant, and the stores query them directly instead
of through ``TenantScopedRepository``. The tenant of the event that caused a
delivery is kept on the delivery for operators.

Projection tables (``users`` … ``enrollments``) are notify's own copy of what the
enrollment and complaints services announce in their events.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from ses_core.platform.db import JsonDocument, UtcDateTime, new_metadata

metadata = new_metadata()

ID = 64

users = Table(
    "users",
    metadata,
    Column("user_id", String(ID), primary_key=True),
    Column("organization_kind", String(16), nullable=False),
    Column("organization_id", String(ID), nullable=False, index=True),
    Column("email", String(254), nullable=False),
    Column("given_name", String(200), nullable=False, server_default=""),
    Column("family_name", String(200), nullable=False, server_default=""),
    Column("agency_role", String(40), nullable=True),
    Column("complaints_permission", String(16), nullable=False, server_default="none"),
    Column("account_admin", Boolean, nullable=False, server_default="0"),
    Column("active", Boolean, nullable=False, server_default="1"),
)

agencies = Table(
    "agencies",
    metadata,
    Column("agency_id", String(ID), primary_key=True),
    Column("code", String(40), nullable=False, server_default=""),
    Column("name", String(300), nullable=False, server_default=""),
)

companies = Table(
    "companies",
    metadata,
    Column("company_id", String(ID), primary_key=True),
    Column("legal_name", String(300), nullable=False, server_default=""),
    Column("nmls_id", String(20), nullable=False, server_default=""),
    Column("complaints_contact_id", String(ID), nullable=True),
    # Set by EnrollmentCompleted: until then the company cannot see its complaints.
    Column("enrolled", Boolean, nullable=False, server_default="0"),
)

complaints = Table(
    "complaints",
    metadata,
    Column("complaint_id", String(ID), primary_key=True),
    Column("tenant_id", String(ID), nullable=False),
    Column("company_id", String(ID), nullable=False, index=True),
    # The name notices give the complaint; NULL until an event carried it.
    Column("reference_number", String(40), nullable=True),
    Column("status", String(32), nullable=False, server_default=""),
    Column("agency_poc_id", String(ID), nullable=True),
    Column("company_poc_id", String(ID), nullable=True),
    Column("contributor_ids", JsonDocument, nullable=False),
    Column("information_requests_sent", Boolean, nullable=False, server_default="0"),
)

information_requests = Table(
    "information_requests",
    metadata,
    Column("information_request_id", String(ID), primary_key=True),
    Column("complaint_id", String(ID), nullable=False, index=True),
    Column("tenant_id", String(ID), nullable=False),
    Column("state", String(32), nullable=False),
    Column("due_date", Date, nullable=True),
    Column("restricted_response", Boolean, nullable=False, server_default="0"),
    # The InformationRequestSent event: its deliveries are keyed by it, even when deferred.
    Column("sent_event_id", String(ID), nullable=True),
    # Sent while the company could not be told; announced when its enrollment completes.
    Column("awaiting_enrollment", Boolean, nullable=False, server_default="0"),
    Index("ix_information_requests_state_due_date", "state", "due_date"),
)

enrollments = Table(
    "enrollments",
    metadata,
    Column("company_id", String(ID), primary_key=True),
    Column("tenant_id", String(ID), nullable=False),
    Column("initiated_by_user_id", String(ID), nullable=True),
    Column("invited_user_id", String(ID), nullable=True),
)

preferences = Table(
    "preferences",
    metadata,
    # "user" or "company"
    Column("owner_kind", String(16), primary_key=True),
    Column("owner_id", String(ID), primary_key=True),
    Column("choices", JsonDocument, nullable=False),
    Column("additional_emails", JsonDocument, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("delivery_id", String(36), primary_key=True),
    # sha256 of (event, channel, recipient, address): one delivery per such tuple, ever.
    Column("delivery_key", String(64), nullable=False, unique=True),
    Column("event_id", String(ID), nullable=False, index=True),
    Column("event_subject", String(255), nullable=False),
    Column("tenant_id", String(ID), nullable=False, server_default=""),
    Column("topic", String(48), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("recipient_user_id", String(ID), nullable=False, server_default=""),
    Column("organization_kind", String(16), nullable=False, server_default=""),
    Column("organization_id", String(ID), nullable=False, server_default=""),
    Column("address", String(2048), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=False, server_default=""),
    Column("content", JsonDocument, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_attempt_at", UtcDateTime, nullable=True),
    # When the delivery is due next; also the lease of a worker that claimed it.
    Column("next_attempt_at", UtcDateTime, nullable=True),
    Column("delivered_at", UtcDateTime, nullable=True),
    Index("ix_deliveries_channel_status_next_attempt_at", "channel", "status", "next_attempt_at"),
    Index(
        "ix_deliveries_organization_kind_organization_id", "organization_kind", "organization_id"
    ),
)

notifications = Table(
    "notifications",
    metadata,
    # The in-app delivery's id: one inbox entry per in-app delivery.
    Column("notification_id", String(36), primary_key=True),
    Column("user_id", String(ID), nullable=False),
    Column("topic", String(48), nullable=False),
    Column("title", String(500), nullable=False),
    Column("body", Text, nullable=False),
    Column("complaint_id", String(ID), nullable=False, server_default=""),
    Column("information_request_id", String(ID), nullable=False, server_default=""),
    Column("event_id", String(ID), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("read_at", UtcDateTime, nullable=True),
    Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
)

maintenance_windows = Table(
    "maintenance_windows",
    metadata,
    Column("maintenance_window_id", String(36), primary_key=True),
    Column("starts_at", UtcDateTime, nullable=False, index=True),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("description", String(500), nullable=False),
    Column("emergency", Boolean, nullable=False),
    Column("scheduled_by_user_id", String(ID), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("webhook_endpoint_id", String(36), primary_key=True),
    Column("organization_kind", String(16), nullable=False),
    Column("organization_id", String(ID), nullable=False),
    Column("url", String(2048), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index(
        "ix_webhook_endpoints_organization_kind_organization_id",
        "organization_kind",
        "organization_id",
    ),
)

# Every secret of an endpoint signs each delivery; two at once while one is rotated.
webhook_signing_secrets = Table(
    "webhook_signing_secrets",
    metadata,
    Column("signing_secret_id", String(36), primary_key=True),
    Column("webhook_endpoint_id", String(36), nullable=False, index=True),
    # The HMAC key as given out (whsec_<base64>); it must be readable to sign.
    Column("secret", String(128), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

due_reminders = Table(
    "due_reminders",
    metadata,
    Column("information_request_id", String(ID), primary_key=True),
    Column("due_date", Date, primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("sent_at", UtcDateTime, nullable=False),
)
