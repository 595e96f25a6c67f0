"""The files service on real servers: one host per test module (nats-server, a database, gRPC).

* ``files_host``: a started host running only the files service, shared by the tests of a
  module, once on SQLite and once on PostgreSQL (marked ``postgres``). Tests use fresh
  uploads, so sharing the host is safe.
* ``files`` (a ``FilesApi``): the stub plus helpers acting as one of the actors below.
* Actors (in ``files_support``): ALICE (agency A manager), BOB (agency B manager), CAROL
  (another agency A user), DAVE (a company user).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from files_support import ALICE, FilesApi, HostHandle

from ses_core.platform.db import sqlite_url
from ses_core.testing import NatsServerProcess, PostgresCluster
from ses_core.testing.hosting import host_settings, hosted
from ses_files.bootstrap import FilesPlugin


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("files")


@pytest.fixture(scope="module")
def module_nats(module_dir: Path) -> Iterator[NatsServerProcess]:
    with NatsServerProcess(module_dir / "nats-store") as server:
        yield server


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def files_database(request: pytest.FixtureRequest, module_dir: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(module_dir / "db", "files")
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    name = f"files_{uuid.uuid4().hex[:12]}"
    yield cluster.create_database(name)
    cluster.drop_database(name)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def files_host(
    module_dir: Path, module_nats: NatsServerProcess, files_database: str
) -> AsyncIterator[HostHandle]:
    data_dir = module_dir / f"data-{uuid.uuid4().hex[:8]}"
    settings = host_settings(
        data_dir, nats_url=module_nats.url, database_urls={"files": files_database}
    )
    plugin = FilesPlugin()
    async with hosted(settings, [plugin]) as host, HostHandle.open(host, plugin) as handle:
        yield handle


@pytest.fixture
def files(files_host: HostHandle) -> FilesApi:
    return files_host.api(ALICE)
