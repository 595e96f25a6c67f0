"""ListNotifications and MarkRead: the caller's own inbox."""

from __future__ import annotations

from dataclasses import dataclass

from ses_core.errors import ValidationFailed
from ses_core.identity import Actor
from ses_core.permissions import Action, Resource, ResourceKind, require
from ses_notify.handlers import NotifyApp
from ses_notify.inbox import InboxEntry
from ses_notify.paging import decode_token, encode_token, page_size_of

MAX_IDS_PER_CALL = 500


@dataclass(frozen=True)
class ListNotifications:
    unread_only: bool = False
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class NotificationsPage:
    notifications: list[InboxEntry]
    unread_count: int
    next_page_token: str


@dataclass(frozen=True)
class MarkRead:
    notification_ids: tuple[str, ...] = ()
    all: bool = False


def _require_own(actor: Actor, action: Action) -> None:
    require(actor, action, Resource(kind=ResourceKind.NOTIFICATIONS, owner_user_id=actor.user_id))


def list_notifications(app: NotifyApp, actor: Actor, query: ListNotifications) -> NotificationsPage:
    _require_own(actor, Action.VIEW_NOTIFICATIONS)
    size = page_size_of(query.page_size)
    filters = {"list": "notifications", "user": actor.user_id, "unread": query.unread_only}
    after = decode_token(query.page_token, filters)
    with app.uow_for(actor) as uow:
        page = uow.inbox.page(
            actor.user_id, unread_only=query.unread_only, page_size=size, after=after
        )
        unread = uow.inbox.unread_count(actor.user_id)
    return NotificationsPage(list(page.items), unread, encode_token(page.last_key, filters))


def mark_read(app: NotifyApp, actor: Actor, command: MarkRead) -> int:
    _require_own(actor, Action.VIEW_NOTIFICATIONS)
    ids = tuple(dict.fromkeys(i.strip() for i in command.notification_ids if i.strip()))
    if not command.all and not ids:
        raise ValidationFailed(
            "Name the notification_ids to mark as read, or set all to mark every one.",
            reason="notification_ids_missing",
            field="notification_ids",
        )
    if len(ids) > MAX_IDS_PER_CALL:
        raise ValidationFailed(
            f"{len(ids)} notification ids were given; mark at most {MAX_IDS_PER_CALL} per call "
            "or set all.",
            reason="too_many_notification_ids",
        )
    with app.uow_for(actor) as uow:
        marked = uow.inbox.mark_read(actor.user_id, None if command.all else ids, app.clock.now())
        uow.commit()
    return marked
