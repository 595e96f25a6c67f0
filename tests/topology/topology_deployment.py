"""The production topology on loopback: a three-node NATS cluster, one PostgreSQL, an SMTP
server and two ``ses serve`` processes of each service, each on its own port.

A replica is a :class:`~ses_core.testing.services.ServeProcess` (kill -9 and start again on
the same port); :class:`Deployment` starts and stops everything. The processes are
configured as Kubernetes configures them: environment variables only (``SES_*``), one
PostgreSQL database per service, the NATS cluster's URLs comma-separated, streams at three
replicas, e-mail through SMTP.

Start-up is concurrent, as pods start: the NATS cluster, PostgreSQL and the SMTP server
together, then all eight processes at once. The signing key ring is made first, by the
test, as a deployment provisions its Secret (``KeyRing.load_or_create`` is not safe for
several first starts at once; the grant secret is). Migrations of one database by its
two replicas are serialized by the migration lock.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ses_core.platform.identity import KeyRing
from ses_core.platform.settings import Settings, load_settings
from ses_core.testing import NatsCluster, PostgresCluster
from ses_core.testing.services import ServeProcess, serve_environment
from ses_core.testing.smtp import SmtpSink

SERVICES = ("enrollment", "complaints", "files", "notify")
_LEASE_LINE = re.compile(r"(holds|lost) the lease background-(\w+)")


def holds_background_lease(replica: ServeProcess) -> bool:
    """Whether its log says it holds its service's background lease now."""
    said = _LEASE_LINE.findall(replica.log_since_launch())
    return bool(said) and said[-1][0] == "holds"


@dataclass
class Deployment:
    base: Path
    nats: NatsCluster
    postgres: PostgresCluster
    smtp: SmtpSink
    settings: Settings
    replicas: dict[str, list[ServeProcess]]

    def addresses(self, index: int) -> dict[str, str]:
        """The address of replica ``index`` of every service, as the SDK takes them."""
        return {service: self.replicas[service][index].address for service in SERVICES}

    def all_replicas(self) -> list[ServeProcess]:
        return [replica for service in SERVICES for replica in self.replicas[service]]

    def lease_holder(self, service: str) -> ServeProcess | None:
        holders = [r for r in self.replicas[service] if holds_background_lease(r)]
        return holders[0] if len(holders) == 1 else None


@contextlib.contextmanager
def deployed(base: Path) -> Iterator[Deployment]:
    """Everything started, side by side (see the module)."""
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(3) as pool:
        nats = NatsCluster(base / "nats")
        postgres = PostgresCluster()
        smtp = SmtpSink()
        for server in (nats, postgres, smtp):
            stack.callback(server.stop)  # each stop is safe on a server that did not start
        for started in [pool.submit(server.start) for server in (nats, postgres, smtp)]:
            started.result()
        databases = {service: postgres.create_database(service) for service in SERVICES}
        data_dir = base / "data"  # signing keys and the grant secret, shared as a Secret is
        settings = load_settings(data_dir=data_dir, nats={"url": nats.url}, database=databases)
        assert settings.identity.signing_key_path is not None
        KeyRing.load_or_create(settings.identity.signing_key_path)
        environment = serve_environment(
            data_dir=data_dir,
            nats_url=nats.url,
            databases=databases,
            smtp_port=smtp.port,
            SES_NATS__STREAM_REPLICAS="3",
            SES_IDENTITY__ACCESS_TOKEN_TTL="7200",
        )
        environment.pop("SES_TOPOLOGY_FLOWS", None)
        replicas = {
            service: [
                ServeProcess(
                    service, environment, base / f"{service}-{side}.log", name=f"{service}-{side}"
                )
                for side in "ab"
            ]
            for service in SERVICES
        }
        every = [replica for service in SERVICES for replica in replicas[service]]
        stack.callback(lambda: [replica.stop() for replica in every])
        stack.callback(lambda: [replica.terminate() for replica in every])  # all at once first
        for replica in every:
            replica.launch()
        for replica in every:
            replica.wait_serving()
        yield Deployment(base, nats, postgres, smtp, settings, replicas)
