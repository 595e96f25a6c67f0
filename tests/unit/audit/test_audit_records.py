"""From events and refusals to records: who, what, which chain."""

from __future__ import annotations

import pytest
from audit_support import T0

from ses_core.audit import (
    ACCESS_RECORDED,
    PLATFORM_CHAIN,
    Origin,
    Outcome,
    actor_chain,
    is_recorded_refusal,
    origin_headers,
    record_from_event,
    refusal_chain,
    refused_resource,
    roles_of,
)
from ses_core.errors import NotFound, PermissionDenied, Unauthenticated, ValidationFailed
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.permissions import HIDDEN, Resource, ResourceKind

MANAGER = Actor.agency_user("ny-manager", "agency-ny", AgencyRole.COMPLAINT_MANAGER)
ADMIN = Actor.company_user(
    "acme-admin",
    "SES-000042",
    ComplaintsPermission.MANAGE,
    account_admin=True,
    complaints_contact=True,
)
OPERATOR = Actor.platform_operator("ops")
COMPLAINT = Resource(kind=ResourceKind.COMPLAINT, id="c-1", tenant_id="agency-ny")


def test_roles_are_named_as_the_directory_states_them() -> None:
    assert roles_of(MANAGER) == ("complaint_manager",)
    assert roles_of(ADMIN) == ("complaints:manage", "account_admin", "complaints_contact")
    assert roles_of(Actor.company_user("v", "SES-000042", ComplaintsPermission.VIEW)) == (
        "complaints:view",
    )
    assert roles_of(OPERATOR) == ("platform_operator",)


def test_an_actor_outside_agency_data_has_their_organisations_chain() -> None:
    assert [actor_chain(a) for a in (MANAGER, ADMIN, OPERATOR)] == [
        "agency-ny",
        "SES-000042",
        PLATFORM_CHAIN,
    ]


def test_origin_headers_round_trip_and_skip_empty_values() -> None:
    headers = origin_headers(ADMIN, request_id="r-1", client_address="10.0.0.1:5")

    assert "ses-forwarded-for" not in headers
    assert Origin.from_headers(headers) == Origin(
        user_id="acme-admin",
        side="company",
        organization_id="SES-000042",
        roles=("complaints:manage", "account_admin", "complaints_contact"),
        request_id="r-1",
        client_address="10.0.0.1:5",
    )
    assert origin_headers(None) == {}


def _payload(**fields: object) -> dict[str, object]:
    return {"event_id": "e-1", "occurred_at": "2026-12-03T14:05:09.123456Z", **fields}


def test_a_complaint_event_names_its_actor_resource_and_call() -> None:
    headers = origin_headers(ADMIN, request_id="r-1", client_address="10.0.0.1:5")
    payload = _payload(
        complaint_id="c-1", information_request_id="ir-1", actor_id="acme-admin", company_id="X"
    )

    record = record_from_event(
        "ses.complaints.v1.response_submitted", payload, headers, received_at=T0
    )

    assert (record.event_id, record.occurred_at, record.action) == ("e-1", T0, "response_submitted")
    assert (record.user_id, record.side, record.organization_id) == (
        "acme-admin",
        "company",
        "SES-000042",
    )
    assert record.roles == roles_of(ADMIN)
    assert (record.resource_kind, record.resource_id, record.complaint_id) == (
        "information_request",
        "ir-1",
        "c-1",
    )
    assert (record.request_id, record.client_address, record.outcome) == (
        "r-1",
        "10.0.0.1:5",
        Outcome.DONE,
    )


def test_an_enrollment_event_names_its_author_by_the_by_user_field() -> None:
    payload = _payload(user_id="u-9", agency_id="agency-ny", changed_by_user_id="ny-admin")
    record = record_from_event("ses.enrollment.v1.user_roles_changed", payload, {}, received_at=T0)

    assert (record.user_id, record.resource_kind, record.resource_id) == ("ny-admin", "user", "u-9")
    assert record.roles == ()


def test_the_callers_roles_are_not_lent_to_another_actor() -> None:
    headers = origin_headers(MANAGER, request_id="r-2")
    record = record_from_event(
        "ses.complaints.v1.complaint_opened", _payload(actor_id="someone"), headers, received_at=T0
    )
    assert (record.user_id, record.roles, record.request_id) == ("someone", (), "r-2")


def test_an_event_without_actor_is_the_callers_or_the_systems() -> None:
    called = record_from_event(
        "ses.enrollment.v1.user_authority_changed",
        _payload(),
        origin_headers(MANAGER),
        received_at=T0,
    )
    system = record_from_event("ses.files.v1.file_expired", {"event_id": "e"}, {}, received_at=T0)

    assert (called.user_id, called.roles) == ("ny-manager", ("complaint_manager",))
    assert (system.user_id, system.occurred_at, system.resource_kind) == ("", T0, "")


def test_an_unreadable_time_falls_back_to_when_it_arrived() -> None:
    record = record_from_event("ses.x.v1.y", _payload(occurred_at="yesterday"), {}, received_at=T0)
    assert record.occurred_at == T0


def test_an_access_record_is_taken_from_its_payload() -> None:
    payload = _payload(
        actor_id="acme-contributor",
        side="company",
        organization_id="SES-000042",
        roles=["complaints:manage"],
        method="/ses.complaints.v1.ComplaintsService/IssueFileGrant",
        action="download_file",
        outcome="refused",
        reason="not_found",
        resource_kind="file",
        resource_id="f-1",
        complaint_id="c-1",
        request_id="r-3",
        client_address="[::1]:4",
    )

    record = record_from_event(
        "ses.complaints.v1.access_recorded", payload, origin_headers(MANAGER), received_at=T0
    )

    assert record.source == "/ses.complaints.v1.ComplaintsService/IssueFileGrant"
    assert (record.action, record.outcome, record.reason) == (
        "download_file",
        Outcome.REFUSED,
        "not_found",
    )
    assert (record.user_id, record.roles, record.client_address) == (
        "acme-contributor",
        ("complaints:manage",),
        "[::1]:4",
    )


def test_every_context_has_its_access_recorded_event() -> None:
    assert {context: event.subject() for context, event in ACCESS_RECORDED.items()} == {
        "complaints": "ses.complaints.v1.access_recorded",
        "enrollment": "ses.enrollment.v1.access_recorded",
        "files": "ses.files.v1.access_recorded",
        "notify": "ses.notify.v1.access_recorded",
    }


@pytest.mark.parametrize(
    ("error", "caller_known", "recorded"),
    [
        (PermissionDenied("no", resource=COMPLAINT), True, True),
        (PermissionDenied("no"), False, False),
        (Unauthenticated("deactivated", reason="account_deactivated"), True, True),
        (NotFound("none", **{HIDDEN: True}), True, True),
        (NotFound("none"), True, False),
        (ValidationFailed("bad"), True, False),
    ],
    ids=["denied", "anonymous", "unauthenticated", "hidden", "genuine-miss", "invalid"],
)
def test_which_refusals_are_recorded(error: Exception, caller_known: bool, recorded: bool) -> None:
    assert is_recorded_refusal(error, caller_known=caller_known) is recorded  # type: ignore[arg-type]


def test_a_refusal_inside_an_admitted_complaint_goes_to_its_agency() -> None:
    hidden = NotFound("none", **{HIDDEN: True, "resource": COMPLAINT})
    assert refusal_chain(hidden, caller_chain="SES-1", admitted_tenant="agency-ny") == "agency-ny"


def test_a_denial_on_an_agencys_resource_goes_to_that_agency() -> None:
    denied = PermissionDenied("no", resource=COMPLAINT)
    assert refused_resource(denied) == COMPLAINT
    assert refusal_chain(denied, caller_chain="SES-1", admitted_tenant=None) == "agency-ny"


def test_a_hidden_miss_stays_in_the_callers_chain() -> None:
    hidden = NotFound("none", **{HIDDEN: True, "resource": COMPLAINT})
    assert refusal_chain(hidden, caller_chain="SES-1", admitted_tenant=None) == "SES-1"
    assert refused_resource(NotFound("none")) is None
