"""ListDeliveries: the delivery log, for operators and for each organisation's administrators."""

from __future__ import annotations

from dataclasses import dataclass

from ses_core.identity import Actor, Side
from ses_core.notifications import organization_of, require_manages
from ses_core.permissions import ResourceKind
from ses_notify.deliveries import Delivery, DeliveryFilter
from ses_notify.handlers import NotifyApp
from ses_notify.paging import decode_token, encode_token, page_size_of


@dataclass(frozen=True)
class ListDeliveries:
    event_id: str = ""
    recipient_user_id: str = ""
    channel: str = ""
    statuses: tuple[str, ...] = ()
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class DeliveriesPage:
    deliveries: list[Delivery]
    next_page_token: str


def list_deliveries(app: NotifyApp, actor: Actor, query: ListDeliveries) -> DeliveriesPage:
    organization = None
    if actor.side is not Side.PLATFORM:
        organization = organization_of(actor)
        assert organization is not None  # agency and company users always have one
        require_manages(actor, organization, ResourceKind.DELIVERIES)
    where = DeliveryFilter(
        event_id=query.event_id.strip(),
        recipient_user_id=query.recipient_user_id.strip(),
        channel=query.channel,
        statuses=tuple(sorted(set(query.statuses))),
        organization=organization,
    )
    filters = {"list": "deliveries", "actor": actor.user_id, "where": repr(where)}
    size = page_size_of(query.page_size)
    after = decode_token(query.page_token, filters)
    with app.uow_for(actor) as uow:
        page = uow.deliveries.page(where, size, after)
    return DeliveriesPage(list(page.items), encode_token(page.last_key, filters))
