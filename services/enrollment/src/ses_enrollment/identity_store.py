"""The embedded identity provider's records: credentials, activation links, refresh tokens.

Platform-wide, not scoped (see ``ses_enrollment.tables``): sign-in starts from an e-mail
address and an activation link from a token, before anyone knows the user's organisation.
Used inside a unit of work's session, so a credential changes in the same transaction as
the user it belongs to.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ses_core.accounts import email_key
from ses_core.errors import AlreadyExists, SesError
from ses_enrollment import tables
from ses_enrollment.credentials import Credential

COMPANY_ID_COUNTER = "company_id"


@dataclass
class ActivationLink:
    token_hash: str
    user_id: str
    purpose: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    superseded_at: datetime | None = None
    pending_totp_secret: str | None = None


@dataclass
class StoredRefreshToken:
    digest: str
    user_id: str
    family_id: str
    issued_at: datetime
    expires_at: datetime
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass
class PlatformOperator:
    id: str
    email: str
    given_name: str
    family_name: str
    created_at: datetime

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class IdentityStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    # -- credentials ---------------------------------------------------------------------

    def claim_email(
        self, *, user_id: str, email: str, side: str, organization_id: str, now: datetime
    ) -> Credential:
        """Reserve ``email`` for a new user; ``AlreadyExists`` if any account holds it."""
        key = email_key(email)
        taken = AlreadyExists(
            f"{email} already belongs to an SES account, and an e-mail address names one "
            "account across SES; use another address for this user.",
            reason="email_taken",
        )
        if self.credential_by_email(key) is not None:
            raise taken
        credential = Credential(
            user_id=user_id,
            email_key=key,
            side=side,
            organization_id=organization_id,
            created_at=now,
        )
        with unique_or(taken):  # claimed concurrently by another transaction
            self._session.execute(insert(tables.credentials).values(_values(credential)))
        return credential

    def credential(self, user_id: str) -> Credential | None:
        return self._one_credential(tables.credentials.c.user_id == user_id)

    def credential_by_email(self, email: str) -> Credential | None:
        return self._one_credential(tables.credentials.c.email_key == email_key(email))

    def credentials_of(self, user_ids: list[str]) -> dict[str, Credential]:
        if not user_ids:
            return {}
        statement = select(tables.credentials).where(tables.credentials.c.user_id.in_(user_ids))
        rows = self._session.execute(statement).mappings()
        return {row["user_id"]: Credential(**row) for row in rows}

    def save(self, credential: Credential) -> None:
        table = tables.credentials
        self._session.execute(
            update(table).where(table.c.user_id == credential.user_id).values(_values(credential))
        )

    def _one_credential(self, condition: Any) -> Credential | None:
        statement = select(tables.credentials).where(condition)
        row = self._session.execute(statement).mappings().first()
        return None if row is None else Credential(**row)

    # -- activation links ----------------------------------------------------------------

    def issue_link(self, link: ActivationLink) -> None:
        """Store a new link; every earlier unused link of the user stops working."""
        table = tables.activation_links
        self._session.execute(
            update(table)
            .where(
                table.c.user_id == link.user_id,
                table.c.used_at.is_(None),
                table.c.superseded_at.is_(None),
            )
            .values(superseded_at=link.issued_at)
        )
        self._session.execute(insert(table).values(_values(link)))

    def link(self, token_hash: str) -> ActivationLink | None:
        table = tables.activation_links
        statement = select(table).where(table.c.token_hash == token_hash).with_for_update()
        row = self._session.execute(statement).mappings().first()
        return None if row is None else ActivationLink(**row)

    def save_link(self, link: ActivationLink) -> None:
        table = tables.activation_links
        self._session.execute(
            update(table).where(table.c.token_hash == link.token_hash).values(_values(link))
        )

    # -- refresh tokens ------------------------------------------------------------------

    def add_refresh_token(self, token: StoredRefreshToken) -> None:
        self._session.execute(insert(tables.refresh_tokens).values(_values(token)))

    def refresh_token(self, digest: str) -> StoredRefreshToken | None:
        table = tables.refresh_tokens
        statement = select(table).where(table.c.digest == digest).with_for_update()
        row = self._session.execute(statement).mappings().first()
        return None if row is None else StoredRefreshToken(**row)

    def mark_rotated(self, digest: str, now: datetime) -> None:
        table = tables.refresh_tokens
        self._session.execute(update(table).where(table.c.digest == digest).values(rotated_at=now))

    def revoke_family(self, family_id: str, now: datetime) -> None:
        table = tables.refresh_tokens
        self._session.execute(
            update(table)
            .where(table.c.family_id == family_id, table.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def revoke_user_sessions(self, user_id: str, now: datetime) -> None:
        table = tables.refresh_tokens
        self._session.execute(
            update(table)
            .where(table.c.user_id == user_id, table.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    # -- platform operators --------------------------------------------------------------

    def add_operator(self, operator: PlatformOperator) -> None:
        self._session.execute(insert(tables.platform_operators).values(_values(operator)))

    def operator(self, operator_id: str) -> PlatformOperator | None:
        table = tables.platform_operators
        row = self._session.execute(select(table).where(table.c.id == operator_id)).mappings()
        found = row.first()
        return None if found is None else PlatformOperator(**found)

    # -- counters ------------------------------------------------------------------------

    def reserve_numbers(self, count: int, counter: str = COMPANY_ID_COUNTER) -> range:
        """``count`` fresh numbers of ``counter``, never handed out again (the row is locked
        until the transaction ends, like a database sequence that cannot leave gaps)."""
        table = tables.counters
        last = self._session.execute(
            update(table)
            .where(table.c.name == counter)
            .values(value=table.c.value + count)
            .returning(table.c.value)
        ).scalar_one()
        return range(int(last) - count + 1, int(last) + 1)


@contextmanager
def unique_or(error: SesError) -> Iterator[None]:
    """Turn a unique-constraint violation (a concurrent insert of the same key) into ``error``.

    The transaction cannot continue after it; raising ends the command, which rolls back.
    """
    try:
        yield
    except IntegrityError:
        raise error from None


def _values(record: object) -> dict[str, Any]:
    return {field.name: getattr(record, field.name) for field in fields(record)}  # type: ignore[arg-type]
