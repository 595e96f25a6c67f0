"""Webhook endpoints: where an organisation's notifications are POSTed, signed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from ses_core.notifications import Organization, OrganizationKind
from ses_notify import tables as t


@dataclass(frozen=True)
class WebhookEndpoint:
    webhook_endpoint_id: str
    organization: Organization
    url: str
    secret: str
    created_at: datetime


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
                secret=endpoint.secret,
                created_at=endpoint.created_at,
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
        return [_endpoint(row) for row in self._session.execute(statement).mappings()]

    def get(self, webhook_endpoint_id: str) -> WebhookEndpoint | None:
        table = t.webhook_endpoints
        row = (
            self._session.execute(
                select(table).where(table.c.webhook_endpoint_id == webhook_endpoint_id)
            )
            .mappings()
            .first()
        )
        return None if row is None else _endpoint(row)

    def remove(self, webhook_endpoint_id: str) -> None:
        table = t.webhook_endpoints
        self._session.execute(
            delete(table).where(table.c.webhook_endpoint_id == webhook_endpoint_id)
        )


def _endpoint(row: RowMapping) -> WebhookEndpoint:
    return WebhookEndpoint(
        webhook_endpoint_id=row["webhook_endpoint_id"],
        organization=Organization(
            OrganizationKind(row["organization_kind"]), row["organization_id"]
        ),
        url=row["url"],
        secret=row["secret"],
        created_at=row["created_at"],
    )
