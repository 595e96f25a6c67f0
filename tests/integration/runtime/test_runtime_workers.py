"""``ses up --workers N``: N host processes share the gRPC port, serve, and stop cleanly;
a port someone else holds is refused in one line instead of being shared."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from runtime_support import SesUp, alive

from ses_core.testing import free_port, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SES = Path(sys.executable).parent / "ses"
DEMO_MANAGER = ("manager@demo-agency.example", "demo-password-2025")
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def processes() -> Iterator[list[SesUp]]:
    started: list[SesUp] = []
    yield started
    for process in started:
        process.close()


def _listening_inodes(port: int) -> set[str]:
    """Socket inodes listening on ``port`` (IPv4 and IPv6, this network namespace)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = str(fd.readlink()) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            found.add(target[len("socket:[") : -1])
    return found


def test_ses_up_with_two_workers_serves_on_one_port_and_stops_cleanly(
    tmp_path: Path, processes: list[SesUp]
) -> None:
    up = SesUp(tmp_path / "data", args=["--workers", "2"])
    processes.append(up)
    up.wait_until_ready()
    banner = next(line for line in up.lines if "gRPC listening on" in line)
    found = re.search(
        r"listening on ([\d.]+):(\d+) \(2 worker processes, pids (\d+), (\d+)\)", banner
    )
    assert found, banner
    address, port = f"{found.group(1)}:{found.group(2)}", int(found.group(2))
    workers = [int(found.group(3)), int(found.group(4))]
    broker = up.broker_pid

    # Both workers listen on the port (SO_REUSEPORT), each with its own socket.
    listening = _listening_inodes(port)
    assert all(_socket_inodes(pid) & listening for pid in workers), (workers, listening)
    with grpc.insecure_channel(address) as channel:
        answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
    # A real call through the enrollment service (its demo data was seeded once).
    for _ in range(3):
        signed_in = subprocess.run(
            [
                str(SES),
                "signin",
                "--email",
                DEMO_MANAGER[0],
                "--password",
                DEMO_MANAGER[1],
                "--totp-secret",
                DEMO_TOTP_SECRET,
                "--address",
                address,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if signed_in.returncode == 0:
            break
        assert "used" in signed_in.stderr, signed_in.stderr  # a TOTP code works once
    assert signed_in.returncode == 0, signed_in.stderr
    assert signed_in.stdout.count(".") >= 2  # a JWT

    assert up.interrupt() == 0, up.output
    assert "SES: stopped." in up.output
    for pid in [*workers, broker]:
        wait_until(lambda pid=pid: not alive(pid), timeout=30, message=f"process {pid} to end")


def test_a_port_in_use_is_refused_in_one_line(tmp_path: Path, processes: list[SesUp]) -> None:
    port = free_port()
    first = SesUp(tmp_path / "first", args=["--workers", "2", "--port", str(port)])
    processes.append(first)
    first.wait_until_ready()

    second = SesUp(tmp_path / "second", args=["--workers", "2", "--port", str(port)])
    processes.append(second)

    assert second.finish() == 2, second.output
    assert len(second.errors) == 1, second.errors
    (line,) = second.errors
    assert line.startswith(f"ses: The gRPC address 127.0.0.1:{port} is already in use"), line
    assert first.interrupt() == 0, first.output
