"""A maintenance window's refusal: raised at once by default (with when it ends), or waited
out and retried when the caller asks; reads keep working throughout.

The window is a real one: scheduled through NotifyService.ScheduleMaintenance (an
emergency window, so it may start now whatever the calendar says) and enforced by every
service's maintenance guard once the event reaches it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sdk_support import DEMO_ADMIN_EMAIL, OPERATOR, Recorder, ThreadedHost

from ses_core.testing import wait_until
from ses_sdk import RetryPolicy, SesClient, Unavailable
from ses_sdk.common import AgencyRole
from ses_sdk.enrollment import NewUser

pytestmark = pytest.mark.integration

WINDOW = timedelta(seconds=6)


def new_viewer(client: SesClient, **options: object) -> str:
    email = f"maint-{uuid.uuid4().hex[:8]}@demo-agency.example"
    client.enrollment.create_agency_user(
        user=NewUser(email=email, given_name="Mae", family_name="Ntenance"),
        roles=[AgencyRole.COMPLAINT_VIEWER],
        **options,  # type: ignore[arg-type]
    )
    return email


def test_a_window_refuses_at_once_or_is_waited_out_as_the_caller_chooses(
    ses: ThreadedHost,
) -> None:
    recorder = Recorder()
    with (
        ses.signed_in(DEMO_ADMIN_EMAIL, interceptors=[recorder]) as admin,
        ses.client(token=ses.token_for(OPERATOR)) as operator,
    ):
        now = datetime.now(UTC)
        window = operator.notify.schedule_maintenance(
            starts_at=now,
            ends_at=now + WINDOW,
            description="SDK test: an emergency window of a few seconds",
            emergency=True,
        ).maintenance_window
        assert window is not None

        def refused() -> Unavailable | None:
            try:
                new_viewer(admin, retry=RetryPolicy(max_attempts=1))
            except Unavailable as error:
                return error if error.reason == "maintenance" else None
            return None

        error = wait_until(refused, timeout=WINDOW.total_seconds() / 2, message="the window")
        assert error.retry_delay is not None
        assert timedelta(0) < error.retry_delay <= WINDOW
        assert error.metadata["maintenance_ends_at"]
        assert error.request_id
        assert admin.enrollment.list_users().users  # reads keep working

        before = len(recorder.of("CreateAgencyUser"))
        email = new_viewer(admin, wait_for_maintenance=True)
        attempts = recorder.of("CreateAgencyUser")[before:]

    assert attempts[0].code == grpc.StatusCode.UNAVAILABLE
    assert attempts[-1].code == grpc.StatusCode.OK
    assert len({attempt.idempotency_key for attempt in attempts}) == 1
    assert email
