"""Each status family the servers send arrives as its own exception, with the stable
reason, the sentence and the request id to quote to support."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sdk_support import DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL, OPERATOR, ThreadedHost

from ses_sdk import (
    AlreadyExists,
    DeadlineExceeded,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    RetryPolicy,
    SesClient,
    SesError,
    Unauthenticated,
)
from ses_sdk.common import AgencyRole
from ses_sdk.enrollment import EnrollmentStatus, NewUser

pytestmark = pytest.mark.integration

LOCKED_EMAIL = "owner@sample-servicing.example"


@pytest.fixture(scope="module")
def manager(ses: ThreadedHost) -> Iterator[SesClient]:
    with ses.signed_in(DEMO_MANAGER_EMAIL) as client:
        yield client


@pytest.fixture(scope="module")
def admin(ses: ThreadedHost) -> Iterator[SesClient]:
    with ses.signed_in(DEMO_ADMIN_EMAIL) as client:
        yield client


def refused(kind: type[SesError], call: Callable[[], Any]) -> SesError:
    with pytest.raises(SesError) as caught:
        call()
    error = caught.value
    assert type(error) is kind, (type(error), error)
    assert error.reason, error
    assert error.message
    assert len(error.message.encode()) <= 1024
    assert error.request_id, error
    return error


def test_a_missing_thing_is_not_found(manager: SesClient) -> None:
    error = refused(NotFound, lambda: manager.enrollment.get_company(company_id="SES-999999"))
    assert isinstance(error, SesError)


def test_an_empty_required_field_is_an_invalid_argument_naming_it(manager: SesClient) -> None:
    error = refused(InvalidArgument, lambda: manager.enrollment.get_company(company_id=""))
    assert [violation.field for violation in error.field_violations] == ["company_id"]
    assert error.field_violations[0].description


def test_a_role_without_the_permission_is_permission_denied(manager: SesClient) -> None:
    error = refused(
        PermissionDenied,
        lambda: manager.enrollment.create_agency_user(
            user=NewUser(email="nope@demo-agency.example", given_name="No", family_name="Pe"),
            roles=[AgencyRole.COMPLAINT_VIEWER],
        ),
    )
    assert error.code.name == "PERMISSION_DENIED"


def test_a_call_without_a_token_is_unauthenticated(ses: ThreadedHost) -> None:
    with ses.client() as anonymous:
        error = refused(Unauthenticated, lambda: anonymous.enrollment.list_users())
    assert error.reason == "token_missing"


def test_an_existing_code_is_already_exists(ses: ThreadedHost) -> None:
    with ses.client(token=ses.token_for(OPERATOR)) as operator:
        refused(
            AlreadyExists,
            lambda: operator.enrollment.create_agency(
                code="DEMO",
                name="Another Demo Agency",
                state_code="NY",
                first_administrator=NewUser(
                    email="second@demo-agency.example", given_name="Se", family_name="Cond"
                ),
            ),
        )


def test_a_transition_the_state_does_not_allow_is_a_failed_precondition(
    manager: SesClient,
) -> None:
    enrolled = next(
        company
        for company in manager.enrollment.iter_companies(query="Demo Mortgage")
        if company.enrollment_status == EnrollmentStatus.ENROLLED
    )
    users = manager.enrollment.list_users(company_id=enrolled.company_id).users
    refused(
        FailedPrecondition,
        lambda: manager.enrollment.initiate_enrollment(
            company_id=enrolled.company_id, first_user_id=users[0].user_id
        ),
    )


def test_repeated_failed_sign_ins_are_resource_exhausted(ses: ThreadedHost) -> None:
    failures: list[SesError] = []
    with ses.client() as client:
        while not failures or isinstance(failures[-1], Unauthenticated):
            assert len(failures) < 10, "no lockout after 10 failed sign-ins"
            with pytest.raises(SesError) as caught:
                client.sign_in(email=LOCKED_EMAIL, password="wrong password!", totp_code="000000")
            failures.append(caught.value)
    *wrong, locked = failures
    assert wrong
    assert all(type(error) is Unauthenticated for error in wrong)
    assert type(locked) is ResourceExhausted
    assert locked.reason
    assert locked.request_id
    assert "unlock" in locked.message.lower()


def test_a_deadline_the_call_cannot_meet_is_deadline_exceeded(manager: SesClient) -> None:
    with pytest.raises(DeadlineExceeded):
        manager.enrollment.list_users(timeout=1e-6, retry=RetryPolicy(max_attempts=1))
