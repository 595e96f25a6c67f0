"""Repositories see only their tenant's rows, whatever the query (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from ses_core.errors import NotFound

pytestmark = pytest.mark.integration


def test_another_tenants_aggregate_cannot_be_loaded(tally_service):
    theirs = tally_service.create_tally(tenant_id="tenant-b")

    with tally_service.uow("tenant-a") as uow, pytest.raises(NotFound) as raised:
        uow.tallies.get(theirs.id)

    assert raised.value.reason == "tally_not_found"
    assert "No tally with id" in raised.value.message


def test_queries_built_on_select_only_return_the_tenants_rows(tally_service):
    mine = tally_service.create_tally(tenant_id="tenant-a")
    tally_service.create_tally(tenant_id="tenant-b")
    tally_service.create_tally(tenant_id="tenant-b")

    with tally_service.uow("tenant-a") as uow:
        assert [tally.id for tally in uow.tallies.list_all()] == [mine.id]
    with tally_service.uow("tenant-b") as uow:
        assert len(uow.tallies.list_all()) == 2


def test_rows_are_written_with_the_repositorys_tenant(tally_service):
    tally_service.create_tally(tenant_id="tenant-b")

    [row] = tally_service.rows(tally_service.tallies_table)
    [entry] = tally_service.outbox()
    assert row["tenant_id"] == entry["tenant_id"] == "tenant-b"


def test_a_repository_refuses_a_missing_tenant(tally_service):
    with tally_service.uow() as uow, pytest.raises(ValueError, match="empty tenant"):
        type(uow.tallies)(uow.session, "")
