"""Retries through real gRPC: a read outlives a server restart; a mutation whose answer was
lost is retried with the same idempotency key and the server replays its first answer."""

from __future__ import annotations

import uuid

import grpc
import pytest
from sdk_support import (
    DEMO_ADMIN_EMAIL,
    DEMO_MANAGER_EMAIL,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    Recorder,
    ThreadedHost,
    in_thread,
)

from ses_core.testing import wait_until
from ses_sdk import RetryPolicy, Unavailable
from ses_sdk.common import AgencyRole
from ses_sdk.enrollment import NewUser

pytestmark = pytest.mark.integration

DEMO_SERVICER_EMAIL = "owner@sample-servicing.example"
PATIENT = RetryPolicy(max_attempts=40, initial_backoff=0.05, max_backoff=0.5)


def test_a_read_is_retried_while_the_server_restarts_on_the_same_port(
    ses: ThreadedHost,
) -> None:
    recorder = Recorder()
    client = ses.signed_in(DEMO_MANAGER_EMAIL, interceptors=[recorder], retry=PATIENT)
    try:
        agency_id = client.session.user.agency_id if client.session and client.session.user else ""
        ses.stop()
        pending = in_thread(lambda: client.enrollment.list_users(agency_id=agency_id))
        wait_until(
            lambda: any(a.code == grpc.StatusCode.UNAVAILABLE for a in recorder.of("ListUsers")),
            message="a ListUsers attempt refused while the server is down",
        )
        ses.start()
        users = pending.result(timeout=60).users
    finally:
        client.close()

    assert DEMO_MANAGER_EMAIL in {user.email for user in users}
    codes = [attempt.code for attempt in recorder.of("ListUsers")]
    assert codes[0] == grpc.StatusCode.UNAVAILABLE
    assert codes[-1] == grpc.StatusCode.OK
    assert all(attempt.idempotency_key is None for attempt in recorder.of("ListUsers"))


def test_a_mutation_whose_answer_was_lost_is_replayed_under_the_same_key(
    ses: ThreadedHost,
) -> None:
    recorder = Recorder(lose_first_answer="CreateAgencyUser")
    email = f"replayed-{uuid.uuid4().hex[:8]}@demo-agency.example"
    with ses.signed_in(DEMO_ADMIN_EMAIL, interceptors=[recorder], retry=PATIENT) as client:
        created = client.enrollment.create_agency_user(
            user=NewUser(email=email, given_name="Rae", family_name="Played"),
            roles=[AgencyRole.COMPLAINT_VIEWER],
        )
        same_email = [user for user in client.enrollment.iter_users() if user.email == email]

    attempts = recorder.of("CreateAgencyUser")
    assert len(attempts) == 2
    first, retry = attempts
    assert first.idempotency_key
    assert first.idempotency_key == retry.idempotency_key
    assert (first.replayed, retry.replayed) == (False, True)
    assert created.user is not None
    assert created.user.email == email
    assert [user.user_id for user in same_email] == [created.user.user_id]


def test_a_call_that_is_neither_a_read_nor_keyed_is_not_retried(ses: ThreadedHost) -> None:
    """SignIn is public and changes state (a TOTP code works once): a lost answer is raised
    to the caller instead of being tried again."""
    recorder = Recorder(lose_first_answer="SignIn")
    with ses.client(interceptors=[recorder], retry=PATIENT) as client:
        with pytest.raises(Unavailable):
            client.sign_in(
                email=DEMO_SERVICER_EMAIL, password=DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET
            )
        assert client.session is None
    assert len(recorder.of("SignIn")) == 1
    assert recorder.of("SignIn")[0].idempotency_key is None
