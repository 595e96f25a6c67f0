"""The enrollment service on real servers: one host per test module.

* ``world`` (an ``enrollment_support.World``): the service hosted alone with a real
  ``nats-server`` and a real database, once on SQLite and once on PostgreSQL (marked
  ``postgres``), shared by the tests of a module. Tests create their own agencies,
  companies and users with unique names, so sharing is safe. Its clock is the wall clock
  plus an offset tests may move forward (never back).
* ``start_world``: start another host on the module's broker and kind of database (a new
  database each time), for tests that need their own settings or a clock nobody else moves.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import grpc.aio
import pytest
import pytest_asyncio
from enrollment_support import FAST_SETTINGS, OffsetClock, StartWorld, World

from ses_core.platform.db import create_database_engine, sqlite_url
from ses_core.platform.runtime import ServiceHost
from ses_core.testing import NatsServerProcess, PostgresCluster
from ses_core.testing.hosting import host_settings
from ses_enrollment.bootstrap import EnrollmentPlugin
from ses_enrollment.settings import EnrollmentSettings


@pytest.fixture(scope="module")
def enrollment_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("enrollment")


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def enrollment_database(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def enrollment_nats(enrollment_dir: Path, enrollment_database: str) -> Iterator[NatsServerProcess]:
    """A broker per database run: the two runs number their companies alike."""
    with NatsServerProcess(enrollment_dir / f"nats-{enrollment_database}") as server:
        yield server


@pytest.fixture(scope="module")
def start_world(
    request: pytest.FixtureRequest,
    enrollment_dir: Path,
    enrollment_nats: NatsServerProcess,
    enrollment_database: str,
) -> StartWorld:
    """``async with start_world(settings, seed_demo=..., **host_settings) as world``: a new
    host on a new database."""
    cluster: PostgresCluster | None = None
    if enrollment_database == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")

    @asynccontextmanager
    async def start(
        settings: EnrollmentSettings = FAST_SETTINGS,
        *,
        seed_demo: bool = False,
        **overrides: object,
    ) -> AsyncIterator[World]:
        name = f"enrollment_{uuid.uuid4().hex[:12]}"
        if cluster is None:
            url = sqlite_url(enrollment_dir / name, "enrollment")
        else:
            url = cluster.create_database(name)
        host_config = host_settings(
            enrollment_dir / f"data-{name}",
            nats_url=enrollment_nats.url,
            database_urls={"enrollment": url},
            **overrides,
        )
        clock = OffsetClock()
        engine = create_database_engine(url)
        try:
            host = ServiceHost(
                host_config, [EnrollmentPlugin(settings)], clock=clock, seed_demo=seed_demo
            )
            await host.start()
            try:
                async with grpc.aio.insecure_channel(host.address) as channel:
                    yield World(host_config, channel, clock, engine, host)
            finally:
                await host.stop()
        finally:
            engine.dispose()
            if cluster is not None:
                cluster.drop_database(name)

    return start


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(start_world: StartWorld) -> AsyncIterator[World]:
    async with start_world() as started:
        yield started
