"""The broker as the host sees it: the embedded nats-server kept alive, its reach in health.

:class:`BrokerSupervisor` watches the embedded ``nats-server`` child and starts it again,
on the same port and store, whenever it exits without being asked to (crash, OOM kill,
``kill -9``). Everything else recovers by itself once it is back: the NATS client
reconnects (it retries forever, see :func:`~ses_core.platform.messaging.connect`),
durable consumers resume from their stored position, the outbox relays publish what
was committed meanwhile (their retries wait on the broker), and consumers' processed
events drop whatever comes twice.

Restarts back off: a start that fails is retried after 0.5 s, 1 s, 2 s … up to
``max_backoff``; a server that dies again within ``stable_after`` seconds of starting
waits the same growing delay first, so a broken store does not spin the machine.

:class:`BrokerHealth` reports whether this process can reach the broker as the gRPC
health of the name ``nats``: SERVING while connected, NOT_SERVING while the connection is
lost. The overall health (``""``) and the services' own entries stay SERVING: commands
still commit while the broker is away (the outbox keeps their events), so readiness and
liveness probes must not take the process out of rotation or restart it for that; a
monitor that cares about the event flow asks for ``nats``.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import TYPE_CHECKING

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

from ses_core.platform.messaging import NatsServerError, NatsServerProcess

# The workers' supervisor runs BrokerSupervisor alone, and imports this module before it
# starts the first worker: the gRPC kit (SQLAlchemy's tables, OpenTelemetry) would delay
# that worker by half a second, for BrokerHealth, which only hosts use.
if TYPE_CHECKING:
    from ses_core.platform.grpc import GrpcServer

_log = logging.getLogger(__name__)

BROKER_HEALTH_NAME = "nats"


class BrokerSupervisor:
    """Restarts ``broker`` whenever it exits; ``await run()`` as a background loop."""

    def __init__(
        self,
        broker: NatsServerProcess,
        *,
        poll_interval: float = 0.25,
        max_backoff: float = 30.0,
        stable_after: float = 60.0,
    ) -> None:
        self._broker = broker
        self._poll_interval = poll_interval
        self._max_backoff = max_backoff
        self._stable_after = stable_after
        self.restarts = 0  # completed restarts, for tests, logs and probes

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        quick_deaths = 0
        while True:
            started_at = loop.time()
            # Polling waitpid is cheap and cancellable; a thread blocked in wait() would hold
            # one of the few default-executor workers for the broker's whole life.
            while self._broker.running:  # noqa: ASYNC110
                await asyncio.sleep(self._poll_interval)
            lived = loop.time() - started_at
            quick_deaths = quick_deaths + 1 if lived < self._stable_after else 0
            _log.error(
                "The embedded nats-server (pid %s) %s after %.0f s; restarting it. Its log: %s",
                self._broker.pid,
                _how_it_ended(self._broker.returncode),
                lived,
                self._broker.log_path,
            )
            if quick_deaths > 1:
                await asyncio.sleep(self._backoff(quick_deaths - 1))
            if not await self._start_again():
                return  # the host stopped the broker meanwhile
            self.restarts += 1
            _log.warning(
                "The embedded nats-server is back at %s (pid %s); events flow again.",
                self._broker.url,
                self._broker.pid,
            )

    def _backoff(self, attempt: int) -> float:
        return float(min(self._max_backoff, 0.5 * 2 ** (attempt - 1)))

    async def _start_again(self) -> bool:
        def log_retry(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            _log.error(
                "The embedded nats-server did not start (%s); retrying in %.1f s.",
                error,
                state.next_action.sleep if state.next_action else 0.0,
            )

        retrying = AsyncRetrying(
            retry=retry_if_exception_type((NatsServerError, OSError)),
            wait=wait_exponential(multiplier=0.5, max=self._max_backoff),
            before_sleep=log_retry,
            reraise=True,
        )
        revived: bool = await retrying(asyncio.to_thread, self._broker.revive)
        return revived


def _how_it_ended(returncode: int | None) -> str:
    if returncode is None:
        return "stopped answering"
    if returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with status {returncode}"


class BrokerHealth:
    """This process's connection to the broker, as the gRPC health of ``nats``."""

    def __init__(self) -> None:
        self.connected = True
        self._server: GrpcServer | None = None

    async def attach(self, server: GrpcServer) -> None:
        """Report on ``server`` from now on (it exists only after the connection does)."""
        self._server = server
        await self._report()

    async def changed(self, connected: bool) -> None:
        """The NATS client's connection callback: lost (False) or re-established (True)."""
        self.connected = connected
        await self._report()

    async def _report(self) -> None:
        server = self._server
        if server is None or server.stopping:
            return
        from grpc_health.v1 import health_pb2

        status = (
            health_pb2.HealthCheckResponse.SERVING
            if self.connected
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        await server.health.set(BROKER_HEALTH_NAME, status)
