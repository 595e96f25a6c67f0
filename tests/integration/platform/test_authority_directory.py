"""The authority projection and directory on a real database (SQLite and PostgreSQL) and broker.

Statements are whole and versioned, so the projection must end on the newest whatever
order, repetition or gaps the deliveries have; the directory reads it with a short cache.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from ses_core.accounts import UserAuthority, UserAuthorityChanged
from ses_core.errors import Unauthenticated, Unavailable
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission, Identity, Side
from ses_core.platform.authority import (
    SqlAuthorityDirectory,
    authority_consumer,
    authority_metadata,
    find_authority,
    record_authority,
    state_authority,
    user_authority_table,
)
from ses_core.platform.db import (
    create_database_engine,
    platform_metadata,
    processed_events_table,
    session_factory,
    sqlite_url,
)
from ses_core.platform.messaging import ProtobufEventCodec
from ses_core.ports import SystemClock
from ses_core.testing import eventually, publish_events, running

pytestmark = pytest.mark.integration

NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
NY = "agency-ny"
ROLES = [
    AgencyRole.COMPLAINT_VIEWER,
    AgencyRole.COMPLAINT_MANAGER,
    AgencyRole.COMPLAINT_SUPERVISOR,
    AgencyRole.AGENCY_ACCOUNT_ADMIN,
]


@pytest.fixture
def directory_db(engine: Engine) -> Engine:
    authority_metadata.create_all(engine)
    platform_metadata.create_all(engine)
    return engine


def _agency_user(user_id: str, role: AgencyRole, *, version: int, active: bool = True):
    actor = Actor.agency_user(user_id, NY, role)
    return UserAuthority.of(
        actor, email=f"{user_id}@agency.example", active=active, version=version
    )


def _record(engine: Engine, authority: UserAuthority) -> bool:
    with session_factory(engine).begin() as session:
        return record_authority(session, authority, NOW)


def _state(engine: Engine, authority: UserAuthority) -> UserAuthority:
    with session_factory(engine).begin() as session:
        return state_authority(session, authority, NOW)


def _stored(engine: Engine, user_id: str) -> UserAuthority | None:
    with engine.connect() as connection:
        return find_authority(connection, Identity(user_id=user_id))


@pytest.mark.parametrize("seed", range(5))
def test_the_newest_statement_wins_whatever_the_order_and_repeats(
    directory_db: Engine, seed: int
) -> None:
    statements = [_agency_user("u-1", role, version=v) for v, role in enumerate(ROLES, start=1)]
    deliveries = [*statements, *random.Random(seed).sample(statements, 3)]
    random.Random(seed).shuffle(deliveries)

    applied = [_record(directory_db, statement) for statement in deliveries]

    assert _stored(directory_db, "u-1") == statements[-1]
    # Only a statement newer than every one before it changed anything.
    expected = [
        statement.version > max((earlier.version for earlier in deliveries[:i]), default=0)
        for i, statement in enumerate(deliveries)
    ]
    assert applied == expected


def test_a_deactivation_of_a_user_never_seen_makes_a_complete_inactive_row(
    directory_db: Engine,
) -> None:
    deactivated = _agency_user("u-2", AgencyRole.COMPLAINT_MANAGER, version=3, active=False)

    assert _record(directory_db, deactivated)
    assert not _record(directory_db, _agency_user("u-2", AgencyRole.COMPLAINT_MANAGER, version=1))

    assert _stored(directory_db, "u-2") == deactivated


def test_the_source_numbers_its_statements(directory_db: Engine) -> None:
    first = _state(directory_db, _agency_user("u-3", AgencyRole.COMPLAINT_VIEWER, version=0))
    second = _state(directory_db, _agency_user("u-3", AgencyRole.COMPLAINT_MANAGER, version=0))

    assert (first.version, second.version) == (1, 2)
    assert _stored(directory_db, "u-3") == second


async def test_the_consumer_keeps_the_newest_statement_of_a_shuffled_stream(
    directory_db: Engine, js: Any
) -> None:
    def statement(version: int, role: AgencyRole, active: bool = True) -> UserAuthorityChanged:
        authority = _agency_user("u-4", role, version=version, active=active)
        return authority.statement(tenant_id=NY)

    newest = statement(3, AgencyRole.COMPLAINT_MANAGER, active=False)
    older = statement(2, AgencyRole.COMPLAINT_SUPERVISOR)
    deliveries = [older, newest, statement(1, AgencyRole.COMPLAINT_VIEWER), older]
    consumer = authority_consumer(
        js,
        session_factory(directory_db),
        service="tests",
        codec=ProtobufEventCodec(),
        clock=SystemClock(),
    )

    await publish_events(js, deliveries)
    async with running(consumer.run()):
        await eventually(lambda: _processed(directory_db) == 3, message="3 distinct statements")

    assert _stored(directory_db, "u-4") == UserAuthority.stated_by(newest)
    assert consumer.filter_subjects == ["ses.enrollment.v1.user_authority_changed"]


def _processed(engine: Engine) -> int:
    with engine.connect() as connection:
        return len(connection.execute(select(processed_events_table.c.event_id)).all())


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_the_directory_reuses_an_answer_for_at_most_its_cache_time(
    directory_db: Engine,
) -> None:
    ticks = FakeMonotonic()
    directory = SqlAuthorityDirectory(directory_db, cache_seconds=1.0, monotonic=ticks)
    _state(directory_db, _agency_user("u-5", AgencyRole.COMPLAINT_MANAGER, version=0))
    identity = Identity(user_id="u-5", side=Side.AGENCY, organization_id=NY)
    assert (await directory.actor_for(identity)).agency_role is AgencyRole.COMPLAINT_MANAGER

    _state(directory_db, _agency_user("u-5", AgencyRole.COMPLAINT_VIEWER, version=0))
    ticks.now += 0.9
    assert (await directory.actor_for(identity)).agency_role is AgencyRole.COMPLAINT_MANAGER
    ticks.now += 0.2
    assert (await directory.actor_for(identity)).agency_role is AgencyRole.COMPLAINT_VIEWER

    _state(directory_db, _agency_user("u-5", AgencyRole.COMPLAINT_SUPERVISOR, version=0))
    directory.forget("u-5")
    assert (await directory.actor_for(identity)).agency_role is AgencyRole.COMPLAINT_SUPERVISOR


async def test_a_deactivated_user_is_refused_by_the_directory(directory_db: Engine) -> None:
    _state(directory_db, _agency_user("u-6", AgencyRole.COMPLAINT_MANAGER, version=0, active=False))
    directory = SqlAuthorityDirectory(directory_db)

    with pytest.raises(Unauthenticated) as refused:
        await directory.actor_for(Identity(user_id="u-6"))

    assert refused.value.reason == "account_deactivated"


async def test_an_unknown_user_is_waited_for_then_answered_unavailable(
    directory_db: Engine,
) -> None:
    directory = SqlAuthorityDirectory(directory_db, wait_seconds=0.2, poll_interval=0.05)

    with pytest.raises(Unavailable) as refused:
        await directory.actor_for(Identity(user_id="u-new"))

    assert refused.value.reason == "account_not_yet_known"
    assert "try again" in refused.value.message


async def test_a_user_stated_while_a_call_waits_gets_through(directory_db: Engine) -> None:
    directory = SqlAuthorityDirectory(directory_db, wait_seconds=30, poll_interval=0.02)
    lookups = _count_lookups(directory_db)
    waiting = asyncio.ensure_future(directory.actor_for(Identity(user_id="u-7")))
    await eventually(lambda: lookups[0] >= 2, message="the call to look the user up again")

    _state(directory_db, _agency_user("u-7", AgencyRole.COMPLAINT_MANAGER, version=0))

    actor = await asyncio.wait_for(waiting, timeout=30)
    assert actor == Actor.agency_user("u-7", NY, AgencyRole.COMPLAINT_MANAGER)


async def test_an_external_user_is_found_by_email_and_an_unknown_address_is_refused(
    directory_db: Engine,
) -> None:
    contact = Actor.company_user("u-8", "SES-000042", ComplaintsPermission.MANAGE)
    _state(directory_db, UserAuthority.of(contact, email="Pat.Contact@Acme.example"))
    directory = SqlAuthorityDirectory(directory_db, wait_seconds=0.1, poll_interval=0.05)

    assert await directory.actor_for(Identity(email="pat.contact@acme.EXAMPLE")) == contact
    with pytest.raises(Unauthenticated) as refused:
        await directory.actor_for(Identity(email="someone.else@acme.example"))
    assert refused.value.reason == "account_unknown"


async def test_an_email_two_rows_share_is_refused_rather_than_guessed(
    directory_db: Engine,
) -> None:
    for user_id in ("u-9", "u-10"):
        actor = Actor.company_user(user_id, "SES-000042", ComplaintsPermission.VIEW)
        _state(directory_db, UserAuthority.of(actor, email="shared@acme.example"))

    with pytest.raises(Unauthenticated) as refused:
        await SqlAuthorityDirectory(directory_db).actor_for(Identity(email="shared@acme.example"))

    assert refused.value.reason == "email_ambiguous"


@pytest.fixture
def sqlite_engine(tmp_path: Any) -> Iterator[Engine]:
    engine = create_database_engine(sqlite_url(tmp_path, "directory"), busy_timeout=30)
    authority_metadata.create_all(engine)
    yield engine
    engine.dispose()


async def test_on_sqlite_a_lookup_never_queues_behind_a_writer(sqlite_engine: Engine) -> None:
    _state(sqlite_engine, _agency_user("u-11", AgencyRole.COMPLAINT_MANAGER, version=0))
    directory = SqlAuthorityDirectory(sqlite_engine)

    with sqlite_engine.connect() as writer:
        writer.execute(user_authority_table.delete().where(user_authority_table.c.user_id == "x"))
        # The writer holds SQLite's write lock (BEGIN IMMEDIATE) until it ends; a read that
        # began IMMEDIATE too would wait up to the 30 s busy timeout here.
        found = await asyncio.wait_for(
            asyncio.to_thread(directory.lookup, Identity(user_id="u-11")), timeout=5
        )
        writer.rollback()

    assert found is not None
    assert found.agency_role is AgencyRole.COMPLAINT_MANAGER


def _count_lookups(engine: Engine) -> list[int]:
    count = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM user_authority" in statement:
            count[0] += 1

    return count
