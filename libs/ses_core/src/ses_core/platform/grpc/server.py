"""The ``grpc.aio`` server every service runs: health, reflection, limits, interceptors, shutdown.

Choices:

* Messages are capped at 4 MiB each way. The caps are never raised to fit
  whole files: files travel as streams of chunks of at most
  ``MAX_FILE_CHUNK_BYTES`` (1 MiB), so no message needs to be large.
* Keepalive: the server pings an idle connection every 60 s and drops it
  when no answer comes within 20 s (dead peers and half-open NAT entries go
  away); clients may ping every 10 s at most, which the SDK respects.
* Servicers are ``async``: the server has no thread pool for sync handlers.
  A handler calling the sync handlers of a service layer does so with
  ``asyncio.to_thread`` (which carries ``current_actor()`` along).
* ``SO_REUSEPORT`` is off unless asked for (``reuse_port``: the workers of
  ``ses up --workers N``, whose supervisor has checked the port is theirs): a
  second process on a busy port fails loudly instead of silently sharing it.
* Shutdown (SIGTERM/SIGINT, or ``stop``): health turns NOT_SERVING for every
  service, after ``drain_delay`` the server stops accepting calls, calls in
  flight get ``shutdown_grace`` seconds to finish, then the rest are
  cancelled. ``serve_until_signal`` then returns and the process exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import grpc
import grpc.aio
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from ses_core.platform.grpc._audit import AccessLog
from ses_core.platform.grpc._auth import Authenticator, AuthorityRouter
from ses_core.platform.grpc._idempotency import Idempotency
from ses_core.platform.grpc._idempotency_store import IdempotencyStore
from ses_core.platform.grpc._interceptor import CallInterceptor
from ses_core.platform.grpc._maintenance import MaintenanceGuard, MaintenanceSchedule
from ses_core.platform.grpc._methods import (
    DEFAULT_MAINTENANCE_EXEMPT_METHODS,
    DEFAULT_PUBLIC_METHODS,
    HEALTH_SERVICE,
)
from ses_core.platform.identity import TokenVerifier
from ses_core.platform.settings import GrpcSettings
from ses_core.platform.telemetry import Telemetry

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
MAX_MESSAGE_BYTES = 4 * MIB
MAX_FILE_CHUNK_BYTES = MIB


@dataclass(frozen=True)
class ServerConfig:
    address: str = "127.0.0.1:50051"
    max_receive_message_bytes: int = MAX_MESSAGE_BYTES
    max_send_message_bytes: int = MAX_MESSAGE_BYTES
    shutdown_grace: float = 30.0
    drain_delay: float = 0.0
    reuse_port: bool = False

    @classmethod
    def from_settings(cls, settings: GrpcSettings, *, drain_delay: float = 0.0) -> ServerConfig:
        return cls(
            address=settings.address,
            max_receive_message_bytes=settings.max_receive_message_bytes,
            max_send_message_bytes=settings.max_send_message_bytes,
            shutdown_grace=settings.shutdown_grace_seconds,
            drain_delay=drain_delay,
            reuse_port=settings.reuse_port,
        )

    def options(self) -> list[tuple[str, int]]:
        return [
            ("grpc.max_receive_message_length", self.max_receive_message_bytes),
            ("grpc.max_send_message_length", self.max_send_message_bytes),
            ("grpc.keepalive_time_ms", 60_000),
            ("grpc.keepalive_timeout_ms", 20_000),
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
            ("grpc.http2.max_ping_strikes", 2),
            ("grpc.so_reuseport", int(self.reuse_port)),
        ]


@dataclass(frozen=True)
class ServiceRegistration:
    """A service to host: its full name (for health and reflection) and how to add it.

    ``ServiceRegistration("ses.files.v1.FilesService",
    lambda server: add_FilesServiceServicer_to_server(servicer, server))``
    """

    name: str
    register: Callable[[grpc.aio.Server], None]


def build_interceptors(
    *,
    verifier: TokenVerifier | None,
    authority: AuthorityRouter | None = None,
    idempotency: IdempotencyStore | None = None,
    maintenance: MaintenanceSchedule | None = None,
    telemetry: Telemetry | None = None,
    public_methods: Iterable[str] = DEFAULT_PUBLIC_METHODS,
    read_only_methods: Iterable[str] = (),
    maintenance_exempt_methods: Iterable[str] = DEFAULT_MAINTENANCE_EXEMPT_METHODS,
    access_log: AccessLog | None = None,
) -> list[grpc.aio.ServerInterceptor]:
    """The interceptors, outermost first: OpenTelemetry's when telemetry is on, then the
    kit's one ``CallInterceptor`` (error mapping, authentication, maintenance,
    idempotency: see ``ses_core.platform.grpc``)."""
    read_only = tuple(read_only_methods)
    interceptors: list[grpc.aio.ServerInterceptor] = []
    if telemetry is not None and (otel := telemetry.grpc_server_interceptor()) is not None:
        interceptors.append(otel)
    authenticator = None
    if verifier is not None:
        if authority is None:
            raise ValueError(
                "Authentication needs the directory that says what users may do: pass "
                "authority=AuthorityRouter(...) with the verifier."
            )
        authenticator = Authenticator(verifier, authority, public_methods)
    guard = None
    if maintenance is not None:
        guard = MaintenanceGuard(
            maintenance, read_only_methods=read_only, exempt_methods=maintenance_exempt_methods
        )
    interceptors.append(
        CallInterceptor(
            authenticator=authenticator,
            access_log=access_log,
            maintenance=guard,
            idempotency=(
                None
                if idempotency is None
                else Idempotency(idempotency, read_only_methods=read_only)
            ),
        )
    )
    return interceptors


class GrpcServer:
    """A started-or-not ``grpc.aio`` server with its health servicer and bound port."""

    def __init__(
        self,
        server: grpc.aio.Server,
        health_servicer: health.aio.HealthServicer,
        port: int,
        config: ServerConfig,
        names: list[str],
    ) -> None:
        self.server = server
        self.health = health_servicer
        self.port = port
        self.config = config
        self.service_names = names
        self._stopping: asyncio.Task[None] | None = None
        self._started = False
        self._stop_requested = asyncio.Event()

    @property
    def address(self) -> str:
        host = self.config.address.rpartition(":")[0]
        return f"{host}:{self.port}"

    @property
    def stopping(self) -> bool:
        """True once shutdown has begun (health already reports NOT_SERVING)."""
        return self._stopping is not None

    async def wait_until_stopping(self) -> None:
        """Return once shutdown has begun (for background work that should wind down too)."""
        await self._stop_requested.wait()

    async def start(self) -> None:
        """Start serving; a second call does nothing."""
        if self._started:
            return
        self._started = True
        await self.server.start()
        for name in ("", *self.service_names):
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)
        logger.info("gRPC server listening on %s", self.address)

    async def stop(self, grace: float | None = None) -> None:
        """Graceful stop; concurrent and repeated calls wait for the one shutdown."""
        if self._stopping is None:
            self._stop_requested.set()
            self._stopping = asyncio.ensure_future(self._shutdown(grace))
        await asyncio.shield(self._stopping)

    async def _shutdown(self, grace: float | None) -> None:
        await self.health.enter_graceful_shutdown()
        if self.config.drain_delay > 0:
            await asyncio.sleep(self.config.drain_delay)
        grace = self.config.shutdown_grace if grace is None else grace
        logger.info("gRPC server stopping; calls in flight get %.0f s to finish", grace)
        await self.server.stop(grace)
        logger.info("gRPC server stopped")

    async def wait_for_termination(self) -> None:
        await self.server.wait_for_termination()

    async def serve_until_signal(
        self, signals: Sequence[signal.Signals] = (signal.SIGTERM, signal.SIGINT)
    ) -> None:
        """Start (if needed), serve until one of ``signals`` arrives, then stop gracefully."""
        loop = asyncio.get_running_loop()
        received = asyncio.Event()
        for signum in signals:
            loop.add_signal_handler(signum, received.set)
        try:
            if self._stopping is None:
                await self.start()  # no-op when already started
            await received.wait()
            logger.info("signal received; shutting down")
            await self.stop()
        finally:
            for signum in signals:
                loop.remove_signal_handler(signum)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop(grace=0 if exc is not None else None)


def create_server(
    config: ServerConfig,
    services: Iterable[ServiceRegistration],
    *,
    verifier: TokenVerifier | None,
    authority: AuthorityRouter | None = None,
    idempotency: IdempotencyStore | None = None,
    maintenance: MaintenanceSchedule | None = None,
    telemetry: Telemetry | None = None,
    public_methods: Iterable[str] = DEFAULT_PUBLIC_METHODS,
    read_only_methods: Iterable[str] = (),
    maintenance_exempt_methods: Iterable[str] = DEFAULT_MAINTENANCE_EXEMPT_METHODS,
    credentials: grpc.ServerCredentials | None = None,
    access_log: AccessLog | None = None,
) -> GrpcServer:
    """A server hosting ``services`` plus health and reflection, bound but not started.

    ``verifier=None`` turns authentication off (every call is anonymous); it
    has no default so that nobody forgets it. With a verifier, ``authority``
    (the directory each call's actor is read from) is required. ``access_log`` records
    refused access decisions and restricted reads (``_audit``). ``credentials`` (a
    ``grpc.ServerCredentials``) serves TLS; without them the port is plaintext,
    for a mesh or a loopback address.
    """
    interceptors = build_interceptors(
        verifier=verifier,
        authority=authority,
        idempotency=idempotency,
        maintenance=maintenance,
        telemetry=telemetry,
        public_methods=public_methods,
        read_only_methods=read_only_methods,
        maintenance_exempt_methods=maintenance_exempt_methods,
        access_log=access_log,
    )
    server = grpc.aio.server(interceptors=interceptors, options=config.options())
    names: list[str] = []
    for service in services:
        service.register(server)
        names.append(service.name)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection([*names, HEALTH_SERVICE, reflection.SERVICE_NAME], server)
    if credentials is None:
        port = server.add_insecure_port(config.address)
    else:
        port = server.add_secure_port(config.address, credentials)
    return GrpcServer(server, health_servicer, int(port), config, names)
