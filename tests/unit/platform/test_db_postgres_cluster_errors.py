"""The test PostgreSQL cluster explains how to get PostgreSQL when it cannot start one."""

from __future__ import annotations

import pytest

from ses_core.testing import PostgresCluster, PostgresUnavailable, postgres


def test_missing_server_binaries_point_to_make_system_deps(monkeypatch):
    monkeypatch.setattr(postgres, "find_postgres_bindir", lambda: None)

    with pytest.raises(PostgresUnavailable, match="run `make system-deps`") as raised:
        PostgresCluster()
    assert "SES_TEST_SKIP_POSTGRES=1" in str(raised.value)


def test_urls_name_the_driver_host_port_and_database(tmp_path):
    cluster = PostgresCluster(port=54329, bindir=tmp_path)
    assert cluster.url("complaints") == "postgresql+psycopg://postgres@127.0.0.1:54329/complaints"
