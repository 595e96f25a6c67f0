"""One hosted complaints service per test module (per database), seeded with a directory.

Starting a host (broker, migrations, consumers) is the slow part, so each module
shares one: tests create their own complaints and never depend on each other's.
The host runs on a ``FixedClock`` set to the real time at start, which a test moves
on (``Harness.tick``) to make IRs overdue or to order complaints by creation time.
``harness`` runs every module once on SQLite and once on PostgreSQL (marked
``postgres``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import grpc.aio
import pytest
import pytest_asyncio
from complaints_support import Harness, agency_events, company_events

from ses_complaints.bootstrap import plugin
from ses_core.platform.db import create_database_engine, sqlite_url
from ses_core.ports import FixedClock
from ses_core.testing import NatsServerProcess, PostgresCluster, find_postgres_bindir
from ses_core.testing.hosting import host_settings, hosted

SKIP_POSTGRES_ENV = "SES_TEST_SKIP_POSTGRES"


async def _start(tmp: Path, database_url: str) -> AsyncIterator[Harness]:
    with NatsServerProcess(tmp / "nats") as broker:
        settings = host_settings(
            tmp / "data", nats_url=broker.url, database_urls={"complaints": database_url}
        )
        engine = create_database_engine(database_url)
        clock = FixedClock(datetime.now(UTC))
        async with hosted(settings, [plugin], clock=clock) as host:
            channel = grpc.aio.insecure_channel(host.address)
            harness = Harness(
                host=host, settings=settings, channel=channel, engine=engine, clock=clock
            )
            await harness.publish(*agency_events(), *company_events())
            try:
                yield harness
            finally:
                await channel.close()
                engine.dispose()


@pytest_asyncio.fixture(
    scope="module",
    loop_scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
async def harness(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Harness]:
    tmp = tmp_path_factory.mktemp("complaints")
    if request.param == "sqlite":
        async for started in _start(tmp, sqlite_url(tmp / "db", "complaints")):
            yield started
        return
    if os.environ.get(SKIP_POSTGRES_ENV) == "1" and find_postgres_bindir() is None:
        pytest.skip(f"{SKIP_POSTGRES_ENV}=1 is set and PostgreSQL is not installed.")
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    name = f"complaints_{uuid.uuid4().hex[:12]}"
    url = cluster.create_database(name)
    try:
        async for started in _start(tmp, url):
            yield started
    finally:
        cluster.drop_database(name)
