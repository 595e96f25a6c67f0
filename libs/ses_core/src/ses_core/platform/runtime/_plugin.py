"""The contract between the host and a service: what a service gets, what it gives back.

A service is a plugin registered under the entry-point group ``ses.services``
(``[project.entry-points."ses.services"] files = "ses_files.bootstrap:plugin"``).
The host builds one :class:`ServiceContext` per service — its own database
engine, its outbox relay hook, the shared broker connection, the token
verifier, settings — and calls :meth:`ServicePlugin.build`, which composes the
service's handlers and returns :class:`ServiceParts`: the gRPC services to
mount and the background loops (event consumers, schedulers) to run. The host
owns every lifecycle: start order, migrations, shutdown. It also gives every
service what authentication needs: a directory over the service's
``user_authority`` table, and (unless the service is the directory's source) the
consumer that keeps that table (``ses_core.platform.authority``).
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

# Types only: the ``ses`` command imports this module before it knows whether it will
# host anything (``ses --help`` must not pay for SQLAlchemy, gRPC or NATS).
if TYPE_CHECKING:
    from nats.aio.client import Client as NatsClient
    from nats.js import JetStreamContext
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from ses_core.calendar import OperatingCalendar
    from ses_core.platform.authority import SqlAuthorityDirectory
    from ses_core.platform.grpc import ServiceRegistration
    from ses_core.platform.identity import KeyRing, TokenVerifier
    from ses_core.platform.messaging import EventCodec
    from ses_core.platform.settings import Settings
    from ses_core.platform.telemetry import Telemetry
    from ses_core.ports import Clock
    from ses_core.uploads import UploadPolicy

ENTRY_POINT_GROUP = "ses.services"

BackgroundLoop = Callable[[], Awaitable[None]]


@dataclass
class ServiceContext:
    """Everything one service needs from its process, built by the host."""

    name: str
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    codec: EventCodec
    clock: Clock
    calendar: OperatingCalendar
    upload_policy: UploadPolicy
    telemetry: Telemetry
    nats: NatsClient
    js: JetStreamContext
    verifier: TokenVerifier
    key_ring_path: Path
    # Wakes this service's outbox relay; pass as a unit of work's ``on_commit``.
    outbox_committed: Callable[[], None]
    # ``ses up`` (embedded, first-run friendly): services may seed demo data and say how to use it.
    seed_demo: bool = False
    # The directory authentication reads for this service (``user_authority``); the source of
    # authority tells it which users it just changed (``forget``), so that it never lags.
    authority: SqlAuthorityDirectory | None = None

    def load_key_ring(self) -> KeyRing:
        """The embedded identity provider's signing keys (enrollment service only)."""
        from ses_core.platform.identity import KeyRing

        return KeyRing.load(self.key_ring_path)


@dataclass
class ServiceParts:
    """What a service hands back to the host."""

    services: Sequence[ServiceRegistration]
    background: Sequence[BackgroundLoop] = ()
    # Methods callable without a token (full names: "/ses.x.v1.XService/Method").
    public_methods: Sequence[str] = ()
    # Methods that change nothing although their verb is not Get/List/Search/Download.
    read_only_methods: Sequence[str] = ()
    # Mutating methods that must keep working during maintenance (e.g. rescheduling it).
    maintenance_exempt_methods: Sequence[str] = ()
    on_stop: Sequence[Callable[[], Awaitable[None]]] = field(default_factory=tuple)
    # Lines `ses up` prints once everything is listening (e.g. how to sign in to the demo).
    ready_messages: Sequence[str] = ()
    # True for the directory's source (enrollment), which writes its own user_authority rows;
    # for every other service the host keeps them from the source's statements.
    states_authority: bool = False


@runtime_checkable
class CliCommand(Protocol):
    """An administrative command a service adds to ``ses`` (e.g. ``ses tenants create``)."""

    name: str
    help: str

    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, settings: Settings) -> int: ...


@runtime_checkable
class ServicePlugin(Protocol):
    """A service as the host sees it."""

    name: str
    # The service's Alembic script directory (its migrations own its tables).
    migrations: Path

    def build(self, context: ServiceContext) -> ServiceParts: ...


def commands_of(plugin: ServicePlugin) -> Sequence[CliCommand]:
    """The plugin's administrative commands (optional attribute ``commands``)."""
    commands: Sequence[CliCommand] = getattr(plugin, "commands", ())
    return commands


class UnknownService(LookupError):
    pass


def discover_plugins() -> dict[str, ServicePlugin]:
    """Every installed service plugin, by name."""
    plugins: dict[str, ServicePlugin] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        plugin = entry.load()
        if not isinstance(plugin, ServicePlugin):
            raise TypeError(
                f"Entry point {entry.name!r} ({entry.value}) is not a ServicePlugin: it needs "
                "`name`, `migrations` and `build(context)`."
            )
        plugins[plugin.name] = plugin
    return dict(sorted(plugins.items()))


def installed_service_names(names: Sequence[str] | None = None) -> list[str]:
    """``names`` (all installed services when empty), checked against the installed
    plugins' entry points without importing them: ``UnknownService`` for a missing one."""
    available = sorted(entry.name for entry in entry_points(group=ENTRY_POINT_GROUP))
    if not names:
        return available
    _require_installed(names, available)
    return list(names)


def _require_installed(names: Sequence[str], available: Sequence[str]) -> None:
    missing = [name for name in names if name not in available]
    if missing:
        known = ", ".join(available) or "none installed"
        raise UnknownService(f"No service named {', '.join(missing)}; installed services: {known}.")


def select_plugins(names: Sequence[str] | None = None) -> list[ServicePlugin]:
    """The named plugins (all installed ones when ``names`` is empty), in a stable order."""
    available = discover_plugins()
    if not names:
        return list(available.values())
    _require_installed(names, list(available))
    return [available[name] for name in names]
