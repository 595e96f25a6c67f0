"""Agencies, the company directory, company accounts, enrollments, identity; platform tables.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from ses_core.platform.db import JsonDocument, create_platform_tables_v1, drop_platform_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)
ID = 64
SCOPE = 100
EMAIL = 254


def upgrade() -> None:
    create_platform_tables_v1()
    op.create_table(
        "agencies",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("tenant_id", sa.String(SCOPE), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("state_code", sa.String(2), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agencies"),
        sa.UniqueConstraint("code", name="uq_agencies_code"),
    )
    op.create_index("ix_agencies_tenant_id", "agencies", ["tenant_id"])
    op.create_table(
        "agency_users",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("tenant_id", sa.String(SCOPE), nullable=False),
        sa.Column("email_key", sa.String(EMAIL), nullable=False),
        sa.Column("document", JsonDocument, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agency_users"),
    )
    op.create_index(
        "ix_agency_users_tenant_id_email_key", "agency_users", ["tenant_id", "email_key"]
    )
    op.create_table(
        "companies",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(SCOPE), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("nmls_id", sa.String(10), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("document", JsonDocument, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_companies"),
        sa.UniqueConstraint("number", name="uq_companies_number"),
        sa.UniqueConstraint("nmls_id", name="uq_companies_nmls_id"),
    )
    op.create_table(
        "company_accounts",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(SCOPE), nullable=False),
        sa.Column("document", JsonDocument, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_company_accounts"),
    )
    op.create_index("ix_company_accounts_tenant_id", "company_accounts", ["tenant_id"])
    op.create_table(
        "enrollments",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(SCOPE), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expires_at", TIME, nullable=True),
        sa.Column("activated", sa.Boolean(), nullable=False),
        sa.Column("document", JsonDocument, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_enrollments"),
    )
    op.create_index("ix_enrollments_tenant_id", "enrollments", ["tenant_id"])
    op.create_index("ix_enrollments_status_expires_at", "enrollments", ["status", "expires_at"])
    op.create_table(
        "credentials",
        sa.Column("user_id", sa.String(ID), nullable=False),
        sa.Column("email_key", sa.String(EMAIL), nullable=False),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("organization_id", sa.String(ID), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("totp_secret", sa.String(64), nullable=True),
        sa.Column("last_totp_step", sa.BigInteger(), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", TIME, nullable=True),
        sa.Column("last_signed_in_at", TIME, nullable=True),
        sa.Column("activated_at", TIME, nullable=True),
        sa.Column("deactivated_at", TIME, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_credentials"),
        sa.UniqueConstraint("email_key", name="uq_credentials_email_key"),
    )
    op.create_table(
        "activation_links",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(ID), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("issued_at", TIME, nullable=False),
        sa.Column("expires_at", TIME, nullable=False),
        sa.Column("used_at", TIME, nullable=True),
        sa.Column("superseded_at", TIME, nullable=True),
        sa.Column("pending_totp_secret", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_activation_links"),
    )
    op.create_index("ix_activation_links_user_id", "activation_links", ["user_id"])
    op.create_table(
        "refresh_tokens",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(ID), nullable=False),
        sa.Column("family_id", sa.String(ID), nullable=False),
        sa.Column("issued_at", TIME, nullable=False),
        sa.Column("expires_at", TIME, nullable=False),
        sa.Column("rotated_at", TIME, nullable=True),
        sa.Column("revoked_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("digest", name="pk_refresh_tokens"),
    )
    op.create_index("ix_refresh_tokens_user_id", "refresh_tokens", ["user_id"])
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"])
    op.create_table(
        "platform_operators",
        sa.Column("id", sa.String(ID), nullable=False),
        sa.Column("email", sa.String(EMAIL), nullable=False),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_platform_operators"),
    )
    counters = op.create_table(
        "counters",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_counters"),
    )
    op.bulk_insert(counters, [{"name": "company_id", "value": 0}])


def downgrade() -> None:
    for table in (
        "counters",
        "platform_operators",
        "refresh_tokens",
        "activation_links",
        "credentials",
        "enrollments",
        "company_accounts",
        "companies",
        "agency_users",
        "agencies",
    ):
        op.drop_table(table)
    drop_platform_tables_v1()
