"""Webhook targets, resolved: the pure policy (``ses_core.notifications.WebhookTargetPolicy``)
applied to what DNS answers, at registration and again before every delivery.

:meth:`WebhookTargets.check` resolves a URL's host once and returns the addresses it
approved; the webhook channel connects to those very addresses (``pinned_http``), so a
name that changes its answer between the check and the connection (DNS rebinding) gains
nothing. Every address a name resolves to must pass, not only the first.

The resolver is a port: :class:`SystemResolver` asks the operating system
(``getaddrinfo``); :class:`HostsResolver` answers from a table it is given, like an
``/etc/hosts`` of its own (tests, and a deployment that wants to pin names).

Choices where the issue is silent:

* A name that does not exist (NXDOMAIN) is refused at registration
  (``webhook_host_unresolved``, INVALID_ARGUMENT: most likely a typo); a lookup that
  fails for now answers UNAVAILABLE (``webhook_host_lookup_failed``). At delivery both
  are transient failures, retried with backoff like a receiver that is down.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Protocol

from ses_core.errors import Unavailable, ValidationFailed
from ses_core.notifications import (
    AllowedTargets,
    IPAddress,
    WebhookTarget,
    WebhookTargetPolicy,
)
from ses_core.platform.settings import NotifySettings

# getaddrinfo's answers for "no such name" (the others may be temporary).
_NO_SUCH_NAME = frozenset(
    code for code in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)) if code is not None
)


class WebhookHostUnresolved(ValidationFailed):
    """The URL's host name does not exist in DNS."""

    def __init__(self, host: str) -> None:
        super().__init__(
            f"url's host {host} does not resolve: check its spelling, or register the "
            "endpoint once its DNS record exists.",
            reason="webhook_host_unresolved",
            field="url",
        )


class WebhookHostLookupFailed(Unavailable):
    """DNS could not answer for now."""

    def __init__(self, host: str, why: str) -> None:
        super().__init__(
            f"Could not look up {host} just now ({why}); try again in a minute.",
            reason="webhook_host_lookup_failed",
        )


class Resolver(Protocol):
    def resolve(self, host: str, port: int) -> tuple[IPAddress, ...]:
        """Every address ``host`` has, in the order to try them; at least one.

        Raises :class:`WebhookHostUnresolved` or :class:`WebhookHostLookupFailed`.
        """
        ...


class SystemResolver:
    """The operating system's resolver (``getaddrinfo``: DNS, ``/etc/hosts``)."""

    def resolve(self, host: str, port: int) -> tuple[IPAddress, ...]:
        try:
            answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            if error.errno in _NO_SUCH_NAME:
                raise WebhookHostUnresolved(host) from error
            raise WebhookHostLookupFailed(host, str(error)) from error
        except UnicodeError as error:
            raise WebhookHostUnresolved(host) from error
        addresses = _unique(ip_address(answer[4][0]) for answer in answers)
        if not addresses:
            raise WebhookHostUnresolved(host)
        return addresses


class HostsResolver:
    """Answers from its own table (host → addresses), else from ``fallback`` if given.

    :meth:`point` changes an answer while in use, as a DNS record can change.
    """

    def __init__(
        self,
        table: Mapping[str, Sequence[str]] | None = None,
        fallback: Resolver | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._table: dict[str, tuple[IPAddress, ...]] = {}
        self._fallback = fallback
        for host, addresses in (table or {}).items():
            self.point(host, *addresses)

    def point(self, host: str, *addresses: str) -> None:
        parsed = tuple(ip_address(address) for address in addresses)
        with self._lock:
            self._table[host.lower()] = parsed

    def resolve(self, host: str, port: int) -> tuple[IPAddress, ...]:
        with self._lock:
            found = self._table.get(host.lower())
        if found:
            return found
        if self._fallback is not None:
            return self._fallback.resolve(host, port)
        raise WebhookHostUnresolved(host)


@dataclass(frozen=True)
class CheckedTarget:
    """A webhook URL with the addresses it may be reached at, all approved."""

    target: WebhookTarget
    addresses: tuple[IPAddress, ...]


class WebhookTargets:
    """The policy plus a resolver: where a webhook URL may be sent, resolved once."""

    def __init__(self, policy: WebhookTargetPolicy, resolver: Resolver) -> None:
        self.policy = policy
        self._resolver = resolver

    @classmethod
    def from_settings(cls, settings: NotifySettings, resolver: Resolver) -> WebhookTargets:
        policy = WebhookTargetPolicy(
            allow_private=settings.webhook_allow_private_targets,
            allowed=AllowedTargets.parse(settings.webhook_allowed_targets),
        )
        return cls(policy, resolver)

    def check(self, url: str) -> CheckedTarget:
        """Raises ``WebhookTargetRefused`` (the policy), :class:`WebhookHostUnresolved` or
        :class:`WebhookHostLookupFailed`."""
        target = self.policy.check_url(url)
        if target.address is not None:
            return CheckedTarget(target, (target.address,))
        addresses = self._resolver.resolve(target.host, target.port)
        self.policy.check_addresses(target, addresses)
        return CheckedTarget(target, addresses)


def _unique(addresses: Iterable[IPAddress]) -> tuple[IPAddress, ...]:
    return tuple(dict.fromkeys(addresses))
