"""Children started by ``ses_core.platform.spawn``: they die with a parent that was
SIGKILLed, they refuse to start once their parent is gone, and spawning them is safe from
a process whose gRPC threads are busy (no Python runs between fork and exec).

Each runs with ``setpriv`` (where it exists) and with the ``python -I -S`` fallback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from ses_core.platform import spawn as spawn_module
from ses_core.platform.spawn import ORPHAN_EXIT_STATUS, dying_with_parent, spawn
from ses_core.testing import free_port, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="no parent-death signal"),
]


@pytest.fixture(params=["setpriv", "python"])
def wrapper(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "setpriv":
        if spawn_module._setpriv() is None:
            pytest.skip("util-linux setpriv is not installed")
    else:
        monkeypatch.setattr(spawn_module, "_setpriv", lambda: None)
    return str(request.param)


def _gone(pid: int) -> bool:
    """No such process, or only its zombie (reparented, not yet reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


_PARENT = """
import signal, sys
from ses_core.platform import spawn as spawn_module
if sys.argv[1] == "python":
    spawn_module._setpriv = lambda: None
child = spawn_module.spawn(["sleep", "600"])
print(child.pid, flush=True)
signal.pause()
"""


def test_a_child_dies_when_its_parent_is_sigkilled(wrapper: str) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, wrapper], stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert not _gone(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(30)
        wait_until(lambda: _gone(child), timeout=30, message=f"child {child} to die")
    finally:
        parent.kill()
        parent.wait(30)


def test_a_child_whose_parent_is_gone_before_it_starts_does_not_run(wrapper: str) -> None:
    # The pid the wrapper expects is not its parent: as if the parent died meanwhile.
    command = dying_with_parent(["sh", "-c", "echo ran"], parent=os.getpid() + 1_000_000)
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    assert (done.returncode, done.stdout) == (ORPHAN_EXIT_STATUS, "")


def test_the_wrapped_command_keeps_its_arguments_and_exit_status(wrapper: str) -> None:
    command = dying_with_parent(["sh", "-c", 'printf "%s|" "$@"; exit 7', "sh", "a b", "$PPID"])
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    assert (done.returncode, done.stdout) == (7, "a b|$PPID|")


def test_spawn_refuses_a_preexec_fn() -> None:
    with pytest.raises(TypeError, match="preexec_fn"):
        spawn(["true"], preexec_fn=lambda: None)


@pytest.fixture
def busy_grpc_process() -> Iterator[None]:
    """This process with a gRPC server answering a client that calls without pause."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)
    port = server.add_insecure_port(f"127.0.0.1:{free_port()}")
    server.start()
    stop = threading.Event()
    calls = [0]

    def call_forever() -> None:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while not stop.is_set():
                stub.Check(health_pb2.HealthCheckRequest(), timeout=10)
                calls[0] += 1

    callers = [threading.Thread(target=call_forever) for _ in range(2)]
    for caller in callers:
        caller.start()
    wait_until(lambda: calls[0] > 10, timeout=30, message="gRPC calls in flight")
    try:
        yield
    finally:
        stop.set()
        for caller in callers:
            caller.join(30)
        server.stop(None)
    assert calls[0] > 10


@pytest.mark.usefixtures("busy_grpc_process")
def test_many_spawns_from_a_process_with_busy_grpc_threads_all_start(wrapper: str) -> None:
    statuses = []
    for _ in range(60 if wrapper == "setpriv" else 15):  # the fallback starts an interpreter
        child = spawn(["sh", "-c", "exit 3"], stdin=subprocess.DEVNULL)
        statuses.append(child.wait(30))
    assert set(statuses) == {3}
