"""The enrollment service's tables.

Aggregates (agencies, agency users, companies, company accounts, enrollments) are
rows with the columns the service filters on and a JSON ``document`` for the rest.
Their ``tenant_id`` column holds a *scope*, not always an agency: the directory and
company accounts belong to no single agency (see ``ses_enrollment.scopes``).

The identity tables (``credentials``, ``activation_links``, ``refresh_tokens``,
``platform_operators``) are platform-wide, keyed by user id, e-mail, or a SHA-256
digest: an e-mail names one account across the whole platform, because sign-in
starts from the e-mail alone. No secret is stored in a form that can be replayed:
passwords as argon2id hashes, activation and refresh tokens as SHA-256 digests.
TOTP secrets must be readable to check codes, so they are stored as issued;
protect the database (and its backups) accordingly.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from ses_core.platform.db import JsonDocument, UtcDateTime, new_metadata

metadata: MetaData = new_metadata()

ID = 64
SCOPE = 100
EMAIL = 254

agencies = Table(
    "agencies",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("tenant_id", String(SCOPE), nullable=False, index=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("state_code", String(2), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

agency_users = Table(
    "agency_users",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("tenant_id", String(SCOPE), nullable=False),
    Column("email_key", String(EMAIL), nullable=False),
    Column("document", JsonDocument, nullable=False),
    Index("ix_agency_users_tenant_id_email_key", "tenant_id", "email_key"),
)

companies = Table(
    "companies",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant_id", String(SCOPE), nullable=False),
    # The number behind the SES Company ID: orders the directory (keyset paging).
    Column("number", BigInteger, nullable=False, unique=True),
    Column("nmls_id", String(10), nullable=True, unique=True),
    Column("kind", String(32), nullable=False),
    # Case-folded legal and trade names, one per line: what a name search matches.
    Column("search_text", Text, nullable=False),
    Column("document", JsonDocument, nullable=False),
)

company_accounts = Table(
    "company_accounts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant_id", String(SCOPE), nullable=False, index=True),
    Column("document", JsonDocument, nullable=False),
)

enrollments = Table(
    "enrollments",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant_id", String(SCOPE), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),
    Column("activated", Boolean, nullable=False),
    Column("document", JsonDocument, nullable=False),
    Index("ix_enrollments_status_expires_at", "status", "expires_at"),
)

credentials = Table(
    "credentials",
    metadata,
    Column("user_id", String(ID), primary_key=True),
    Column("email_key", String(EMAIL), nullable=False, unique=True),
    # agency | company | platform, and the agency or company id ("" for platform).
    Column("side", String(16), nullable=False),
    Column("organization_id", String(ID), nullable=False),
    Column("password_hash", String(255), nullable=True),
    Column("totp_secret", String(64), nullable=True),
    # The last TOTP time step accepted: a code is never accepted twice (RFC 6238 §5.2).
    Column("last_totp_step", BigInteger, nullable=True),
    Column("failed_attempts", Integer, nullable=False, server_default="0"),
    Column("locked_until", UtcDateTime, nullable=True),
    Column("last_signed_in_at", UtcDateTime, nullable=True),
    Column("activated_at", UtcDateTime, nullable=True),
    Column("deactivated_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

activation_links = Table(
    "activation_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(ID), nullable=False, index=True),
    # enrollment (a company's first user) | account (everyone else)
    Column("purpose", String(16), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("superseded_at", UtcDateTime, nullable=True),
    # Set by the first activation call, confirmed by the second.
    Column("pending_totp_secret", String(64), nullable=True),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("user_id", String(ID), nullable=False, index=True),
    # Every token rotated from one sign-in shares the family; reuse revokes the family.
    Column("family_id", String(ID), nullable=False, index=True),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("rotated_at", UtcDateTime, nullable=True),
    Column("revoked_at", UtcDateTime, nullable=True),
)

platform_operators = Table(
    "platform_operators",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("email", String(EMAIL), nullable=False),
    Column("given_name", String(100), nullable=False),
    Column("family_name", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Named counters drawn inside the transaction that uses them (SES Company ID numbers).
counters = Table(
    "counters",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)
