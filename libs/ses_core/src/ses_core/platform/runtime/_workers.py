"""Several host processes on one address: ``ses up --workers N``, ``ses serve S --workers N``.

One Python process saturates about one core, so the embedded default runs one full host
per core (``ses up``'s default; ``ses serve`` defaults to one, since Kubernetes scales it
with replicas). The parent process (the supervisor):

1. checks the data directory and, when no broker URL is set, claims the embedded
   ``nats-server``'s store and port (its lock: no second instance on the same data); it
   imports no database code, so it starts fast;
2. reserves the gRPC port: it binds the address without ``SO_REUSEPORT`` first, so a port
   someone else holds fails loudly (one line, exit status 2) instead of being shared,
   then holds it with a ``SO_REUSEPORT`` socket that never listens (port 0 becomes a real
   port here, shared by every worker);
3. starts the embedded ``nats-server`` (and its supervisor) and, at the same time,
   worker 0, whose imports outlast the server's start (its first connection to the
   broker retries until the server listens); it waits until both are ready (worker 0
   migrates the databases, creates the signing keys and, for ``ses up``, seeds the demo
   data: what must happen once), then starts the others, which only check that the
   schemas are at head. Each worker is a complete host (``ServiceHost``) with
   ``grpc.reuse_port`` on, so the kernel spreads new connections over them; a gRPC
   connection stays with the worker that accepted it;
4. restarts a worker that dies (after a growing delay if it keeps dying);
5. on SIGINT/SIGTERM stops the workers (each drains its calls in flight as a single host
   does), then the broker.

Workers run in their own process group (a Ctrl-C reaches the supervisor alone, which
stops them in order) and are SIGKILLed by the kernel if the supervisor dies (Linux).

Every worker serves calls and runs its outbox relays (a commit is published by the
process that made it, at once) and its retention purges and maintenance feed. The
services' background loops (event consumers, the notify scheduler and delivery workers,
upload and invitation expiry) run in one process at a time: every worker, like every
replica of ``ses serve``, contends for the service's lease in its database and the holder
runs them (:mod:`~ses_core.platform.runtime._background`); when it dies, another worker
takes them over. A durable consumer shared by several processes would apply its messages
in parallel, so the events of one complaint could be applied out of order, which one
process never does. The rest is safe everywhere: each outbox relay pass takes the
database's relay turn (:mod:`~ses_core.platform.db.turns`: each event published once, in
order); the retention purges only share the deletes. Caches (verified tokens, the
authority directory) are per worker; the directory's changes reach the others within its
cache's lifetime.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import signal
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ses_core.errors import PreconditionFailed

if TYPE_CHECKING:
    from ses_core.platform.messaging import NatsServerProcess
    from ses_core.platform.settings import Settings

_log = logging.getLogger(__name__)

WORKER_READY = "SES-WORKER: ready"
"""What a worker prints on stdout once it serves (read by the supervisor, not shown)."""


class PortInUse(PreconditionFailed):
    default_reason = "port_in_use"


def default_workers() -> int:
    return os.cpu_count() or 1


def reserve_port(host: str, port: int) -> socket.socket:
    """A bound, never listening ``SO_REUSEPORT`` socket holding ``host:port`` for the
    workers; :class:`PortInUse` when anyone else has the port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if port:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError as error:
                if error.errno != errno.EADDRINUSE:
                    raise
                raise PortInUse(
                    f"The gRPC address {host}:{port} is already in use; stop what listens "
                    "there or choose another port (--port, SES_GRPC__PORT)."
                ) from None
    holder = socket.socket(family, socket.SOCK_STREAM)
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    holder.bind((host, port))
    return holder


@dataclass
class _Worker:
    index: int
    process: asyncio.subprocess.Process | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    lines: list[str] = field(default_factory=list)  # what it printed before it was ready
    forwarding: asyncio.Task[None] | None = None


@dataclass
class WorkerPool:
    """Runs ``workers`` processes of ``ses <command>`` on one port (see the module)."""

    settings: Settings
    command: Sequence[str]  # e.g. ("up",) or ("serve", "files")
    workers: int
    log_level: str = "INFO"

    broker: NatsServerProcess | None = field(default=None, init=False)
    address: str = field(default="", init=False)
    _pool: list[_Worker] = field(default_factory=list, init=False)
    _stopping: bool = field(default=False, init=False)

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self._pool if w.process and w.process.returncode is None]

    async def run(self, stop_requested: asyncio.Event) -> None:
        """Start everything, serve until ``stop_requested`` is set, stop everything."""
        tasks: list[asyncio.Task[None]] = []
        holder: socket.socket | None = None
        try:
            grpc = self.settings.grpc
            holder = reserve_port(grpc.host, grpc.port)  # before anything is started
            port = holder.getsockname()[1]
            nats_url = await self._claim_broker()
            host = f"[{grpc.host}]" if ":" in grpc.host else grpc.host
            self.address = f"{host}:{port}"
            environment = {
                **os.environ,
                "SES_NATS__URL": nats_url,
                "SES_GRPC__PORT": str(port),
                "SES_GRPC__REUSE_PORT": "true",
                "PYTHONUNBUFFERED": "1",
            }
            self._pool = [_Worker(index) for index in range(self.workers)]
            # Worker 0 starts while nats-server does: its imports take longer than the
            # server's start, and its first connection retries until the server listens.
            first = asyncio.ensure_future(self._start_ready(self._pool[0], environment))
            try:
                await asyncio.gather(self._start_broker(tasks), first)
            except BaseException:
                first.cancel()
                raise
            await asyncio.gather(*(self._start_ready(w, environment) for w in self._pool[1:]))
            self._print_ready(nats_url)
            for worker in self._pool:
                tasks.append(asyncio.create_task(self._keep_alive(worker, environment)))
            await stop_requested.wait()
        finally:
            self._stopping = True
            started = bool(self._pool)
            if started:
                print("SES: stopping ...", flush=True)
            await self._stop_workers()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self.broker is not None:
                await asyncio.to_thread(self.broker.stop)
            if holder is not None:
                holder.close()
            if started:
                print("SES: stopped.", flush=True)

    # -- starting ---------------------------------------------------------------------

    async def _claim_broker(self) -> str:
        """The broker's URL: the configured one, or the embedded server's, whose port is
        chosen and whose store is locked here (so no worker starts beside another
        instance on the same data), before the server itself starts."""
        from ses_core.platform.runtime._data_dir import check_data_dir, naming_storage_errors

        with naming_storage_errors(self.settings.data_dir):
            await asyncio.to_thread(check_data_dir, self.settings.data_dir)
            if self.settings.nats.url:
                return self.settings.nats.url
            assert self.settings.nats.store_dir is not None
            from ses_core.platform.messaging import NatsServerProcess

            self.broker = NatsServerProcess(self.settings.nats.store_dir)
            await asyncio.to_thread(self.broker.claim_store)
        return self.broker.url

    async def _start_broker(self, tasks: list[asyncio.Task[None]]) -> None:
        """Start the embedded server claimed by :meth:`_claim_broker`, and its supervisor."""
        if self.broker is None:
            return
        from ses_core.platform.runtime._data_dir import naming_storage_errors

        with naming_storage_errors(self.settings.data_dir):
            await asyncio.to_thread(self.broker.start)
        from ses_core.platform.runtime._broker import BrokerSupervisor  # imports gRPC

        tasks.append(asyncio.create_task(BrokerSupervisor(self.broker).run()))

    async def _spawn(self, worker: _Worker, environment: dict[str, str]) -> None:
        from ses_core.platform.spawn import dying_with_parent

        worker.ready.clear()
        worker.lines.clear()
        # Spawned from the loop's thread, which outlives the workers (see spawn's doc).
        worker.process = await asyncio.create_subprocess_exec(
            *dying_with_parent(
                [
                    sys.executable,
                    "-m",
                    "ses_core.platform.runtime.cli",
                    "--log-level",
                    self.log_level,
                    *self.command,
                    "--worker-index",
                    str(worker.index),
                ]
            ),
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        worker.forwarding = asyncio.create_task(self._forward(worker, worker.process))

    async def _forward(self, worker: _Worker, process: asyncio.subprocess.Process) -> None:
        """Show what a worker prints (worker 0's ready lines included); note its readiness."""
        assert process.stdout is not None
        async for raw in process.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            if line == WORKER_READY:
                worker.ready.set()
            elif worker.ready.is_set():
                print(line, flush=True)
            else:
                worker.lines.append(line)

    async def _start_ready(self, worker: _Worker, environment: dict[str, str]) -> None:
        await self._spawn(worker, environment)
        process = worker.process
        assert process is not None
        exited = asyncio.ensure_future(process.wait())
        ready = asyncio.ensure_future(worker.ready.wait())
        await asyncio.wait({exited, ready}, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if not worker.ready.is_set():
            await asyncio.sleep(0.1)  # let the last lines it printed arrive
            for line in worker.lines:
                print(line, flush=True)
            raise PreconditionFailed(
                f"Worker {worker.index} (pid {process.pid}) exited with status "
                f"{process.returncode} before it was ready; its messages are above.",
                reason="worker_failed",
            )
        exited.cancel()

    def _print_ready(self, nats_url: str) -> None:
        print(
            f"SES: gRPC listening on {self.address} ({self.workers} worker processes, pids "
            f"{', '.join(map(str, self.pids))})"
        )
        print(f"SES: data directory {self.settings.data_dir.resolve()}")
        if self.broker is not None:
            print(
                f"SES: NATS at {nats_url} (embedded nats-server pid {self.broker.pid}, "
                f"store {self.broker.store_dir.resolve()})"
            )
        else:
            print(f"SES: NATS at {nats_url}")
        for line in self._pool[0].lines:
            print(line)
        print("SES: ready; Ctrl-C stops everything.", flush=True)

    # -- running ------------------------------------------------------------------------

    async def _keep_alive(self, worker: _Worker, environment: dict[str, str]) -> None:
        quick_deaths = 0
        loop = asyncio.get_running_loop()
        while True:
            process = worker.process
            assert process is not None
            started = loop.time()
            status = await process.wait()
            if self._stopping:
                return
            quick_deaths = quick_deaths + 1 if loop.time() - started < 60 else 0
            delay = min(30.0, 0.5 * 2 ** max(0, quick_deaths - 1))
            _log.error(
                "Worker %d (pid %d) exited with status %s; starting it again in %.1f s.",
                worker.index,
                process.pid,
                status,
                delay,
            )
            await asyncio.sleep(delay)
            with contextlib.suppress(PreconditionFailed):
                await self._start_ready(worker, environment)

    async def _stop_workers(self) -> None:
        running = [w.process for w in self._pool if w.process and w.process.returncode is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        patience = self.settings.grpc.shutdown_grace_seconds + 30
        waiting = [asyncio.ensure_future(process.wait()) for process in running]
        if waiting:
            _, late = await asyncio.wait(waiting, timeout=patience)
            for process in running:
                if process.returncode is None:
                    _log.error("Worker pid %d did not stop in time; killing it.", process.pid)
                    with contextlib.suppress(ProcessLookupError):
                        process.kill()
            if late:
                await asyncio.wait(late)
