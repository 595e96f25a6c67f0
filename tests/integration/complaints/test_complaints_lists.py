"""ListComplaints and ListInformationRequests: scope, filters and keyset pages.

Each test works in an agency (tenant) and a company of its own, so that the lists
it reads hold exactly what it created, on one shared host.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import grpc
import pytest
from complaints_support import (
    AGENCY_ADMIN,
    CONTACT,
    MANAGER,
    NO_PERMISSION,
    Harness,
    date_pb,
    new_complaint,
    reason_of,
    violated_fields,
)

from ses.complaints.v1 import complaints_pb2 as pb
from ses_core.accounts import CompanyKind, CompanyRegistered, CompanySource, UserCreated
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.models.enrollment_events import EnrollmentCompleted

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

INVALID = grpc.StatusCode.INVALID_ARGUMENT
DENIED = grpc.StatusCode.PERMISSION_DENIED


def _agency() -> tuple[Actor, Actor]:
    tenant = f"agency-{uuid.uuid4().hex[:8]}"
    return (
        Actor.agency_user(f"{tenant}-mgr", tenant, AgencyRole.COMPLAINT_MANAGER),
        Actor.agency_user(f"{tenant}-sup", tenant, AgencyRole.COMPLAINT_SUPERVISOR),
    )


async def _company(h: Harness) -> tuple[str, Actor, Actor]:
    """A newly enrolled company with its SES Complaints Contact and a POC."""
    company_id = f"SES-{uuid.uuid4().hex[:8].upper()}"
    contact = Actor.company_user(
        f"{company_id}-contact", company_id, ComplaintsPermission.MANAGE, complaints_contact=True
    )
    poc = Actor.company_user(f"{company_id}-poc", company_id, ComplaintsPermission.MANAGE)
    users = [
        UserCreated(
            tenant_id="agency-ny",
            user_id=user.user_id,
            company_id=company_id,
            email=f"{user.user_id.lower()}@example.com",
            given_name="Pat",
            family_name=user.user_id,
            complaints_permission=ComplaintsPermission.MANAGE,
        )
        for user in (contact, poc)
    ]
    await h.publish(
        CompanyRegistered(
            company_id=company_id,
            legal_name=f"{company_id} Lending",
            kind=CompanyKind.NMLS_REGISTERED,
            source=CompanySource.MANUAL,
            nmls_id=company_id[-4:],
        ),
        *users,
        EnrollmentCompleted(
            tenant_id="agency-ny",
            company_id=company_id,
            user_id=contact.user_id,
            complaints_contact_id=contact.user_id,
        ),
    )
    return company_id, contact, poc


async def _complaint(
    h: Harness, actor: Actor, company_id: str, *, due_in: int | None = None, **overrides: object
) -> str:
    h.tick()
    request = new_complaint(company_id=company_id, **overrides)
    cid: str = (await h.call("CreateComplaint", request, actor)).complaint.complaint_id
    if due_in is not None:
        add = pb.AddInformationRequestRequest(
            complaint_id=cid, request_text="History", due_date=date_pb(h.ahead(due_in))
        )
        await h.call("AddInformationRequest", add, actor)
        await h.call(
            "SendInformationRequests", pb.SendInformationRequestsRequest(complaint_id=cid), actor
        )
    return cid


async def _ids(h: Harness, actor: Actor, **filters: object) -> list[str]:
    response = await h.call("ListComplaints", pb.ListComplaintsRequest(**filters), actor)
    return [c.complaint_id for c in response.complaints]


async def _walk(h: Harness, actor: Actor, request: pb.ListComplaintsRequest) -> list[list[str]]:
    pages: list[list[str]] = []
    while True:
        response = await h.call("ListComplaints", request, actor)
        pages.append([c.complaint_id for c in response.complaints])
        if not response.next_page_token:
            return pages
        request.page_token = response.next_page_token


async def test_pages_walk_newest_first_and_new_rows_never_shift_them(harness: Harness) -> None:
    h = harness
    manager, _ = _agency()
    company_id, _, _ = await _company(h)
    created = [await _complaint(h, manager, company_id) for _ in range(5)]

    first = await h.call("ListComplaints", pb.ListComplaintsRequest(page_size=2), manager)
    assert [c.complaint_id for c in first.complaints] == created[::-1][:2]
    newer = await _complaint(h, manager, company_id)
    request = pb.ListComplaintsRequest(page_size=2, page_token=first.next_page_token)
    rest = await _walk(h, manager, request)

    assert rest == [created[::-1][2:4], created[::-1][4:]]
    assert (await _ids(h, manager))[0] == newer


async def test_page_tokens_are_checked(harness: Harness) -> None:
    h = harness
    manager, _ = _agency()
    company_id, _, _ = await _company(h)
    for _ in range(3):
        await _complaint(h, manager, company_id)
    first = await h.call("ListComplaints", pb.ListComplaintsRequest(page_size=1), manager)
    other_filters = pb.ListComplaintsRequest(
        statuses=[pb.COMPLAINT_STATUS_OPEN],
        page_size=1,
        page_token=first.next_page_token,
    )
    error = await h.fails("ListComplaints", other_filters, manager, INVALID)
    assert reason_of(error) == "page_token_mismatch"
    assert violated_fields(error) == ["page_token"]
    garbage = pb.ListComplaintsRequest(page_token="not-a-token")
    error = await h.fails("ListComplaints", garbage, manager, INVALID)
    assert "next_page_token" in error.details()
    assert violated_fields(error) == ["page_token"]
    negative = pb.ListComplaintsRequest(page_size=-1)
    error = await h.fails("ListComplaints", negative, manager, INVALID)
    assert violated_fields(error) == ["page_size"]
    huge = await h.call(
        "ListComplaints",
        pb.ListComplaintsRequest(page_size=10**6),
        manager,
    )
    assert len(huge.complaints) == 3


async def test_filters_by_status_company_and_pocs(harness: Harness) -> None:
    h = harness
    manager, supervisor = _agency()
    acme, contact, poc = await _company(h)
    globex, _, _ = await _company(h)
    plain = await _complaint(h, manager, acme)
    pending = await _complaint(h, manager, acme, preliminary_review=True)
    other_company = await _complaint(h, manager, globex)
    owned_by_supervisor = await _complaint(h, supervisor, acme)
    with_company_poc = await _complaint(h, manager, acme, due_in=5)
    assign = pb.AssignCompanyPocRequest(complaint_id=with_company_poc, user_id=poc.user_id)
    await h.call("AssignCompanyPoc", assign, contact)

    open_ids = await _ids(h, manager, statuses=[pb.COMPLAINT_STATUS_OPEN])
    assert pending not in open_ids
    assert plain in open_ids
    assert await _ids(h, manager, statuses=[pb.COMPLAINT_STATUS_PENDING_REVIEW]) == [pending]
    assert await _ids(h, manager, company_id=globex) == [other_company]
    assert await _ids(h, manager, agency_poc_user_id=supervisor.user_id) == [owned_by_supervisor]
    assert await _ids(h, manager, company_poc_user_id=poc.user_id) == [with_company_poc]
    bad_status = pb.ListComplaintsRequest(statuses=[99])
    await h.fails("ListComplaints", bad_status, manager, INVALID)


async def test_overdue_and_due_within_business_days(harness: Harness) -> None:
    h = harness
    manager, _ = _agency()
    company_id, contact, _ = await _company(h)
    soon = await _complaint(h, manager, company_id, due_in=2)
    later = await _complaint(h, manager, company_id, due_in=30)
    await _complaint(h, manager, company_id)

    assert await _ids(h, manager, due_within_business_days=3) == [soon]
    assert await _ids(h, manager, due_within_business_days=40) == [later, soon]
    assert await _ids(h, manager, overdue_only=True) == []
    error = await h.fails(
        "ListComplaints", pb.ListComplaintsRequest(due_within_business_days=-1), manager, INVALID
    )
    assert "due_within_business_days" in error.details()

    h.tick(timedelta(days=7))
    try:
        assert await _ids(h, manager, overdue_only=True) == [soon]
        assert await _ids(h, contact, overdue_only=True) == [soon]
        (summary,) = (
            await h.call("ListComplaints", pb.ListComplaintsRequest(overdue_only=True), manager)
        ).complaints
        assert summary.overdue
        requests = await h.call(
            "ListInformationRequests", pb.ListInformationRequestsRequest(overdue_only=True), manager
        )
        assert [r.complaint_id for r in requests.information_requests] == [soon]
        assert requests.information_requests[0].overdue
    finally:
        h.tick(-timedelta(days=7))


async def test_a_company_lists_its_complaints_across_agencies_once_sent(harness: Harness) -> None:
    h = harness
    ny_manager, _ = _agency()
    nj_manager, _ = _agency()
    company_id, contact, _ = await _company(h)
    other_company, other_contact, _ = await _company(h)
    from_ny = await _complaint(h, ny_manager, company_id, due_in=5)
    from_nj = await _complaint(h, nj_manager, company_id, due_in=8)
    await _complaint(h, ny_manager, company_id)  # nothing sent yet: unknown to the company
    await _complaint(h, ny_manager, other_company, due_in=5)

    assert await _ids(h, contact) == [from_nj, from_ny]
    assert await _ids(h, contact, company_id=other_company) == []
    assert from_ny not in await _ids(h, other_contact)
    assert from_ny not in await _ids(h, nj_manager)
    requests = await h.call("ListInformationRequests", pb.ListInformationRequestsRequest(), contact)
    assert [r.complaint_id for r in requests.information_requests] == [from_ny, from_nj]


async def test_ir_list_is_soonest_due_first_and_hides_drafts_from_the_company(
    harness: Harness,
) -> None:
    h = harness
    manager, _ = _agency()
    company_id, contact, _ = await _company(h)
    late = await _complaint(h, manager, company_id, due_in=20)
    early = await _complaint(h, manager, company_id, due_in=3)
    draft = pb.AddInformationRequestRequest(complaint_id=early, request_text="Unsent")
    await h.call("AddInformationRequest", draft, manager)

    agency = await h.call("ListInformationRequests", pb.ListInformationRequestsRequest(), manager)
    company = await h.call("ListInformationRequests", pb.ListInformationRequestsRequest(), contact)
    only_early = await h.call(
        "ListInformationRequests", pb.ListInformationRequestsRequest(complaint_id=early), manager
    )

    assert [r.complaint_id for r in agency.information_requests] == [early, late, early]
    assert agency.information_requests[-1].status == pb.INFORMATION_REQUEST_STATUS_DRAFT
    assert [r.complaint_id for r in company.information_requests] == [early, late]
    assert len(only_early.information_requests) == 2
    paged = pb.ListInformationRequestsRequest(page_size=1)
    seen: list[str] = []
    while True:
        response = await h.call("ListInformationRequests", paged, manager)
        seen += [r.information_request_id for r in response.information_requests]
        if not response.next_page_token:
            break
        paged.page_token = response.next_page_token
    assert seen == [r.information_request_id for r in agency.information_requests]


async def test_listing_needs_a_complaints_role_or_permission(harness: Harness) -> None:
    h = harness
    await h.fails("ListComplaints", pb.ListComplaintsRequest(), AGENCY_ADMIN, DENIED)
    await h.fails("ListComplaints", pb.ListComplaintsRequest(), NO_PERMISSION, DENIED)
    await h.fails(
        "ListInformationRequests", pb.ListInformationRequestsRequest(), NO_PERMISSION, DENIED
    )
    assert isinstance(await _ids(h, CONTACT), list)
    assert isinstance(await _ids(h, MANAGER), list)
