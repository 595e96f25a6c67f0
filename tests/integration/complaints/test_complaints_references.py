"""Reference numbers over real gRPC: readable, per agency and year, unique in the database.

Each test numbers complaints of an agency of its own, so the sequences it reads are its
own whatever ran before it in this module.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import grpc
import pytest
import sqlalchemy as sa
from complaints_support import (
    MANAGER,
    NJ_MANAGER,
    POC,
    Harness,
    create,
    new_complaint,
    sent_complaint,
    with_poc,
)
from sqlalchemy.exc import IntegrityError

from ses.complaints.v1 import complaints_pb2 as pb
from ses_complaints import tables as t
from ses_core.accounts import AgencyCreated
from ses_core.identity import Actor, AgencyRole
from ses_core.lifecycle import EASTERN

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND


async def _agency(h: Harness, code: str) -> Actor:
    """A new agency known to the service by its code, and a Complaint Manager of it."""
    agency_id = f"agency-{code.lower()}"
    created = AgencyCreated(
        tenant_id=agency_id, agency_id=agency_id, code=code, name=f"{code} agency", state_code="DE"
    )
    await h.publish(created)
    return Actor.agency_user(f"{code.lower()}-manager", agency_id, AgencyRole.COMPLAINT_MANAGER)


async def test_references_number_each_agencys_complaints_by_year(harness: Harness) -> None:
    h = harness
    delaware, maryland = await _agency(h, "DE-OSBC"), await _agency(h, "MD-OFR")
    year = h.today().year

    made = [await create(h, actor) for actor in (delaware, delaware, maryland, delaware)]

    assert [c.reference_number for c in made] == [
        f"DE-OSBC-{year}-000001",
        f"DE-OSBC-{year}-000002",
        f"MD-OFR-{year}-000001",
        f"DE-OSBC-{year}-000003",
    ]


async def test_a_reference_is_kept_for_life_and_carried_by_every_event(harness: Harness) -> None:
    h = harness
    complaint, _ = await with_poc(h)
    cid = complaint.complaint_id
    listed = await h.call("ListComplaints", pb.ListComplaintsRequest(), MANAGER)
    assert complaint.reference_number in [c.reference_number for c in listed.complaints]
    requests = await h.call(
        "ListInformationRequests", pb.ListInformationRequestsRequest(complaint_id=cid), POC
    )
    assert [r.complaint_reference_number for r in requests.information_requests] == [
        complaint.reference_number
    ]

    history = t.complaint_history
    with h.engine.connect() as connection:
        payloads = connection.execute(
            sa.select(history.c.action, history.c.payload).where(history.c.complaint_id == cid)
        ).all()
    assert {action for action, _ in payloads} >= {
        "complaint_created",
        "information_request_added",
        "information_request_sent",
        "company_poc_assigned",
        "contributor_added",
    }
    assert {payload["reference_number"] for _, payload in payloads} == {complaint.reference_number}


async def test_a_complaint_can_be_read_by_its_reference(harness: Harness) -> None:
    h = harness
    complaint, _ = await sent_complaint(h)
    by_reference = pb.GetComplaintRequest(reference_number=complaint.reference_number.lower())

    for reader in (MANAGER, POC):
        found = (await h.call("GetComplaint", by_reference, reader)).complaint
        assert found.complaint_id == complaint.complaint_id
    # Another agency learns nothing, not even the complaint's id: as for a reference never used.
    other_agency = await h.fails("GetComplaint", by_reference, NJ_MANAGER, NOT_FOUND)
    assert other_agency.details() == (
        f"There is no complaint '{complaint.reference_number}' in your agency."
    )
    unknown = pb.GetComplaintRequest(reference_number="NY-1999-999999")
    never = await h.fails("GetComplaint", unknown, MANAGER, NOT_FOUND)
    assert never.details() == "There is no complaint 'NY-1999-999999' in your agency."
    both = pb.GetComplaintRequest(
        complaint_id=complaint.complaint_id, reference_number=complaint.reference_number
    )
    await h.fails("GetComplaint", both, MANAGER, INVALID)
    await h.fails("GetComplaint", pb.GetComplaintRequest(), MANAGER, INVALID)


async def test_an_agency_whose_code_is_unknown_numbers_under_ses(harness: Harness) -> None:
    h = harness
    stranger = Actor.agency_user("vt-manager", "agency-vt", AgencyRole.COMPLAINT_MANAGER)
    first, second = await create(h, stranger), await create(h, stranger)
    year = h.today().year
    assert [first.reference_number, second.reference_number] == [
        f"SES-{year}-000001",
        f"SES-{year}-000002",
    ]


async def test_concurrent_creations_draw_distinct_numbers_without_gaps(harness: Harness) -> None:
    h = harness
    rhode_island = await _agency(h, "RI-DBR")
    count = 24

    made = await asyncio.gather(*(create(h, rhode_island) for _ in range(count)))

    year = h.today().year
    assert sorted(c.reference_number for c in made) == [
        f"RI-DBR-{year}-{sequence:06d}" for sequence in range(1, count + 1)
    ]


async def test_a_failed_creation_gives_its_number_back(harness: Harness) -> None:
    h = harness
    oregon = await _agency(h, "OR-DFR")
    await create(h, oregon)
    broken = new_complaint()
    broken.details.description = "  "
    await h.fails("CreateComplaint", broken, oregon, INVALID)
    second = await create(h, oregon)
    assert second.reference_number == f"OR-DFR-{h.today().year}-000002"


async def test_the_database_refuses_a_repeated_reference(harness: Harness) -> None:
    h = harness
    first, second = await create(h), await create(h)
    complaints = t.complaints
    with pytest.raises(IntegrityError), h.engine.begin() as connection:
        connection.execute(
            complaints.update()
            .where(complaints.c.id == second.complaint_id)
            .values(reference_number=first.reference_number)
        )


async def test_numbering_starts_again_each_year_in_new_york_time(harness: Harness) -> None:
    """Last in the module: it moves the service's clock to New Year's Eve and back."""
    h = harness
    ohio = await _agency(h, "OH-DFI")
    before = h.clock.now()
    year = h.today().year
    try:
        h.clock.set(datetime(year, 12, 31, 23, 30, tzinfo=EASTERN))
        late = await create(h, ohio)
        h.clock.advance(timedelta(hours=1))
        early = [await create(h, ohio), await create(h, ohio)]
    finally:
        h.clock.set(before)
    assert late.reference_number == f"OH-DFI-{year}-000001"
    assert [c.reference_number for c in early] == [
        f"OH-DFI-{year + 1}-000001",
        f"OH-DFI-{year + 1}-000002",
    ]
