"""The authority projection table every service database holds (``user_authority``).

One row per user: the newest ``UserAuthorityChanged`` statement the service has applied
(the enrollment service writes its own rows in the transaction that changes the user).
It lives in its own ``MetaData`` (:data:`authority_metadata`): a service's Alembic
``env.py`` compares against ``[service_metadata, authority_metadata]`` and a revision of
its own creates the table with :func:`create_authority_tables_v1`, a frozen copy of the
table as it is in version 1 (should it change, a ``..._v2`` helper ships beside it).

Reads are by primary key (``user_id``: SES's own tokens) or by the indexed ``email_key``
(external issuers matched by e-mail address).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, String, Table

from ses_core.platform.db.schema import UtcDateTime, new_metadata

authority_metadata = new_metadata()

user_authority_table = Table(
    "user_authority",
    authority_metadata,
    Column("user_id", String(64), primary_key=True),
    # agency | company | platform, and the agency or company id ("" for platform).
    Column("side", String(16), nullable=False),
    Column("organization_id", String(100), nullable=False),
    # ses_core.accounts.email_key of the sign-in address ("" if a statement had none).
    Column("email_key", String(254), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("agency_role", String(32), nullable=True),
    Column("complaints_permission", String(16), nullable=False),
    Column("account_admin", Boolean, nullable=False),
    Column("complaints_contact", Boolean, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_user_authority_email_key", "email_key"),
)


def create_authority_tables_v1() -> None:
    """Create ``user_authority`` (call it from a service's migration revision)."""
    import sqlalchemy as sa
    from alembic import op

    op.create_table(
        "user_authority",
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("organization_id", sa.String(100), nullable=False),
        sa.Column("email_key", sa.String(254), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("agency_role", sa.String(32), nullable=True),
        sa.Column("complaints_permission", sa.String(16), nullable=False),
        sa.Column("account_admin", sa.Boolean(), nullable=False),
        sa.Column("complaints_contact", sa.Boolean(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_user_authority"),
    )
    op.create_index("ix_user_authority_email_key", "user_authority", ["email_key"])


def drop_authority_tables_v1() -> None:
    from alembic import op

    op.drop_index("ix_user_authority_email_key", table_name="user_authority")
    op.drop_table("user_authority")
