"""The complaints service's tables (SQLAlchemy Core), owned by its migrations.

- ``complaints``: one row per complaint. The aggregate lives in ``document`` (its
  pydantic JSON form) and ``extras`` (presentation details the domain does not
  reason about, see ``extras.py``); the columns beside them are copies made for
  filtering and sorting lists without reading any document.
- ``information_requests``: one row per IR, a list index kept in step with the
  complaint by the unit of work (the IR itself lives in the complaint's document).
- ``complaint_history``: every domain event the service committed, in commit
  order; each side reads it through its own projection (``history.py``).
- ``complaint_reference_counters``: the last sequence number drawn per reference
  prefix (agency code) and year (``references.py``); the unique index on
  ``complaints.reference_number`` refuses a repeat whatever happens.
- ``directory_*`` and ``uploaded_files``: this service's projections of other
  services' events (enrollment: companies, users, contacts; files: completed uploads).

Indexes: lists are keyset-paginated (``paging.py``), so every common filter has an
index that starts with ``tenant_id`` (agency lists) or ``company_id`` (company
lists, which span agencies) and ends with the sort key, so a page is an index range
scan whatever its position.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)
from sqlalchemy.sql.sqltypes import BigInteger

from ses_core.platform.db import JsonDocument, UtcDateTime, new_metadata

metadata: MetaData = new_metadata()

_ID = 64
_TENANT = 100

complaints = Table(
    "complaints",
    metadata,
    Column("id", String(_ID), primary_key=True),
    Column("tenant_id", String(_TENANT), nullable=False),
    Column("company_id", String(_TENANT), nullable=False),
    Column("reference_number", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("agency_poc_id", String(_TENANT), nullable=False),
    Column("company_poc_id", String(_TENANT), nullable=True),
    Column("referred_to_tenant_id", String(_TENANT), nullable=True),
    Column("sent_to_company", Boolean, nullable=False),
    Column("complainant_name", String(255), nullable=False),
    Column("complainant_restricted", Boolean, nullable=False),
    Column("received_date", Date, nullable=False),
    # Earliest due date of the IRs awaiting the company; NULL when none awaits.
    Column("next_due_date", Date, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("document", JsonDocument, nullable=False),
    Column("extras", JsonDocument, nullable=False),
    Index("uq_complaints_reference_number", "reference_number", unique=True),
    Index("ix_complaints_tenant_created", "tenant_id", "created_at", "id"),
    Index("ix_complaints_tenant_status_created", "tenant_id", "status", "created_at", "id"),
    Index("ix_complaints_tenant_company_created", "tenant_id", "company_id", "created_at", "id"),
    Index(
        "ix_complaints_tenant_agency_poc_created", "tenant_id", "agency_poc_id", "created_at", "id"
    ),
    Index(
        "ix_complaints_tenant_company_poc_created",
        "tenant_id",
        "company_poc_id",
        "created_at",
        "id",
    ),
    Index("ix_complaints_tenant_next_due", "tenant_id", "next_due_date"),
    Index("ix_complaints_referred_created", "referred_to_tenant_id", "created_at", "id"),
    # Company users list their company's complaints across every agency.
    Index(
        "ix_complaints_company_sent_created", "company_id", "sent_to_company", "created_at", "id"
    ),
)

information_requests = Table(
    "information_requests",
    metadata,
    Column("id", String(_ID), primary_key=True),
    Column("tenant_id", String(_TENANT), nullable=False),
    Column("complaint_id", String(_ID), nullable=False),
    Column("company_id", String(_TENANT), nullable=False),
    Column("complaint_reference_number", String(32), nullable=False),
    Column("number", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("awaiting_company", Boolean, nullable=False),
    Column("due_date", Date, nullable=True),
    Column("original_due_date", Date, nullable=True),
    # due_date, or 9999-12-31 for a DRAFT without one (sorts last).
    Column("sort_due_date", Date, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("agency_poc_id", String(_TENANT), nullable=False),
    Column("company_poc_id", String(_TENANT), nullable=True),
    Index("ix_information_requests_tenant_due", "tenant_id", "sort_due_date", "id"),
    Index(
        "ix_information_requests_tenant_status_due", "tenant_id", "status", "sort_due_date", "id"
    ),
    Index(
        "ix_information_requests_tenant_awaiting_due",
        "tenant_id",
        "awaiting_company",
        "sort_due_date",
        "id",
    ),
    Index(
        "ix_information_requests_tenant_company_due",
        "tenant_id",
        "company_id",
        "sort_due_date",
        "id",
    ),
    Index(
        "ix_information_requests_tenant_agency_poc_due",
        "tenant_id",
        "agency_poc_id",
        "sort_due_date",
        "id",
    ),
    Index(
        "ix_information_requests_tenant_company_poc_due",
        "tenant_id",
        "company_poc_id",
        "sort_due_date",
        "id",
    ),
    Index("ix_information_requests_complaint", "complaint_id", "number"),
    Index("ix_information_requests_company_due", "company_id", "sort_due_date", "id"),
)

complaint_history = Table(
    "complaint_history",
    metadata,
    Column(
        "seq",
        BigInteger().with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("event_id", String(_ID), nullable=False, unique=True),
    Column("complaint_id", String(_ID), nullable=False),
    Column("tenant_id", String(_TENANT), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("action", String(64), nullable=False),
    Column("actor_id", String(_TENANT), nullable=False),
    Column("information_request_id", String(_ID), nullable=True),
    Column("payload", JsonDocument, nullable=False),
    Index("ix_complaint_history_complaint_seq", "complaint_id", "seq"),
)

complaint_reference_counters = Table(
    "complaint_reference_counters",
    metadata,
    Column("prefix", String(40), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_sequence", Integer, nullable=False),
)

directory_agencies = Table(
    "directory_agencies",
    metadata,
    Column("agency_id", String(_TENANT), primary_key=True),
    Column("name", String(255), nullable=False),
    # NULL for agencies learned before codes were kept (see references.py).
    Column("code", String(40), nullable=True),
)

directory_companies = Table(
    "directory_companies",
    metadata,
    Column("company_id", String(_TENANT), primary_key=True),
    Column("legal_name", String(255), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("enrolled_at", UtcDateTime, nullable=True),
    Column("complaints_contact_id", String(_TENANT), nullable=True),
)

directory_users = Table(
    "directory_users",
    metadata,
    Column("user_id", String(_TENANT), primary_key=True),
    Column("agency_id", String(_TENANT), nullable=True),
    Column("company_id", String(_TENANT), nullable=True),
    Column("given_name", String(100), nullable=False),
    Column("family_name", String(100), nullable=False),
    # The agency role (agency users) or "" (company users).
    Column("agency_role", String(40), nullable=False),
    # manage, view or none (company users); none for agency users.
    Column("complaints_permission", String(10), nullable=False),
    Column("account_administrator", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Index("ix_directory_users_company", "company_id"),
    Index("ix_directory_users_agency", "agency_id"),
)

uploaded_files = Table(
    "uploaded_files",
    metadata,
    Column("file_id", String(_ID), primary_key=True),
    Column("tenant_id", String(_TENANT), nullable=False),
    Column("name", String(800), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("uploaded_by", String(_TENANT), nullable=False),
    Column("completed_at", UtcDateTime, nullable=False),
)

__all__ = [
    "complaint_history",
    "complaint_reference_counters",
    "complaints",
    "directory_agencies",
    "directory_companies",
    "directory_users",
    "information_requests",
    "metadata",
    "uploaded_files",
]
