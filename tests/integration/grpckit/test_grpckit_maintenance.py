"""The maintenance guard: mutating calls wait for the window's end, reads keep working."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from grpckit_support import StartServer, ThingServicer, call, failure, metadata

from ses_core.calendar import MaintenanceWindow
from ses_core.identity import Actor
from ses_core.platform.grpc import FixedMaintenanceSchedule
from ses_core.platform.identity import TokenIssuer
from ses_core.testing import error_details, error_reason

pytestmark = pytest.mark.integration


def _window_now(end: datetime) -> MaintenanceWindow:
    return MaintenanceWindow(start=datetime.now(UTC) - timedelta(minutes=5), end=end)


@pytest.mark.parametrize(
    ("end", "in_eastern_time"),
    [
        (datetime(2031, 1, 15, 11, 30, tzinfo=UTC), "Wednesday, January 15, 2031, 6:30 AM EST"),
        (datetime(2031, 7, 1, 22, 0, tzinfo=UTC), "Tuesday, July 1, 2031, 6:00 PM EDT"),
    ],
)
async def test_a_mutating_call_is_unavailable_naming_the_end_in_eastern_time(
    start_server: StartServer,
    servicer: ThingServicer,
    issuer: TokenIssuer,
    manager: Actor,
    end: datetime,
    in_eastern_time: str,
) -> None:
    _, channel = await start_server(maintenance=FixedMaintenanceSchedule([_window_now(end)]))
    token = issuer.issue_access(manager.identity(), "ses").token
    error = await failure(channel, "CreateThing", b"x", metadata(token))
    assert error.code() == grpc.StatusCode.UNAVAILABLE
    assert error.details() == (
        f"SES is in maintenance until {in_eastern_time}; reads keep working, "
        "try this change again after that."
    )
    assert error_reason(error) == "maintenance"
    assert servicer.created == 0


async def test_maintenance_tells_clients_to_retry_when_the_window_ends(
    start_server: StartServer, issuer: TokenIssuer, manager: Actor
) -> None:
    end = datetime(2031, 1, 15, 11, 30, tzinfo=UTC)
    _, channel = await start_server(maintenance=FixedMaintenanceSchedule([_window_now(end)]))
    token = issuer.issue_access(manager, "ses").token
    before = datetime.now(UTC)
    error = await failure(channel, "CreateThing", b"x", metadata(token))
    after = datetime.now(UTC)
    details = error_details(error)
    assert details.retry_delay is not None
    assert end - after <= details.retry_delay <= end - before
    assert details.metadata == {"maintenance_ends_at": "2031-01-15T11:30:00+00:00"}


async def test_reads_keep_working_during_maintenance(
    start_server: StartServer, issuer: TokenIssuer, manager: Actor
) -> None:
    schedule = FixedMaintenanceSchedule([_window_now(datetime.now(UTC) + timedelta(hours=1))])
    _, channel = await start_server(maintenance=schedule)
    token = issuer.issue_access(manager.identity(), "ses").token
    assert await call(channel, "GetThing", b"7", metadata(token)) == b"thing 7"


async def test_methods_declared_read_only_keep_working(
    start_server: StartServer, issuer: TokenIssuer, manager: Actor
) -> None:
    schedule = FixedMaintenanceSchedule([_window_now(datetime.now(UTC) + timedelta(hours=1))])
    _, channel = await start_server(
        maintenance=schedule, read_only_methods=["/ses.test.v1.ThingService/WhoAmI"]
    )
    assert await call(
        channel, "WhoAmI", md=metadata(issuer.issue_access(manager.identity(), "ses").token)
    )


async def test_mutating_calls_run_when_no_window_is_active(
    start_server: StartServer, servicer: ThingServicer, issuer: TokenIssuer, manager: Actor
) -> None:
    past = MaintenanceWindow(
        start=datetime.now(UTC) - timedelta(hours=2), end=datetime.now(UTC) - timedelta(hours=1)
    )
    _, channel = await start_server(maintenance=FixedMaintenanceSchedule([past]))
    token = issuer.issue_access(manager.identity(), "ses").token
    await call(channel, "CreateThing", b"x", metadata(token))
    assert servicer.created == 1
