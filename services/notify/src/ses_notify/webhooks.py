"""Webhook endpoints: where an organisation's notifications are POSTed, and the secrets
that sign them (one, or two while a secret is rotated)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from ses_core.notifications import Organization, OrganizationKind
from ses_notify import tables as t


@dataclass(frozen=True)
class SigningSecret:
    signing_secret_id: str
    # ``whsec_<base64>``, as the organisation was given it.
    secret: str
    created_at: datetime


@dataclass(frozen=True)
class WebhookEndpoint:
    webhook_endpoint_id: str
    organization: Organization
    url: str
    created_at: datetime
    # Oldest first.
    signing_secrets: tuple[SigningSecret, ...]


class WebhookStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, endpoint: WebhookEndpoint) -> None:
        self._session.execute(
            t.webhook_endpoints.insert().values(
                webhook_endpoint_id=endpoint.webhook_endpoint_id,
                organization_kind=endpoint.organization.kind.value,
                organization_id=endpoint.organization.id,
                url=endpoint.url,
                created_at=endpoint.created_at,
            )
        )
        for secret in endpoint.signing_secrets:
            self.add_secret(endpoint.webhook_endpoint_id, secret)

    def add_secret(self, webhook_endpoint_id: str, secret: SigningSecret) -> None:
        self._session.execute(
            t.webhook_signing_secrets.insert().values(
                signing_secret_id=secret.signing_secret_id,
                webhook_endpoint_id=webhook_endpoint_id,
                secret=secret.secret,
                created_at=secret.created_at,
            )
        )

    def of(self, organization: Organization) -> list[WebhookEndpoint]:
        table = t.webhook_endpoints
        statement = (
            select(table)
            .where(
                table.c.organization_kind == organization.kind.value,
                table.c.organization_id == organization.id,
            )
            .order_by(table.c.created_at, table.c.webhook_endpoint_id)
        )
        return self._with_secrets(self._session.execute(statement).mappings().all())

    def get(self, webhook_endpoint_id: str) -> WebhookEndpoint | None:
        table = t.webhook_endpoints
        rows = (
            self._session.execute(
                select(table).where(table.c.webhook_endpoint_id == webhook_endpoint_id)
            )
            .mappings()
            .all()
        )
        found = self._with_secrets(rows)
        return found[0] if found else None

    def remove(self, webhook_endpoint_id: str) -> None:
        secrets = t.webhook_signing_secrets
        self._session.execute(
            delete(secrets).where(secrets.c.webhook_endpoint_id == webhook_endpoint_id)
        )
        table = t.webhook_endpoints
        self._session.execute(
            delete(table).where(table.c.webhook_endpoint_id == webhook_endpoint_id)
        )

    def remove_secret(self, signing_secret_id: str) -> None:
        secrets = t.webhook_signing_secrets
        self._session.execute(
            delete(secrets).where(secrets.c.signing_secret_id == signing_secret_id)
        )

    def _with_secrets(self, rows: Iterable[RowMapping]) -> list[WebhookEndpoint]:
        rows = list(rows)
        if not rows:
            return []
        secrets = t.webhook_signing_secrets
        statement = (
            select(secrets)
            .where(secrets.c.webhook_endpoint_id.in_([row["webhook_endpoint_id"] for row in rows]))
            .order_by(secrets.c.created_at, secrets.c.signing_secret_id)
        )
        by_endpoint: defaultdict[str, list[SigningSecret]] = defaultdict(list)
        for secret in self._session.execute(statement).mappings():
            by_endpoint[secret["webhook_endpoint_id"]].append(
                SigningSecret(secret["signing_secret_id"], secret["secret"], secret["created_at"])
            )
        return [
            WebhookEndpoint(
                webhook_endpoint_id=row["webhook_endpoint_id"],
                organization=Organization(
                    OrganizationKind(row["organization_kind"]), row["organization_id"]
                ),
                url=row["url"],
                created_at=row["created_at"],
                signing_secrets=tuple(by_endpoint[row["webhook_endpoint_id"]]),
            )
            for row in rows
        ]
