"""Idempotency keys over a real server and a real database (SQLite and PostgreSQL).

``engine`` is the shared fixture of tests/conftest.py: every test here runs once per
database.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import grpc
import psycopg
import pytest
from grpckit_support import StartServer, ThingServicer, call, failure, metadata
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from ses_core.identity import Actor
from ses_core.platform.grpc import (
    REPLAY_KEY,
    Claim,
    ClaimOutcome,
    IdempotencyScope,
    IdempotencyStore,
)
from ses_core.platform.identity import TokenIssuer
from ses_core.testing import error_reason
from ses_core.testing.waiting import eventually

pytestmark = pytest.mark.integration


class RecordingStore(IdempotencyStore):
    """The real store, noting each claim's outcome so tests can wait for one."""

    outcomes: list[ClaimOutcome]

    def claim(self, scope: IdempotencyScope, request_hash: str) -> Claim:
        result = super().claim(scope, request_hash)
        self.outcomes.append(result.outcome)
        return result


@pytest.fixture
def store(engine: Engine) -> RecordingStore:
    store = RecordingStore(engine)
    store.outcomes = []
    store.create_table()
    return store


def _stored_rows(store: IdempotencyStore) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(store.table)).scalar_one())


async def test_a_repeat_returns_the_stored_response_without_running_again(
    start_server: StartServer,
    servicer: ThingServicer,
    store: RecordingStore,
    issuer: TokenIssuer,
    manager: Actor,
) -> None:
    _, channel = await start_server(idempotency=store)
    md = metadata(issuer.issue_access(manager.identity(), "ses").token, key="key-1")
    first = await call(channel, "CreateThing", b"payload", md)
    replay = channel.unary_unary("/ses.test.v1.ThingService/CreateThing")(
        b"payload", metadata=md, timeout=30
    )
    assert await replay == first == b"created #1 by u-manager: payload"
    assert (REPLAY_KEY, "true") in tuple(await replay.trailing_metadata())
    assert servicer.created == 1
    assert _stored_rows(store) == 1


async def test_the_same_key_with_a_different_request_is_invalid_argument(
    start_server: StartServer,
    servicer: ThingServicer,
    store: RecordingStore,
    issuer: TokenIssuer,
    manager: Actor,
) -> None:
    _, channel = await start_server(idempotency=store)
    md = metadata(issuer.issue_access(manager.identity(), "ses").token, key="key-2")
    await call(channel, "CreateThing", b"first request", md)
    error = await failure(channel, "CreateThing", b"second request", md)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details() == (
        "idempotency key 'key-2' was already used for a different request; "
        "use a new key for a new request."
    )
    assert error_reason(error) == "idempotency_key_reused"
    assert servicer.created == 1


async def test_keys_are_scoped_to_the_user(
    start_server: StartServer,
    servicer: ThingServicer,
    store: RecordingStore,
    issuer: TokenIssuer,
    manager: Actor,
    company_user: Actor,
) -> None:
    _, channel = await start_server(idempotency=store)
    for actor in (manager, company_user):
        md = metadata(issuer.issue_access(actor.identity(), "ses").token, key="shared-key")
        assert (await call(channel, "CreateThing", b"same", md)).endswith(
            f"by {actor.user_id}: same".encode()
        )
    assert servicer.created == 2


async def test_concurrent_duplicates_run_the_handler_once(
    start_server: StartServer,
    servicer: ThingServicer,
    store: RecordingStore,
    issuer: TokenIssuer,
    manager: Actor,
) -> None:
    _, channel = await start_server(idempotency=store)
    md = metadata(issuer.issue_access(manager.identity(), "ses").token, key="burst")
    replies = await asyncio.gather(*(call(channel, "CreateThing", b"x", md) for _ in range(8)))
    assert set(replies) == {b"created #1 by u-manager: x"}
    assert servicer.created == 1


async def test_a_repeat_during_the_first_call_waits_for_its_result(
    start_server: StartServer,
    servicer: ThingServicer,
    store: RecordingStore,
    issuer: TokenIssuer,
    manager: Actor,
) -> None:
    servicer.gate = asyncio.Event()
    _, channel = await start_server(idempotency=store)
    md = metadata(issuer.issue_access(manager.identity(), "ses").token, key="slow-key")
    first = asyncio.ensure_future(call(channel, "CreateThing", b"x", md))
    await asyncio.wait_for(servicer.entered.wait(), 30)
    second = asyncio.ensure_future(call(channel, "CreateThing", b"x", md))
    await eventually(lambda: ClaimOutcome.IN_FLIGHT in store.outcomes, message="a waiting repeat")
    servicer.gate.set()
    assert await first == await second == b"created #1 by u-manager: x"
    assert servicer.created == 1


async def test_a_failed_call_releases_its_key_so_a_retry_runs(
    start_server: StartServer, store: RecordingStore, issuer: TokenIssuer, manager: Actor
) -> None:
    _, channel = await start_server(idempotency=store)
    md = metadata(issuer.issue_access(manager.identity(), "ses").token, key="retry-me")
    assert (await failure(channel, "Fail", b"PreconditionFailed", md)).code() == (
        grpc.StatusCode.FAILED_PRECONDITION
    )
    assert _stored_rows(store) == 0
    assert (await failure(channel, "Fail", b"PreconditionFailed", md)).code() == (
        grpc.StatusCode.FAILED_PRECONDITION
    )
    assert store.outcomes == [ClaimOutcome.CLAIMED, ClaimOutcome.CLAIMED]


async def test_keys_survive_a_restart_because_they_live_in_the_database(
    start_server: StartServer,
    servicer: ThingServicer,
    engine: Engine,
    store: RecordingStore,
    issuer: TokenIssuer,
    manager: Actor,
) -> None:
    md = metadata(issuer.issue_access(manager.identity(), "ses").token, key="durable")
    server, channel = await start_server(idempotency=store)
    first = await call(channel, "CreateThing", b"x", md)
    await server.stop(grace=0)
    _, channel = await start_server(idempotency=IdempotencyStore(engine))
    assert await call(channel, "CreateThing", b"x", md) == first
    assert servicer.created == 1


async def test_reads_and_calls_without_a_key_are_not_recorded(
    start_server: StartServer, store: RecordingStore, issuer: TokenIssuer, manager: Actor
) -> None:
    _, channel = await start_server(idempotency=store)
    token = issuer.issue_access(manager.identity(), "ses").token
    await call(channel, "GetThing", b"x", metadata(token, key="read-key"))
    await call(channel, "CreateThing", b"x", metadata(token))
    assert _stored_rows(store) == 0


async def test_an_unprintable_key_is_invalid_argument(
    start_server: StartServer, store: RecordingStore, issuer: TokenIssuer, manager: Actor
) -> None:
    _, channel = await start_server(idempotency=store)
    md = metadata(issuer.issue_access(manager.identity(), "ses").token, key="k" * 256)
    error = await failure(channel, "CreateThing", b"x", md)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(error) == "idempotency_key_invalid"


def test_keys_expire_after_the_retention_period(engine: Engine) -> None:
    now = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
    clock = [now]
    store = IdempotencyStore(engine, clock=lambda: clock[0])
    store.create_table()
    scope = IdempotencyScope("agency-ny", "u-1", "/s.S/CreateThing", "k")
    assert store.claim(scope, "h1").outcome is ClaimOutcome.CLAIMED
    store.complete(scope, b"response")
    clock[0] = now + timedelta(hours=23, minutes=59)
    assert store.claim(scope, "h1") == Claim(ClaimOutcome.REPLAY, b"response")
    clock[0] = now + timedelta(hours=24)
    assert store.claim(scope, "h2").outcome is ClaimOutcome.CLAIMED
    clock[0] = now + timedelta(hours=48)
    assert store.purge_expired() == 1


def test_an_abandoned_claim_is_taken_over_after_the_stale_period(engine: Engine) -> None:
    now = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
    clock = [now]
    store = IdempotencyStore(engine, clock=lambda: clock[0])
    store.create_table()
    scope = IdempotencyScope("agency-ny", "u-1", "/s.S/CreateThing", "k")
    assert store.claim(scope, "h").outcome is ClaimOutcome.CLAIMED
    assert store.claim(scope, "h").outcome is ClaimOutcome.IN_FLIGHT
    clock[0] = now + timedelta(minutes=6)
    assert store.claim(scope, "h").outcome is ClaimOutcome.CLAIMED


class RestartingStore(RecordingStore):
    """The real store, whose database is restarting the first time a key is released."""

    releases = 0

    def release(self, scope: IdempotencyScope) -> None:
        self.releases += 1
        if self.releases == 1:
            refused = psycopg.OperationalError("connection refused: the server is restarting")
            raise OperationalError("DELETE FROM idempotency_keys", {}, refused)
        super().release(scope)


async def test_a_key_is_released_once_a_restarting_database_is_back(
    start_server: StartServer, engine: Engine, issuer: TokenIssuer, manager: Actor
) -> None:
    """Else the client's retry would be refused as "in flight" for five minutes."""
    store = RestartingStore(engine)
    store.outcomes = []
    store.create_table()
    _, channel = await start_server(idempotency=store)
    md = metadata(issuer.issue_access(manager.identity(), "ses").token, key="outage")
    for _ in range(2):
        error = await failure(channel, "Fail", b"PreconditionFailed", md)
        assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert store.outcomes == [ClaimOutcome.CLAIMED, ClaimOutcome.CLAIMED]
    assert store.releases == 3
