"""The background lease, on a SQLite file and on PostgreSQL (``engine`` runs both).

Two holders never overlap; a killed holder's lease is taken over; on PostgreSQL a holder
whose session the server ended notices and stops before the next holder starts.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from ses_core.platform.db import create_database_engine
from ses_core.platform.db.leases import Lease
from ses_core.platform.runtime._background import LeasedLoops, cancel_all
from ses_core.testing import PostgresCluster, eventually

pytestmark = pytest.mark.integration

NAME = "background-tally"


def quick_lease(engine: Engine, *, grace: float = 0.5) -> Lease:
    return Lease(engine, NAME, check_interval=0.1, check_timeout=1.0, takeover_grace=grace)


@pytest.fixture
def second_engine(engine: Engine) -> Iterator[Engine]:
    """A second pool on the same database: as another process would connect."""
    other = create_database_engine(engine.url.render_as_string(hide_password=False))
    yield other
    other.dispose()


async def test_a_second_holder_waits_until_the_first_releases(engine, second_engine):
    first, second = quick_lease(engine), quick_lease(second_engine)
    await first.acquire()
    waiting = asyncio.create_task(second.acquire())
    # The first still holds it: the second cannot have it within a second.
    done, _ = await asyncio.wait({waiting}, timeout=1.0)
    assert not done
    await first.release()
    await asyncio.wait_for(waiting, timeout=30)
    assert second.held
    await second.release()


async def test_leased_loops_never_run_in_two_holders_at_once(engine, second_engine):
    running: list[str] = []
    overlaps: list[tuple[str, ...]] = []

    def loop_of(holder: str):
        async def loop() -> None:
            running.append(holder)
            try:
                if len(running) > 1:
                    overlaps.append(tuple(running))
                await asyncio.Event().wait()  # works until cancelled
            finally:
                running.remove(holder)

        return loop

    first = LeasedLoops("tally", quick_lease(engine), [loop_of("first")])
    second = LeasedLoops("tally", quick_lease(second_engine), [loop_of("second")])
    first_task = asyncio.create_task(first.run())
    await eventually(lambda: running == ["first"], timeout=30, message="the first holder")
    second_task = asyncio.create_task(second.run())
    done, _ = await asyncio.wait({second_task}, timeout=1.0)
    assert not done
    assert running == ["first"]
    await cancel_all([first_task])  # the holder stops: the other takes over
    await eventually(lambda: running == ["second"], timeout=30, message="the takeover")
    await cancel_all([second_task])
    assert overlaps == []
    assert running == []


HOLDER = textwrap.dedent(
    """
    import asyncio, sys
    from ses_core.platform.db import create_database_engine
    from ses_core.platform.db.leases import Lease

    async def main():
        lease = Lease(create_database_engine(sys.argv[1]), sys.argv[2], takeover_grace=0)
        await lease.acquire()
        print("held", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())
    """
)


async def test_a_killed_holder_gives_the_lease_up(engine):
    url = engine.url.render_as_string(hide_password=False)
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, url, NAME, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        line = await asyncio.wait_for(holder.stdout.readline(), timeout=60)
        assert line.strip() == b"held"
        successor = quick_lease(engine)
        waiting = asyncio.create_task(successor.acquire())
        done, _ = await asyncio.wait({waiting}, timeout=1.0)
        assert not done  # the live holder keeps it
        holder.send_signal(signal.SIGKILL)
        await asyncio.wait_for(waiting, timeout=30)
        assert successor.held
        await successor.release()
    finally:
        if holder.returncode is None:
            holder.kill()
        await holder.wait()


@pytest.mark.postgres
async def test_a_holder_whose_session_ends_stops_before_the_next_one_starts(engine, second_engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("only a PostgreSQL session can be ended under a live holder")
    events: list[str] = []
    first, second = quick_lease(engine), quick_lease(second_engine, grace=1.0)
    await first.acquire()

    async def first_holder() -> None:
        await first.wait_until_lost()
        events.append("first noticed")
        await first.release()

    async def second_holder() -> None:
        await second.acquire()
        events.append("second started")

    watching = asyncio.create_task(first_holder())
    taking_over = asyncio.create_task(second_holder())
    with second_engine.begin() as connection:
        # What a server restart or a cut connection does to the holder's session.
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks "
                "WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )
    await asyncio.wait_for(asyncio.gather(watching, taking_over), timeout=30)
    assert events == ["first noticed", "second started"]
    await second.release()


async def test_a_loop_that_fails_is_started_again_while_the_lease_is_held(engine):
    starts: list[int] = []

    async def flaky() -> None:
        starts.append(len(starts) + 1)
        if len(starts) < 3:
            raise RuntimeError("database restarting")  # as a loop meeting an outage would
        await asyncio.Event().wait()

    runner = asyncio.create_task(LeasedLoops("tally", quick_lease(engine), [flaky]).run())
    try:
        await eventually(lambda: len(starts) == 3, timeout=30, message="the third start")
    finally:
        await cancel_all([runner])
    assert starts == [1, 2, 3]


@pytest.mark.postgres
@pytest.mark.slow
async def test_a_holder_keeps_trying_through_a_postgres_restart_and_holds_again(tmp_path):
    """A restart ends every session: the holder notices, waits for the server, holds again."""
    cluster = PostgresCluster()
    try:
        cluster.start()
        holder_engine = create_database_engine(cluster.create_database("leases"))
        lease = quick_lease(holder_engine, grace=0.2)
        await lease.acquire()
        lost = asyncio.create_task(lease.wait_until_lost())
        await asyncio.to_thread(cluster.restart, mode="fast")
        await asyncio.wait_for(lost, timeout=30)
        await lease.release()
        await asyncio.wait_for(lease.acquire(), timeout=60)
        assert lease.held
        await lease.release()
        holder_engine.dispose()
    finally:
        cluster.stop()
