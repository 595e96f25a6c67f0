"""``ses up`` as a real process: its nats-server dies with it, and one store has one server.

Issue 10: ``kill -9`` of ``ses up`` used to leave its nats-server running, and the next
``ses up`` started a second server on the same JetStream store.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from runtime_support import SesUp, alive

from ses_core.testing import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def processes() -> Iterator[list[SesUp]]:
    started: list[SesUp] = []
    yield started
    for process in started:
        process.close()


def test_a_killed_ses_up_takes_its_nats_server_with_it(
    tmp_path: Path, processes: list[SesUp]
) -> None:
    first = SesUp(tmp_path / "data")
    processes.append(first)
    first.wait_until_ready()
    orphan_candidate = first.broker_pid
    assert alive(orphan_candidate)

    first.kill()

    wait_until(
        lambda: not alive(orphan_candidate),
        timeout=15,
        message=f"nats-server {orphan_candidate} to die with its ses up",
    )
    second = SesUp(tmp_path / "data")
    processes.append(second)
    second.wait_until_ready()
    assert second.broker_pid != orphan_candidate
    assert second.interrupt() == 0, second.output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_second_ses_up_on_the_same_store_is_refused_in_one_line(
    tmp_path: Path, processes: list[SesUp], workers: str
) -> None:
    first = SesUp(tmp_path / "data", args=["--workers", workers])
    processes.append(first)
    first.wait_until_ready()

    second = SesUp(tmp_path / "data", args=["--workers", workers])
    processes.append(second)

    assert second.finish() == 2, second.output
    # With several workers the store is claimed before worker 0 starts (worker 0 and the
    # server then start side by side): the second instance started no worker at all.
    assert "worker" not in second.output.lower().replace("worker processes ...", ""), second.output
    (line,) = second.errors
    store = (tmp_path / "data" / "nats").resolve()
    assert line.startswith(f"ses: The NATS store {store} is already in use by process ")
    assert f"process {first.process.pid} and its nats-server (pid {first.broker_pid})" in line
    assert alive(first.broker_pid)
    assert first.interrupt() == 0, first.output
    assert not alive(first.broker_pid)
