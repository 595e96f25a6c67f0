"""Notification channels are plugins, found through the entry-point group
``ses.notification_channels`` (``services/notify/pyproject.toml``)::

    [project.entry-points."ses.notification_channels"]
    email = "ses_notify.channels.email:build"

Each entry point is a factory ``build(context: ChannelContext) -> NotificationChannel``;
its name must be a ``Channel`` value (``email``, ``in_app``, ``webhook``). A deployment
adds or replaces a channel by installing a package that declares the same name.

A channel opens a session per batch (an SMTP connection, say) and delivers one
delivery at a time. What goes wrong is told apart by exception, because it decides
what happens to the delivery:

* :class:`ChannelUnavailable` — the channel itself is down (the SMTP server does not
  answer). Nothing is counted against the delivery: it waits, with every other one,
  until the channel is back. An outage delays mail but loses none.
* :class:`TransientFailure` — this delivery failed for now (a 4xx reply, a webhook
  endpoint answering 503); it counts as an attempt and is retried with backoff until
  the last attempt, then dead-lettered.
* :class:`PermanentFailure` — retrying cannot help (a 5xx reply for the recipient, a
  deleted webhook endpoint); dead-lettered at once.

A *transactional* channel (the in-app inbox) writes its effect with the session that
marks the delivery delivered, so its effect is exactly once even across crashes.
The others deliver outside the database transaction; the worker records the outcome
right after, so only a crash between the two can repeat a delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from ses_core.notifications import Channel
from ses_core.platform.settings import Settings
from ses_core.ports import Clock, SystemClock
from ses_notify.deliveries import Delivery
from ses_notify.webhook_targets import Resolver, SystemResolver

_log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "ses.notification_channels"


class ChannelUnavailable(Exception):
    """The channel as a whole cannot deliver now; try again later, counting no attempt."""


class TransientFailure(Exception):
    """This delivery failed for now; it counts as an attempt."""


class PermanentFailure(Exception):
    """This delivery can never succeed as it is; dead-letter it."""


class ChannelSession(Protocol):
    def deliver(self, delivery: Delivery, session: Session | None) -> None: ...

    def close(self) -> None: ...


class NotificationChannel(Protocol):
    kind: Channel
    # Whether ``deliver`` writes through the session that records the outcome.
    transactional: bool

    def describe(self) -> str:
        """One line for ``ses up``: where this channel's deliveries go."""
        ...

    def open(self) -> ChannelSession:
        """A session for a batch; :class:`ChannelUnavailable` when the channel is down."""
        ...

    def probe(self) -> None:
        """Return once the channel would accept deliveries; :class:`ChannelUnavailable` if not."""
        ...


@dataclass(frozen=True)
class ChannelContext:
    settings: Settings
    # The notify database, for channels that look things up (webhook secrets).
    sessions: sessionmaker[Session]
    # Seconds one network operation (connect, send, POST) may take.
    network_timeout: float = 30.0
    # For channels that stamp what they send (webhook signatures).
    clock: Clock = field(default_factory=SystemClock)
    # How channels that connect to hosts by name resolve them.
    resolver: Resolver = field(default_factory=SystemResolver)


ChannelFactory = Callable[[ChannelContext], NotificationChannel]


def builtin_factories() -> dict[str, ChannelFactory]:
    from ses_notify.channels import email, in_app, webhook

    return {"email": email.build, "in_app": in_app.build, "webhook": webhook.build}


def discover_channel_factories() -> dict[str, ChannelFactory]:
    """The installed channel factories by name.

    Falls back to the built-in ones (with a warning) when the group is empty, which only
    happens in a workspace whose package metadata predates the entry points.
    """
    found: dict[str, ChannelFactory] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found[entry.name] = entry.load()
    if not found:
        _log.warning(
            "No %s entry points are installed; using the built-in channels. Run `uv sync` "
            "so that services/notify/pyproject.toml's entry points are registered.",
            ENTRY_POINT_GROUP,
        )
        return builtin_factories()
    return found


def load_channels(
    context: ChannelContext, factories: Mapping[str, ChannelFactory] | None = None
) -> dict[Channel, NotificationChannel]:
    chosen = factories if factories is not None else discover_channel_factories()
    channels: dict[Channel, NotificationChannel] = {}
    for name, factory in chosen.items():
        try:
            kind = Channel(name)
        except ValueError:
            known = ", ".join(channel.value for channel in Channel)
            raise ValueError(
                f"Notification channel entry point {name!r} names no channel; use one of {known}."
            ) from None
        channel = factory(context)
        if channel.kind is not kind:
            raise ValueError(
                f"The {name!r} entry point built a {channel.kind.value} channel; the names "
                "must match."
            )
        channels[kind] = channel
    return channels
