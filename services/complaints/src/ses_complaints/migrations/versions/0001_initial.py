"""Initial schema: complaints, their IR index and history, directory projections.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ses_core.platform.db import JsonDocument, UtcDateTime, create_platform_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ID = 64
_TENANT = 100
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    create_platform_tables_v1()
    _create_complaints()
    _create_information_requests()
    _create_history()
    _create_directory()


def downgrade() -> None:
    for table in (
        "uploaded_files",
        "directory_users",
        "directory_companies",
        "directory_agencies",
        "complaint_history",
        "information_requests",
        "complaints",
    ):
        op.drop_table(table)
    from ses_core.platform.db import drop_platform_tables_v1

    drop_platform_tables_v1()


def _create_complaints() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.String(_ID), nullable=False),
        sa.Column("tenant_id", sa.String(_TENANT), nullable=False),
        sa.Column("company_id", sa.String(_TENANT), nullable=False),
        sa.Column("reference_number", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("agency_poc_id", sa.String(_TENANT), nullable=False),
        sa.Column("company_poc_id", sa.String(_TENANT), nullable=True),
        sa.Column("referred_to_tenant_id", sa.String(_TENANT), nullable=True),
        sa.Column("sent_to_company", sa.Boolean(), nullable=False),
        sa.Column("complainant_name", sa.String(255), nullable=False),
        sa.Column("complainant_restricted", sa.Boolean(), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("next_due_date", sa.Date(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("document", JsonDocument, nullable=False),
        sa.Column("extras", JsonDocument, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_complaints"),
    )
    for name, columns in (
        ("ix_complaints_tenant_created", ["tenant_id", "created_at", "id"]),
        ("ix_complaints_tenant_status_created", ["tenant_id", "status", "created_at", "id"]),
        ("ix_complaints_tenant_company_created", ["tenant_id", "company_id", "created_at", "id"]),
        (
            "ix_complaints_tenant_agency_poc_created",
            ["tenant_id", "agency_poc_id", "created_at", "id"],
        ),
        (
            "ix_complaints_tenant_company_poc_created",
            ["tenant_id", "company_poc_id", "created_at", "id"],
        ),
        ("ix_complaints_tenant_next_due", ["tenant_id", "next_due_date"]),
        ("ix_complaints_referred_created", ["referred_to_tenant_id", "created_at", "id"]),
        (
            "ix_complaints_company_sent_created",
            ["company_id", "sent_to_company", "created_at", "id"],
        ),
    ):
        op.create_index(name, "complaints", columns)


def _create_information_requests() -> None:
    op.create_table(
        "information_requests",
        sa.Column("id", sa.String(_ID), nullable=False),
        sa.Column("tenant_id", sa.String(_TENANT), nullable=False),
        sa.Column("complaint_id", sa.String(_ID), nullable=False),
        sa.Column("company_id", sa.String(_TENANT), nullable=False),
        sa.Column("complaint_reference_number", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("awaiting_company", sa.Boolean(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("original_due_date", sa.Date(), nullable=True),
        sa.Column("sort_due_date", sa.Date(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.Column("agency_poc_id", sa.String(_TENANT), nullable=False),
        sa.Column("company_poc_id", sa.String(_TENANT), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_information_requests"),
    )
    for name, columns in (
        ("ix_information_requests_tenant_due", ["tenant_id", "sort_due_date", "id"]),
        (
            "ix_information_requests_tenant_status_due",
            ["tenant_id", "status", "sort_due_date", "id"],
        ),
        (
            "ix_information_requests_tenant_awaiting_due",
            ["tenant_id", "awaiting_company", "sort_due_date", "id"],
        ),
        (
            "ix_information_requests_tenant_company_due",
            ["tenant_id", "company_id", "sort_due_date", "id"],
        ),
        (
            "ix_information_requests_tenant_agency_poc_due",
            ["tenant_id", "agency_poc_id", "sort_due_date", "id"],
        ),
        (
            "ix_information_requests_tenant_company_poc_due",
            ["tenant_id", "company_poc_id", "sort_due_date", "id"],
        ),
        ("ix_information_requests_complaint", ["complaint_id", "number"]),
        ("ix_information_requests_company_due", ["company_id", "sort_due_date", "id"]),
    ):
        op.create_index(name, "information_requests", columns)


def _create_history() -> None:
    op.create_table(
        "complaint_history",
        sa.Column("seq", _SEQ, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(_ID), nullable=False),
        sa.Column("complaint_id", sa.String(_ID), nullable=False),
        sa.Column("tenant_id", sa.String(_TENANT), nullable=False),
        sa.Column("occurred_at", UtcDateTime(), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("actor_id", sa.String(_TENANT), nullable=False),
        sa.Column("information_request_id", sa.String(_ID), nullable=True),
        sa.Column("payload", JsonDocument, nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_complaint_history"),
        sa.UniqueConstraint("event_id", name="uq_complaint_history_event_id"),
    )
    op.create_index(
        "ix_complaint_history_complaint_seq", "complaint_history", ["complaint_id", "seq"]
    )


def _create_directory() -> None:
    op.create_table(
        "directory_agencies",
        sa.Column("agency_id", sa.String(_TENANT), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", name="pk_directory_agencies"),
    )
    op.create_table(
        "directory_companies",
        sa.Column("company_id", sa.String(_TENANT), nullable=False),
        sa.Column("legal_name", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("enrolled_at", UtcDateTime(), nullable=True),
        sa.Column("complaints_contact_id", sa.String(_TENANT), nullable=True),
        sa.PrimaryKeyConstraint("company_id", name="pk_directory_companies"),
    )
    op.create_table(
        "directory_users",
        sa.Column("user_id", sa.String(_TENANT), nullable=False),
        sa.Column("agency_id", sa.String(_TENANT), nullable=True),
        sa.Column("company_id", sa.String(_TENANT), nullable=True),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("agency_role", sa.String(40), nullable=False),
        sa.Column("complaints_permission", sa.String(10), nullable=False),
        sa.Column("account_administrator", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_directory_users"),
    )
    op.create_index("ix_directory_users_company", "directory_users", ["company_id"])
    op.create_index("ix_directory_users_agency", "directory_users", ["agency_id"])
    op.create_table(
        "uploaded_files",
        sa.Column("file_id", sa.String(_ID), nullable=False),
        sa.Column("tenant_id", sa.String(_TENANT), nullable=False),
        sa.Column("name", sa.String(800), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("uploaded_by", sa.String(_TENANT), nullable=False),
        sa.Column("completed_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("file_id", name="pk_uploaded_files"),
    )
