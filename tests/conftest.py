"""Fixtures shared by every suite: real servers, started only when a test asks for them.

* ``nats_server``: a fresh ``nats-server -js`` per test on a free port with a temporary
  store; ``.url``, ``.stop()``, ``.restart()`` (same port and store), ``.kill()``.
* ``postgres_cluster``: one throwaway PostgreSQL cluster for the whole session
  (``initdb``/``pg_ctl``). Missing binaries fail with the fix (``make system-deps``), unless
  ``SES_TEST_SKIP_POSTGRES=1``, which skips the PostgreSQL half instead.
* ``database_url``: a fresh, empty database per test, once on SQLite (a file in the test's
  temporary directory) and once on PostgreSQL (a new database in the session cluster;
  marked ``postgres``). Select one with ``-k sqlite`` / ``-m "not postgres"``.
* ``engine``: a platform-configured SQLAlchemy engine on ``database_url``.
* ``metric_reader``: the process's in-memory metric reader. OpenTelemetry accepts one
  global meter provider per process, so it is installed here, before any test runs;
  hosts started by tests then record into it (``setup_telemetry`` keeps an SDK provider
  that is already installed).

Hypothesis runs under the profile named by ``HYPOTHESIS_PROFILE``: ``dev`` (the default,
unless Hypothesis detects a CI environment) draws new random examples on every run, so
developers keep finding new edges (add each failing example found that way with
``@example``); ``ci`` (set by ``.ci/run``) is derandomized, so a CI run passes or fails
the same way every time, and prints the blob that reproduces a failure. Neither has a
deadline: the properties are about results, and on a shared two-core machine an
example's duration says more about the neighbours.
``HYPOTHESIS_PROFILE=fuzz`` selects the ``fuzz`` Hypothesis profile: the long campaign of
``make fuzz`` (``tests/security/test_rpc_fuzzing.py`` runs that many examples per RPC).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from opentelemetry import metrics
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from sqlalchemy import Engine

from ses_core.platform.db import create_database_engine, sqlite_url
from ses_core.testing import NatsServerProcess, PostgresCluster, find_postgres_bindir
from ses_core.testing.postgres import INSTALL_HINT

TESTS = Path(__file__).parent
SKIP_POSTGRES_ENV = "SES_TEST_SKIP_POSTGRES"
HYPOTHESIS_PROFILE_ENV = "HYPOTHESIS_PROFILE"

# Hypothesis has already loaded its own "ci" profile if it saw a CI variable; keep that
# choice when HYPOTHESIS_PROFILE does not make one.
_DEFAULT_PROFILE = "ci" if settings.get_current_profile_name() == "ci" else "dev"
settings.register_profile("dev", settings.get_profile("default"), deadline=None)
settings.register_profile(
    "ci",
    settings.get_profile("default"),
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    max_examples=2_000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get(HYPOTHESIS_PROFILE_ENV, _DEFAULT_PROFILE))

_METRIC_READER = InMemoryMetricReader()
metrics.set_meter_provider(MeterProvider(metric_readers=[_METRIC_READER]))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long files first, short ones last; each file's tests together and in order.

    ``make test`` hands whole files to two pytest-xdist workers in collection order, so
    the run ends when the last file started ends: a file of several minutes started last
    keeps one worker busy alone, while the many short files at the end even the two out.
    The order: the topology test, the files with slow tests, the security suites (a few
    files of thousands of calls each), the other files with servers, then the unit and
    contract files.
    """
    security, quick = TESTS / "security", (TESTS / "unit", TESTS / "contract")

    def rank_of(item: pytest.Item) -> int:
        if item.get_closest_marker("topology"):
            return 0
        if item.get_closest_marker("slow"):
            return 1
        if item.path.is_relative_to(security):
            return 2
        return 4 if any(item.path.is_relative_to(folder) for folder in quick) else 3

    rank: dict[Path, int] = {}
    for item in items:
        rank[item.path] = min(rank.get(item.path, 4), rank_of(item))
    items.sort(key=lambda item: rank[item.path])


@pytest.fixture(scope="session")
def metric_reader() -> InMemoryMetricReader:
    return _METRIC_READER


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServerProcess]:
    with NatsServerProcess(tmp_path / "nats-store") as server:
        yield server


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    if os.environ.get(SKIP_POSTGRES_ENV) == "1" and find_postgres_bindir() is None:
        pytest.skip(f"{INSTALL_HINT} ({SKIP_POSTGRES_ENV}=1 is set, so skipping.)")
    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "data", "test")
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = cluster.create_database(name)
    yield url
    cluster.drop_database(name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()
