"""The in-app inbox channel: a delivery becomes an entry of ``ListNotifications``.

Transactional: the inbox entry (keyed by the delivery id) and the "delivered" mark
commit together, so each in-app notification appears exactly once.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ses_core.notifications import Channel
from ses_notify.channels import ChannelContext, ChannelSession
from ses_notify.deliveries import Delivery
from ses_notify.inbox import Inbox, InboxEntry


class _InboxSession:
    def deliver(self, delivery: Delivery, session: Session | None) -> None:
        assert session is not None, "the in-app channel is transactional"
        content = delivery.content
        Inbox(session).add(
            InboxEntry(
                notification_id=delivery.delivery_id,
                user_id=delivery.recipient_user_id,
                topic=delivery.topic,
                title=str(content.get("title", "")),
                body=str(content.get("body", "")),
                complaint_id=str(content.get("complaint_id", "")),
                information_request_id=str(content.get("information_request_id", "")),
                event_id=delivery.event_id,
                created_at=delivery.created_at,
                read_at=None,
            )
        )

    def close(self) -> None:
        pass


class InAppChannel:
    kind = Channel.IN_APP
    transactional = True

    def describe(self) -> str:
        return "In-app notifications: ListNotifications / MarkRead."

    def open(self) -> ChannelSession:
        return _InboxSession()

    def probe(self) -> None:
        pass


def build(context: ChannelContext) -> InAppChannel:
    return InAppChannel()
