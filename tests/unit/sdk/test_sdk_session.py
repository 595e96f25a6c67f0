"""When a session refreshes its tokens (pure logic: a fake refresher, a fake clock)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from ses_sdk import AsyncSession, Session
from ses_sdk.enrollment import TokenPair

START = datetime(2031, 3, 3, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def pair(number: int, at: datetime, lifetime: timedelta) -> TokenPair:
    return TokenPair(
        access_token=f"access-{number}",
        access_token_expires_at=at + lifetime,
        refresh_token=f"refresh-{number}",
        refresh_token_expires_at=at + timedelta(hours=12),
    )


def test_a_session_refreshes_within_the_margin_and_with_the_latest_refresh_token() -> None:
    clock, used = Clock(), []

    def refresh(token: str) -> TokenPair:
        used.append(token)
        return pair(len(used) + 1, clock.now, timedelta(minutes=10))

    session = Session(pair(1, START, timedelta(minutes=10)), None, refresh=refresh, clock=clock)
    clock.now = START + timedelta(minutes=8, seconds=59)
    assert session.access_token() == "access-1"
    clock.now = START + timedelta(minutes=9)
    assert session.access_token() == "access-2"
    assert session.access_token() == "access-2"
    clock.now += timedelta(minutes=9)
    assert session.access_token() == "access-3"
    assert used == ["refresh-1", "refresh-2"]


def test_a_short_lived_token_is_refreshed_at_half_its_life_not_on_every_call() -> None:
    clock, used = Clock(), []

    def refresh(token: str) -> TokenPair:
        used.append(token)
        return pair(2, clock.now, timedelta(seconds=40))

    session = Session(pair(1, START, timedelta(seconds=40)), None, refresh=refresh, clock=clock)
    clock.now = START + timedelta(seconds=19)
    assert session.access_token() == "access-1"
    clock.now = START + timedelta(seconds=20)
    assert session.access_token() == "access-2"
    assert used == ["refresh-1"]


def test_concurrent_async_calls_refresh_once() -> None:
    clock, used = Clock(), []

    async def refresh(token: str) -> TokenPair:
        used.append(token)
        await asyncio.sleep(0)
        return pair(2, clock.now, timedelta(minutes=10))

    async def main() -> list[str]:
        session = AsyncSession(
            pair(1, START, timedelta(minutes=10)), None, refresh=refresh, clock=clock
        )
        clock.now = START + timedelta(minutes=10)
        return await asyncio.gather(*(session.access_token() for _ in range(5)))

    assert asyncio.run(main()) == ["access-2"] * 5
    assert used == ["refresh-1"]
