"""``ses serve <service>`` in a child process, as a deployment runs it: start, wait until
its gRPC health check says SERVING, SIGKILL or stop it, start it again on the same port.

The processes are configured as Kubernetes configures them, by ``SES_*`` environment
variables only (:func:`serve_environment` makes the usual ones), and are started through
:func:`ses_core.platform.spawn.spawn`: they die with the test process even when it is
SIGKILLed, and starting them is safe while the test's own gRPC threads run.

Each process appends what it prints to its log file; :meth:`ServeProcess.log_since_launch`
reads only the current life's lines (a restart keeps the earlier ones above them).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ses_core.platform.messaging.natsserver import free_port
from ses_core.platform.spawn import spawn
from ses_core.testing.waiting import wait_until

__all__ = ["ServeProcess", "health_name", "serve_environment"]

STARTUP_TIMEOUT = 180.0  # generous: a loaded two-core machine starts eight at once


def health_name(service: str) -> str:
    """The gRPC service whose health the process reports, e.g. ``ses.files.v1.FilesService``."""
    return f"ses.{service}.v1.{service.title()}Service"


def serve_environment(
    *,
    data_dir: Path,
    nats_url: str,
    databases: Mapping[str, str] | None = None,
    smtp_port: int | None = None,
    **extra: str,
) -> dict[str, str]:
    """This process's environment plus what a test deployment sets.

    Cheap password hashing keeps tests fast (production keeps the defaults); a short
    shutdown grace keeps stops quick. ``databases`` maps a service to its database URL
    (else each service uses its SQLite file under ``data_dir``); ``smtp_port`` sends
    e-mail to an SMTP server on loopback; ``extra`` adds or overrides ``SES_*`` names.
    """
    environment = {
        **os.environ,
        "SES_DATA_DIR": str(data_dir),
        "SES_NATS__URL": nats_url,
        "SES_GRPC__SHUTDOWN_GRACE_SECONDS": "2",
        "SES_ENROLLMENT__ARGON2_TIME_COST": "1",
        "SES_ENROLLMENT__ARGON2_MEMORY_KIB": "64",
        "SES_ENROLLMENT__ARGON2_PARALLELISM": "1",
    }
    for service, url in (databases or {}).items():
        environment[f"SES_DATABASE__{service.upper()}"] = url
    if smtp_port is not None:
        environment["SES_NOTIFY__MAIL_TRANSPORT"] = "smtp"
        environment["SES_NOTIFY__SMTP_HOST"] = "127.0.0.1"
        environment["SES_NOTIFY__SMTP_PORT"] = str(smtp_port)
    environment.update(extra)
    return environment


@dataclass
class ServeProcess:
    """``ses serve <service>`` on a port it keeps across restarts (``SES_GRPC__PORT``)."""

    service: str
    environment: Mapping[str, str]
    log: Path
    name: str = ""  # in messages; the service's name by default
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    _log_start: int = 0  # where the current life of the process begins in its log

    def __post_init__(self) -> None:
        self.name = self.name or self.service

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def launch(self) -> Self:
        """Start the process and return at once (see :meth:`wait_serving`)."""
        command = [sys.executable, "-m", "ses_core.platform.runtime.cli", "serve", self.service]
        environment = {**self.environment, "SES_GRPC__PORT": str(self.port)}
        self._log_start = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as output:
            self.process = spawn(
                command,
                thread_name=f"serve-{self.name}",
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        return self

    def wait_serving(self, timeout: float = STARTUP_TIMEOUT) -> Self:
        wait_until(self.serving, timeout=timeout, interval=0.1, message=f"{self.name} to serve")
        return self

    def start(self, timeout: float = STARTUP_TIMEOUT) -> Self:
        return self.launch().wait_serving(timeout)

    def serving(self) -> bool:
        """Whether its health check says SERVING; raises if the process has exited."""
        if self.process is None:
            raise RuntimeError(f"{self.name} was never started")
        if self.process.poll() is not None:
            said = [line for line in self.log_since_launch().splitlines() if line.strip()]
            raise RuntimeError(
                f"{self.name} exited with {self.process.returncode}: "
                f"{said[-1] if said else 'it wrote nothing'} (its log: {self.log})"
            )
        with grpc.insecure_channel(self.address) as channel:
            try:
                check = health_pb2_grpc.HealthStub(channel).Check  # type: ignore[attr-defined]
                reply = check(
                    health_pb2.HealthCheckRequest(service=health_name(self.service)), timeout=1
                )
            except grpc.RpcError:
                return False
        return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)

    def kill(self) -> None:
        """SIGKILL: no drain, no goodbye, as a node failure."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def terminate(self) -> None:
        """Ask it to stop (SIGTERM) without waiting: stop many at once, then :meth:`stop`."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM and wait; SIGKILL if it has not stopped within ``timeout``."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)

    def log_since_launch(self) -> str:
        with self.log.open("rb") as log:
            log.seek(self._log_start)
            return log.read().decode(errors="replace")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
