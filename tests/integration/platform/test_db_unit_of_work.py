"""The unit of work commits state and outbox together, or neither (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from ses_core.platform.db import outbox_table
from ses_core.ports import FixedClock

pytestmark = pytest.mark.integration


def test_commit_writes_the_state_change_and_its_event_to_the_outbox(tally_service):
    tally = tally_service.create_tally(bumps=1)

    [row] = tally_service.rows(tally_service.tallies_table)
    assert (row["id"], row["value"], row["tenant_id"]) == (tally.id, 1, "tenant-a")
    [entry] = tally_service.outbox()
    assert entry["subject"] == "ses.testing.v1.bumped"
    assert entry["tenant_id"] == "tenant-a"
    assert entry["published_at"] is None
    assert entry["headers"]["ses-tenant"] == "tenant-a"
    assert entry["headers"]["content-type"] == "application/json"
    payload = json.loads(entry["payload"])
    assert payload["event_id"] == entry["event_id"]
    assert (payload["tally_id"], payload["value"]) == (tally.id, 1)
    # The event raised without a tenant is stamped with the unit of work's tenant.
    assert payload["tenant_id"] == "tenant-a"


def test_leaving_the_block_without_commit_writes_neither_state_nor_events(tally_service):
    with tally_service.uow() as uow:
        tally = tally_service.Tally()
        uow.tallies.add(tally)
        tally.bump()

    assert tally_service.count(tally_service.tallies_table) == 0
    assert tally_service.outbox() == []


def test_a_failing_handler_leaves_state_and_outbox_untouched(tally_service):
    existing = tally_service.create_tally(bumps=1)

    def handler() -> None:
        with tally_service.uow() as uow:
            uow.tallies.get(existing.id).bump()
            uow.tallies.add(tally_service.Tally())
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError, match="handler failed"):
        handler()

    [row] = tally_service.rows(tally_service.tallies_table)
    assert row["value"] == 1
    assert len(tally_service.outbox()) == 1


def test_a_failed_commit_rolls_back_the_state_change_too(tally_service):
    existing = tally_service.create_tally(bumps=1)

    with tally_service.uow() as uow:
        tally = uow.tallies.get(existing.id)
        tally.bump()
        # An event from another tenant must not be published through this change.
        uow.record(tally_service.Bumped(tenant_id="tenant-b", tally_id=tally.id, value=0))
        with pytest.raises(ValueError, match="events never cross tenants"):
            uow.commit()

    [row] = tally_service.rows(tally_service.tallies_table)
    assert row["value"] == 1
    assert len(tally_service.outbox()) == 1


def test_loaded_aggregates_are_written_back_and_their_events_drained_once(tally_service):
    existing = tally_service.create_tally(bumps=0)

    with tally_service.uow() as uow:
        tally = uow.tallies.get(existing.id)
        tally.bump()
        uow.commit()
        tally.bump()  # the same aggregate, changed again after the first commit
        uow.commit()

    [row] = tally_service.rows(tally_service.tallies_table)
    assert row["value"] == 2
    values = [json.loads(entry["payload"])["value"] for entry in tally_service.outbox()]
    assert values == [1, 2]


def test_events_go_to_the_outbox_in_the_order_they_were_raised(tally_service):
    first, second = tally_service.Tally(), tally_service.Tally()
    with tally_service.uow() as uow:
        uow.tallies.add(first)
        uow.tallies.add(second)
        second.bump()
        first.bump()
        first.bump()
        recorded = tally_service.Bumped(tally_id="none", value=99)
        uow.record(recorded)
        uow.commit()

    raised = [(json.loads(e["payload"])["tally_id"], e["seq"]) for e in tally_service.outbox()]
    # Aggregates in the order the unit of work met them, then recorded events.
    assert [tally_id for tally_id, _ in raised] == [first.id, first.id, second.id, "none"]
    assert [seq for _, seq in raised] == sorted(seq for _, seq in raised)


def test_unchanged_aggregates_are_not_rewritten(tally_service):
    existing = tally_service.create_tally(bumps=1)
    with tally_service.engine.begin() as connection:  # a marker only an UPDATE would erase
        connection.execute(update(tally_service.tallies_table).values(value=41))

    with tally_service.uow() as uow:
        uow.tallies.get(existing.id)
        uow.commit()

    [row] = tally_service.rows(tally_service.tallies_table)
    assert row["value"] == 41


def test_one_unit_of_work_hands_out_one_object_per_aggregate(tally_service):
    existing = tally_service.create_tally(bumps=0)
    with tally_service.uow() as uow:
        loaded = uow.tallies.get(existing.id)
        assert uow.tallies.list_all() == [loaded]
        assert uow.tallies.list_all()[0] is loaded


def test_removed_aggregates_are_deleted_and_their_last_events_published(tally_service):
    existing = tally_service.create_tally(bumps=1)
    with tally_service.uow() as uow:
        tally = uow.tallies.get(existing.id)
        tally.bump()
        uow.tallies.remove(tally)
        uow.commit()

    assert tally_service.count(tally_service.tallies_table) == 0
    assert len(tally_service.outbox()) == 2


def test_outbox_rows_are_stamped_with_the_injected_clock(tally_service):
    from datetime import UTC, datetime

    clock = FixedClock(datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC))
    unit = tally_service.UnitOfWork(
        tally_service.sessions, tenant_id="tenant-a", codec=tally_service.codec, clock=clock
    )
    with unit as uow:
        tally = tally_service.Tally()
        uow.tallies.add(tally)
        tally.bump()
        uow.commit()

    [entry] = tally_service.rows(outbox_table)
    assert entry["created_at"] == clock.now()


def test_the_on_commit_hook_runs_only_after_a_commit_with_events(tally_service):
    calls: list[int] = []
    tally_service.on_commit = lambda: calls.append(tally_service.count(outbox_table))

    with tally_service.uow() as uow:
        uow.tallies.add(tally_service.Tally())
        uow.commit()  # no event raised: nothing to relay
    tally_service.create_tally(bumps=1)

    # Called once, and when called the outbox row was already committed.
    assert calls == [1]


def test_a_unit_of_work_refuses_to_run_without_a_tenant(tally_service):
    with pytest.raises(ValueError, match="empty tenant"):
        tally_service.uow(tenant_id="")
