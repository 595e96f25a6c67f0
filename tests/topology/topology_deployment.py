"""The production topology on loopback: a three-node NATS cluster, one PostgreSQL, an SMTP
server and two ``ses serve`` processes of each service, each on its own port.

:class:`Replica` is one ``ses serve <service>`` child process (kill -9 and start again on
the same port); :class:`Deployment` starts and stops everything. The processes are
configured as Kubernetes configures them: environment variables only (``SES_*``), one
PostgreSQL database per service, the NATS cluster's URLs comma-separated, streams at three
replicas, e-mail through SMTP.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ses_core.platform.settings import Settings, load_settings
from ses_core.testing import NatsCluster, PostgresCluster, free_port, wait_until
from ses_core.testing.smtp import SmtpSink

SERVICES = ("enrollment", "complaints", "files", "notify")
FULL_NAMES = {
    "enrollment": "ses.enrollment.v1.EnrollmentService",
    "complaints": "ses.complaints.v1.ComplaintsService",
    "files": "ses.files.v1.FilesService",
    "notify": "ses.notify.v1.NotifyService",
}
_LEASE_LINE = re.compile(r"(holds|lost) the lease background-(\w+)")


@dataclass
class Replica:
    """``ses serve <service>`` in a child process, on a port kept across restarts."""

    service: str
    index: int
    environment: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_start: int = 0  # where this life of the process begins in its log

    @property
    def name(self) -> str:
        return f"{self.service}-{'ab'[self.index]}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def launch(self) -> None:
        command = [sys.executable, "-m", "ses_core.platform.runtime.cli", "serve", self.service]
        env = {**self.environment, "SES_GRPC__PORT": str(self.port)}
        self.log_start = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, env=env, stdout=output, stderr=subprocess.STDOUT
            )

    def wait_serving(self, timeout: float = 180.0) -> None:
        wait_until(self.serving, timeout=timeout, interval=0.1, message=f"{self.name} to serve")

    def start(self) -> None:
        self.launch()
        self.wait_serving()

    def serving(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log}")
        with grpc.insecure_channel(self.address) as channel:
            try:
                reply = health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(service=FULL_NAMES[self.service]), timeout=1
                )
            except grpc.RpcError:
                return False
        return reply.status == health_pb2.HealthCheckResponse.SERVING

    def kill(self) -> None:
        """SIGKILL: no drain, no goodbye, as a node failure."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def holds_background_lease(self) -> bool:
        """Whether its log says it holds its service's background lease now."""
        with self.log.open("rb") as log:
            log.seek(self.log_start)
            said = _LEASE_LINE.findall(log.read().decode(errors="replace"))
        return bool(said) and said[-1][0] == "holds"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)


@dataclass
class Deployment:
    base: Path
    nats: NatsCluster
    postgres: PostgresCluster
    smtp: SmtpSink
    settings: Settings
    replicas: dict[str, list[Replica]]

    def addresses(self, index: int) -> dict[str, str]:
        """The address of replica ``index`` of every service, as the SDK takes them."""
        return {service: self.replicas[service][index].address for service in SERVICES}

    def all_replicas(self) -> list[Replica]:
        return [replica for service in SERVICES for replica in self.replicas[service]]

    def lease_holder(self, service: str) -> Replica | None:
        holders = [r for r in self.replicas[service] if r.holds_background_lease()]
        return holders[0] if len(holders) == 1 else None


@contextlib.contextmanager
def deployed(base: Path) -> Iterator[Deployment]:
    """Everything started, replica A of each service first (it migrates), then the B's."""
    with contextlib.ExitStack() as stack:
        nats = NatsCluster(base / "nats").start()
        stack.callback(nats.stop)
        postgres = PostgresCluster().start()
        stack.callback(postgres.stop)
        smtp = SmtpSink().start()
        stack.callback(smtp.stop)
        databases = {service: postgres.create_database(service) for service in SERVICES}
        data_dir = base / "data"  # signing keys and the grant secret, shared as a Secret is
        environment = {
            **{name: value for name, value in os.environ.items() if name != "SES_TOPOLOGY_FLOWS"},
            "SES_DATA_DIR": str(data_dir),
            "SES_NATS__URL": nats.url,
            "SES_NATS__STREAM_REPLICAS": "3",
            "SES_GRPC__SHUTDOWN_GRACE_SECONDS": "2",
            "SES_IDENTITY__ACCESS_TOKEN_TTL": "7200",
            "SES_NOTIFY__MAIL_TRANSPORT": "smtp",
            "SES_NOTIFY__SMTP_HOST": "127.0.0.1",
            "SES_NOTIFY__SMTP_PORT": str(smtp.port),
            "SES_ENROLLMENT__ARGON2_TIME_COST": "1",
            "SES_ENROLLMENT__ARGON2_MEMORY_KIB": "64",
            "SES_ENROLLMENT__ARGON2_PARALLELISM": "1",
            **{f"SES_DATABASE__{name.upper()}": url for name, url in databases.items()},
        }
        replicas = {
            service: [
                Replica(service, index, environment, base / f"{service}-{'ab'[index]}.log")
                for index in (0, 1)
            ]
            for service in SERVICES
        }
        for service in SERVICES:
            stack.callback(replicas[service][0].stop)
            stack.callback(replicas[service][1].stop)
        for service in SERVICES:  # one at a time: migrations, then keys the others load
            replicas[service][0].start()
        for service in SERVICES:
            replicas[service][1].launch()
        for service in SERVICES:
            replicas[service][1].wait_serving()
        settings = load_settings(data_dir=data_dir, nats={"url": nats.url}, database=databases)
        yield Deployment(base, nats, postgres, smtp, settings, replicas)


def seconds_since(started: float) -> float:
    return time.monotonic() - started
