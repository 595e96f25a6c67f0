"""The host: one process running one or more services on one gRPC address.

``ses up`` hosts every installed service with embedded defaults (a child
``nats-server``, SQLite files under the data directory, the embedded identity
provider); ``ses serve <name>`` hosts one, which is how Kubernetes runs them.
Start order: broker → telemetry → signing keys → per service (engine,
migrations, relay, authority directory, plugin parts, the directory's
projection) → gRPC server → background loops (in the process holding the service's
lease, :mod:`~ses_core.platform.runtime._background`). Stop order is the reverse, and
the gRPC server drains in-flight calls first.

Migrations: with ``migrate=True`` (the embedded default) each service database
is upgraded to head at start; otherwise the host refuses to start on a schema
that is not at head, and ``ses migrate`` is the separate production step.

What keeps running besides the services' own loops:

* the embedded broker's supervisor, which restarts a ``nats-server`` that died, and
  the ``nats`` health entry, which says whether the broker is reachable
  (:mod:`~ses_core.platform.runtime._broker`);
* per service, its outbox relay and its retention purge
  (:mod:`~ses_core.platform.runtime._retention`).

Every service's refused access decisions and reads of restricted content are recorded
through its own outbox (``ses_core.platform.audit.recorder``, routed by method like the
directories) for the audit log the enrollment service keeps.

A start that fails on the data directory (read-only, not writable, full) raises
:class:`~ses_core.platform.runtime._data_dir.DataDirUnusable`, one sentence naming the
directory and the problem (:mod:`~ses_core.platform.runtime._data_dir`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from ses_core.audit import ACCESS_RECORDED
from ses_core.calendar import CalendarPolicy, OperatingCalendar
from ses_core.platform.audit.recorder import AccessLogRouter, AccessRecorder
from ses_core.platform.authority import authority_consumer, directory_from_settings
from ses_core.platform.db import (
    OutboxStore,
    create_database_engine,
    ensure_at_head,
    session_factory,
    upgrade_to_head,
)
from ses_core.platform.db.leases import Lease
from ses_core.platform.grpc import (
    DEFAULT_MAINTENANCE_EXEMPT_METHODS,
    DEFAULT_PUBLIC_METHODS,
    AuthorityRouter,
    GrpcServer,
    IdempotencyStore,
    MaintenanceSchedule,
    ServerConfig,
    ServiceRegistration,
    create_server,
)
from ses_core.platform.identity import KeyRing, verifier_from_settings
from ses_core.platform.messaging import (
    JetStreamPublisher,
    NatsServerProcess,
    OutboxRelay,
    ProtobufEventCodec,
    connect,
    ensure_streams,
)
from ses_core.platform.runtime._background import (
    LeasedLoops,
    background_lease_name,
    cancel_all,
    supervised,
)
from ses_core.platform.runtime._broker import BrokerHealth, BrokerSupervisor
from ses_core.platform.runtime._data_dir import (
    check_data_dir,
    naming_database_errors,
    naming_storage_errors,
)
from ses_core.platform.runtime._idempotency import RoutingIdempotencyStore
from ses_core.platform.runtime._maintenance_feed import StreamMaintenanceSchedule
from ses_core.platform.runtime._plugin import ServiceContext, ServiceParts, ServicePlugin
from ses_core.platform.runtime._retention import RetentionPurger
from ses_core.platform.settings import Settings
from ses_core.platform.telemetry import setup_telemetry
from ses_core.ports import AuthorityDirectory, Clock, SystemClock
from ses_core.uploads import UploadPolicy

if TYPE_CHECKING:
    from nats.aio.client import Client as NatsClient
    from nats.js import JetStreamContext

_log = logging.getLogger(__name__)


def migrate_services(settings: Settings, plugins: Sequence[ServicePlugin]) -> None:
    """Upgrade each service's database to head (``ses migrate``; embedded start)."""
    for plugin in plugins:
        with naming_database_errors(settings, plugin.name):
            engine = create_database_engine(settings.database.url_for(plugin.name))
            try:
                upgrade_to_head(engine, plugin.migrations)
            finally:
                engine.dispose()


def upload_policy_from(settings: Settings) -> UploadPolicy:
    limits = settings.uploads
    return UploadPolicy(
        max_file_bytes=limits.max_file_bytes,
        max_interaction_file_bytes=limits.max_interaction_file_bytes,
        max_files_per_batch=limits.max_files_per_batch,
        max_response_text_chars=limits.max_response_chars,
        max_link_chars=limits.max_link_chars,
    )


def calendar_from(settings: Settings) -> OperatingCalendar:
    policy = CalendarPolicy(
        observed_weekend_holidays=settings.maintenance.observed_holidays_limited
    )
    return OperatingCalendar(policy)


def _access_recorder(
    service: str, context: ServiceContext, relay_notify: Callable[[], None]
) -> AccessRecorder | None:
    """The service's recorder of refusals and restricted reads (services without an
    ``AccessRecorded`` event, such as test doubles, record none)."""
    if service not in ACCESS_RECORDED:
        return None
    return AccessRecorder(
        service, context.sessions, context.codec, clock=context.clock, on_commit=relay_notify
    )


@dataclass
class _HostedService:
    plugin: ServicePlugin
    engine: Engine
    relay: OutboxRelay
    idempotency: IdempotencyStore
    purger: RetentionPurger
    parts: ServiceParts | None = None


@dataclass
class ServiceHost:
    """Runs ``plugins`` in this process. ``await host.start()`` … ``await host.stop()``."""

    settings: Settings
    plugins: Sequence[ServicePlugin]
    migrate: bool = True
    clock: Clock = field(default_factory=SystemClock)
    maintenance: MaintenanceSchedule | None = None
    seed_demo: bool = False
    # The services' background loops (event consumers, schedulers, delivery workers,
    # sweeps) run in the one process of a deployment holding the service's lease
    # (``_background``); False keeps this process out of the running altogether.
    background_loops: bool = True

    broker: NatsServerProcess | None = field(default=None, init=False)
    supervisor: BrokerSupervisor | None = field(default=None, init=False)
    broker_health: BrokerHealth = field(default_factory=BrokerHealth, init=False)
    nats: NatsClient | None = field(default=None, init=False)
    server: GrpcServer | None = field(default=None, init=False)
    services: list[_HostedService] = field(default_factory=list, init=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False)

    @property
    def address(self) -> str:
        if self.server is None:
            raise RuntimeError("The host has not started.")
        return self.server.address

    @property
    def nats_url(self) -> str:
        return self.broker.url if self.broker else self.settings.nats.url

    async def start(self) -> None:
        if not self.plugins:
            raise ValueError("Nothing to host: no service plugin given.")
        try:
            with naming_storage_errors(self.settings.data_dir):
                await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        settings = self.settings
        await asyncio.to_thread(check_data_dir, settings.data_dir)
        if not settings.nats.url:
            assert settings.nats.store_dir is not None
            self.broker = NatsServerProcess(settings.nats.store_dir)
            await asyncio.to_thread(self.broker.start)
            _log.info(
                "embedded nats-server at %s (pid %s, store %s)",
                self.broker.url,
                self.broker.pid,
                self.broker.store_dir,
            )
            self.supervisor = BrokerSupervisor(self.broker)
            self._spawn("nats-server-supervisor", self.supervisor.run)
        self.nats = await connect(
            self.nats_url,
            name="ses-" + "-".join(self._names()),
            on_connection_change=self.broker_health.changed,
        )
        js = self.nats.jetstream()
        await ensure_streams(js, replicas=settings.nats.stream_replicas)

        telemetry = setup_telemetry(settings)
        key_ring_path = settings.identity.signing_key_path
        assert key_ring_path is not None
        if settings.identity.trust_source == "local":
            await asyncio.to_thread(KeyRing.load_or_create, key_ring_path)
        verifier = verifier_from_settings(settings.identity)
        codec = ProtobufEventCodec()
        calendar = calendar_from(settings)
        policy = upload_policy_from(settings)

        registrations: list[ServiceRegistration] = []
        public = list(DEFAULT_PUBLIC_METHODS)
        read_only = list(settings.maintenance.read_only_methods)
        exempt = list(DEFAULT_MAINTENANCE_EXEMPT_METHODS)
        stores: dict[str, IdempotencyStore] = {}
        directories: dict[str, AuthorityDirectory] = {}
        recorders: dict[str, AccessRecorder] = {}
        for plugin in self.plugins:
            with naming_database_errors(settings, plugin.name):
                engine = create_database_engine(settings.database.url_for(plugin.name))
                if self.migrate:
                    await asyncio.to_thread(upgrade_to_head, engine, plugin.migrations)
                else:
                    await asyncio.to_thread(ensure_at_head, engine, plugin.migrations)
                hosted = self._hosted_service(plugin, engine, js)
                self.services.append(hosted)
                directory = directory_from_settings(engine, settings.identity)
                context = ServiceContext(
                    name=plugin.name,
                    settings=settings,
                    engine=engine,
                    sessions=session_factory(engine),
                    codec=codec,
                    clock=self.clock,
                    calendar=calendar,
                    upload_policy=policy,
                    telemetry=telemetry,
                    nats=self.nats,
                    js=js,
                    verifier=verifier,
                    key_ring_path=key_ring_path,
                    outbox_committed=hosted.relay.notify,
                    seed_demo=self.seed_demo,
                    authority=directory,
                )
                hosted.parts = plugin.build(context)
            registrations.extend(hosted.parts.services)
            public.extend(hosted.parts.public_methods)
            read_only.extend(hosted.parts.read_only_methods)
            exempt.extend(hosted.parts.maintenance_exempt_methods)
            recorder = _access_recorder(plugin.name, context, hosted.relay.notify)
            for registration in hosted.parts.services:
                stores[registration.name] = hosted.idempotency
                directories[registration.name] = directory
                if recorder is not None:
                    recorders[registration.name] = recorder
            if not hosted.parts.states_authority:
                projection = authority_consumer(
                    js, context.sessions, service=plugin.name, codec=codec, clock=self.clock
                )
                hosted.parts.background = [*hosted.parts.background, projection.run]

        maintenance = self.maintenance
        if maintenance is None and settings.maintenance.enforce:
            # Windows are scheduled through the notify service and replayed from the stream,
            # so every host guards with the same schedule without a database of its own.
            feed = StreamMaintenanceSchedule(js)
            self._spawn("maintenance-feed", feed.run)
            maintenance = feed
        self.server = create_server(
            ServerConfig.from_settings(settings.grpc),
            registrations,
            verifier=verifier,
            authority=AuthorityRouter(directories),
            idempotency=RoutingIdempotencyStore(stores) if stores else None,
            maintenance=maintenance,
            telemetry=telemetry,
            public_methods=public,
            read_only_methods=read_only,
            maintenance_exempt_methods=exempt,
            access_log=AccessLogRouter(recorders) if recorders else None,
        )
        await self.server.start()
        await self.broker_health.attach(self.server)
        for hosted in self.services:
            self._spawn(f"{hosted.plugin.name}-outbox-relay", hosted.relay.run)
            self._spawn(f"{hosted.plugin.name}-retention", hosted.purger.run)
            assert hosted.parts is not None
            if not self.background_loops or not hosted.parts.background:
                continue
            name = hosted.plugin.name
            lease = Lease(hosted.engine, background_lease_name(name))
            loops = LeasedLoops(name, lease, hosted.parts.background)
            self._spawn(f"{name}-background-lease", loops.run)

    def _hosted_service(
        self, plugin: ServicePlugin, engine: Engine, js: JetStreamContext
    ) -> _HostedService:
        """The platform parts of one service: outbox relay, idempotency keys, purge."""
        retention = self.settings.retention
        outbox = OutboxStore(engine, self.clock)
        idempotency = IdempotencyStore(
            engine, retention=retention.idempotency_keys, clock=self.clock.now
        )
        purger = RetentionPurger(
            plugin.name,
            engine,
            outbox=outbox,
            idempotency=idempotency,
            retention=retention,
            clock=self.clock,
        )
        relay = OutboxRelay(outbox, JetStreamPublisher(js))
        return _HostedService(plugin, engine, relay, idempotency, purger)

    def _names(self) -> list[str]:
        return [plugin.name for plugin in self.plugins]

    def _spawn(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        self._tasks.append(supervised(name, loop))

    async def stop(self) -> None:
        """Drain gRPC, stop background loops, close connections, stop the broker."""
        if self.server is not None:
            await self.server.stop()
        await cancel_all(self._tasks)
        self._tasks.clear()
        for hosted in self.services:
            if hosted.parts is not None:
                for hook in hosted.parts.on_stop:
                    with contextlib.suppress(Exception):
                        await hook()
            hosted.engine.dispose()
        self.services.clear()
        if self.nats is not None:
            with contextlib.suppress(Exception):
                await self.nats.drain()
            self.nats = None
        if self.broker is not None:
            await asyncio.to_thread(self.broker.stop)
            self.broker = None

    async def run_until_signal(self) -> None:
        """Start, serve until SIGTERM/SIGINT, then stop everything cleanly."""
        await self.start()
        assert self.server is not None
        try:
            await self.server.serve_until_signal()
        finally:
            await self.stop()
