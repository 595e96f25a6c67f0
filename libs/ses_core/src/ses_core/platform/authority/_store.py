"""Reading and writing ``user_authority`` rows (sync; callers choose the thread).

Two ways to write, for the two kinds of writer:

- :func:`state_authority`: the source (the enrollment service, or a test seeding the
  directory) states a user's authority; the row's ``version`` grows by one, atomically,
  and the stored record (with its new version) is returned to be published.
- :func:`record_authority`: a projection applies a statement it received; it wins only
  over an older version (``version`` strictly greater), so redeliveries, duplicates and
  statements that arrive out of order leave the newest in place.

Both are a single ``INSERT ... ON CONFLICT (user_id) DO UPDATE`` (PostgreSQL and SQLite).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, RowMapping, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ses_core.accounts import UserAuthority, email_key
from ses_core.errors import Unauthenticated
from ses_core.identity import AgencyRole, ComplaintsPermission, Identity, Side
from ses_core.platform.authority._tables import user_authority_table

_TABLE = user_authority_table


def find_authority(reader: Connection | Session, identity: Identity) -> UserAuthority | None:
    """The stored authority of the user ``identity`` names (by user id, else by e-mail)."""
    if identity.user_id:
        statement = select(_TABLE).where(_TABLE.c.user_id == identity.user_id)
    else:
        statement = select(_TABLE).where(_TABLE.c.email_key == email_key(identity.email)).limit(2)
    rows = reader.execute(statement).mappings().all()
    if len(rows) > 1:
        raise Unauthenticated(
            f"More than one SES account uses the e-mail address {identity.described}, so SES "
            "cannot tell which one you are; ask SES support to correct the directory.",
            reason="email_ambiguous",
        )
    return _authority(rows[0]) if rows else None


def state_authority(session: Session, authority: UserAuthority, at: datetime) -> UserAuthority:
    """Store ``authority`` as the user's newest statement; returns it with its new version."""
    values = {**_values(authority, at), "version": 1}
    changes = {**_changes(values), "version": _TABLE.c.version + 1}
    statement = (
        _insert(session)
        .values(values)
        .on_conflict_do_update(index_elements=[_TABLE.c.user_id], set_=changes)
        .returning(_TABLE.c.version)
    )
    version = session.execute(statement).scalar_one()
    return authority.model_copy(update={"version": int(version)})


def record_authority(session: Session, authority: UserAuthority, at: datetime) -> bool:
    """Apply a received statement unless a newer (or the same) one is stored; True if it was."""
    values = _values(authority, at)
    newer = _TABLE.c.version < authority.version
    statement = (
        _insert(session)
        .values(values)
        .on_conflict_do_update(
            index_elements=[_TABLE.c.user_id], set_=_changes(values), where=newer
        )
        .returning(_TABLE.c.user_id)
    )
    # RETURNING, not rowcount: drivers disagree on rowcount for ON CONFLICT.
    return session.execute(statement).first() is not None


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    insert: Insert
    if dialect == "postgresql":
        insert = postgresql.insert(_TABLE)
    elif dialect == "sqlite":
        insert = sqlite.insert(_TABLE)
    else:
        raise ValueError(f"The authority table is not implemented for {dialect!r} databases.")
    return insert


def _values(authority: UserAuthority, at: datetime) -> dict[str, Any]:
    return {
        "user_id": authority.user_id,
        "side": authority.side.value,
        "organization_id": authority.organization_id,
        "email_key": authority.email,
        "active": authority.active,
        "agency_role": authority.agency_role.value if authority.agency_role else None,
        "complaints_permission": authority.complaints_permission.value,
        "account_admin": authority.account_admin,
        "complaints_contact": authority.complaints_contact,
        "version": authority.version,
        "updated_at": at,
    }


def _changes(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if name != "user_id"}


def _authority(row: RowMapping) -> UserAuthority:
    role = row["agency_role"]
    return UserAuthority(
        user_id=row["user_id"],
        side=Side(row["side"]),
        organization_id=row["organization_id"],
        email=row["email_key"],
        active=row["active"],
        agency_role=AgencyRole(role) if role else None,
        complaints_permission=ComplaintsPermission(row["complaints_permission"]),
        account_admin=row["account_admin"],
        complaints_contact=row["complaints_contact"],
        version=row["version"],
    )
