"""What both sides share: interactions, attached files, file grants, history, events, retries."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import grpc
import pytest
from complaints_support import (
    COMPANY_VIEWER,
    CONTACT,
    CONTRIBUTOR,
    MANAGER,
    POC,
    VIEWER,
    Harness,
    create,
    get,
    reason_of,
    submitted,
    with_poc,
)
from nats.js.api import ConsumerConfig, DeliverPolicy

from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as pb
from ses_core.identity import Actor
from ses_core.platform.grants import (
    FileGrant,
    FileGrantAction,
    GrantSigner,
    load_or_create_grant_secret,
)
from ses_core.uploads import MIB

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

INVALID = grpc.StatusCode.INVALID_ARGUMENT
PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION
DENIED = grpc.StatusCode.PERMISSION_DENIED
NOT_FOUND = grpc.StatusCode.NOT_FOUND


def _signer(h: Harness) -> GrantSigner:
    path = h.settings.files.grant_secret_path
    assert path is not None
    return GrantSigner(load_or_create_grant_secret(path))


def _attach(h: Harness, actor: Actor, file_id: str, name: str, size: int) -> pb.AttachedFile:
    token = _signer(h).issue(
        FileGrant(
            file_id,
            FileGrantAction.ATTACH,
            actor.user_id,
            actor.tenant_id or "agency-ny",
            h.clock.now() + timedelta(hours=1),
        )
    )
    return pb.AttachedFile(
        file_id=file_id, file_name=name, size_bytes=size, attach_grant_token=token
    )


def _post(cid: str, text: str = "", **fields: object) -> pb.PostInteractionRequest:
    return pb.PostInteractionRequest(complaint_id=cid, text=text, **fields)  # type: ignore[arg-type]


# -- interactions ---------------------------------------------------------------------------------


async def test_agency_and_company_exchange_messages_oldest_first(harness: Harness) -> None:
    h = harness
    complaint, _ = await with_poc(h)
    cid = complaint.complaint_id
    from_agency = (
        await h.call("PostInteraction", _post(cid, "Please call us"), MANAGER)
    ).interaction
    h.tick()
    from_company = (await h.call("PostInteraction", _post(cid, "Will do"), CONTRIBUTOR)).interaction
    assert from_agency.author.party == common.PARTY_AGENCY
    assert from_company.author.party == common.PARTY_COMPANY

    listing = pb.ListInteractionsRequest(complaint_id=cid)
    listing.page_size = 1
    first = await h.call("ListInteractions", listing, CONTACT)
    listing.page_token = first.next_page_token
    second = await h.call("ListInteractions", listing, MANAGER)

    assert [i.interaction_id for i in first.interactions] == [from_agency.interaction_id]
    assert [i.interaction_id for i in second.interactions] == [from_company.interaction_id]
    assert not second.next_page_token
    assert second.interactions[0].author.user_id == CONTRIBUTOR.user_id


async def test_posting_needs_a_message_and_someone_working_the_complaint(
    harness: Harness,
) -> None:
    h = harness
    complaint, _ = await with_poc(h)
    cid = complaint.complaint_id
    empty = await h.fails("PostInteraction", _post(cid, "  "), MANAGER, INVALID)
    assert "message or an attached file" in empty.details()
    await h.fails("PostInteraction", _post(cid, "Hi"), VIEWER, DENIED)
    error = await h.fails("PostInteraction", _post(cid, "Hi"), COMPANY_VIEWER, DENIED)
    assert "Manage Complaints" in error.details()
    error = await h.fails("PostInteraction", _post(cid, "Hi"), CONTACT, DENIED)
    assert "contributor" in error.details()
    await h.call(
        "CancelComplaint", pb.CancelComplaintRequest(complaint_id=cid, reason="Withdrawn"), MANAGER
    )
    await h.fails("PostInteraction", _post(cid, "Hi"), MANAGER, PRECONDITION)


# -- attached files -------------------------------------------------------------------------------


async def test_interaction_files_are_limited_to_25_mib(harness: Harness) -> None:
    h = harness
    complaint, _ = await with_poc(h)
    cid = complaint.complaint_id
    big = _attach(h, POC, "file-big-declared", "scan.pdf", 26 * MIB)
    error = await h.fails("PostInteraction", _post(cid, attachments=[big]), POC, INVALID)
    assert "25 MiB" in error.details()
    assert "scan.pdf" in error.details()
    assert reason_of(error) == "file_too_large"

    verified_big = await h.upload(POC, "video.mp4", 30 * MIB)
    error = await h.fails("PostInteraction", _post(cid, file_ids=[verified_big]), POC, INVALID)
    assert "video.mp4" in error.details()
    lie = _attach(h, POC, verified_big, "video.mp4", 1 * MIB)
    error = await h.fails("PostInteraction", _post(cid, attachments=[lie]), POC, INVALID)
    assert reason_of(error) == "declared_size_mismatch"

    small = await h.upload(POC, "letter.pdf", 2 * MIB)
    posted = (await h.call("PostInteraction", _post(cid, file_ids=[small]), POC)).interaction
    (attachment,) = posted.attachments
    assert (attachment.file_name, attachment.size_bytes) == ("letter.pdf", 2 * MIB)


async def test_only_your_own_completed_uploads_can_be_attached(harness: Harness) -> None:
    h = harness
    complaint, ir_id = await with_poc(h)
    cid = complaint.complaint_id
    save = pb.SaveResponseDraftRequest(complaint_id=cid, information_request_id=ir_id)

    save.add_file_ids[:] = ["file-never-completed"]
    error = await h.fails("SaveResponseDraft", save, POC, PRECONDITION)
    assert reason_of(error) == "file_not_ready"
    assert "attach_grant_token" in error.details()

    someone_elses = await h.upload(CONTRIBUTOR, "theirs.pdf", 1000)
    save.add_file_ids[:] = [someone_elses]
    error = await h.fails("SaveResponseDraft", save, POC, DENIED)
    assert reason_of(error) == "file_not_yours"

    del save.add_file_ids[:]
    forged = pb.AttachedFile(
        file_id="file-x", file_name="x.pdf", size_bytes=10, attach_grant_token="abc.def"
    )
    save.add_attachments.append(forged)
    await h.fails("SaveResponseDraft", save, POC, DENIED)
    del save.add_attachments[:]
    save.add_attachments.append(_attach(h, CONTRIBUTOR, "file-y", "y.pdf", 10))
    error = await h.fails("SaveResponseDraft", save, POC, DENIED)
    assert "not valid for you" in error.details()

    del save.add_attachments[:]
    save.add_attachments.append(_attach(h, POC, "file-just-uploaded", "answer.pdf", 4096))
    save.text = "See attached"
    draft = (await h.call("SaveResponseDraft", save, POC)).draft
    assert [(a.file_id, a.file_name) for a in draft.attachments] == [
        ("file-just-uploaded", "answer.pdf")
    ]
    # The contributor may keep the POC's file in the draft: it is already on the complaint.
    again = pb.SaveResponseDraftRequest(
        complaint_id=cid, information_request_id=ir_id, add_file_ids=["file-just-uploaded"]
    )
    kept = (await h.call("SaveResponseDraft", again, CONTRIBUTOR)).draft
    assert kept.attachments[0].size_bytes == 4096


# -- file grants ----------------------------------------------------------------------------------


async def test_file_grants_follow_what_each_reader_may_see(harness: Harness) -> None:
    h = harness
    complaint, ir_id = await with_poc(h)
    cid = complaint.complaint_id
    response_file = await h.upload(POC, "restricted.pdf", 500)
    draft_file = await h.upload(CONTRIBUTOR, "draft.pdf", 500)
    save = pb.SaveResponseDraftRequest(
        complaint_id=cid, information_request_id=ir_id, add_file_ids=[response_file]
    )
    await h.call("SaveResponseDraft", save, POC)
    submit = pb.SubmitResponseRequest(
        complaint_id=cid, information_request_id=ir_id, restricted=True
    )
    await h.call("SubmitResponse", submit, POC)

    def grant(file_id: str) -> pb.IssueFileGrantRequest:
        return pb.IssueFileGrantRequest(complaint_id=cid, file_id=file_id)

    for actor in (POC, MANAGER, VIEWER):
        issued = await h.call("IssueFileGrant", grant(response_file), actor)
        verified = _signer(h).verify(issued.grant_token, now=h.clock.now())
        verified.require(
            file_id=response_file, user_id=actor.user_id, action=FileGrantAction.DOWNLOAD
        )
        assert verified.tenant_id == "agency-ny"
        assert issued.expires_at.ToDatetime().year >= h.clock.now().year
    for actor in (CONTRIBUTOR, CONTACT):
        await h.fails("IssueFileGrant", grant(response_file), actor, NOT_FOUND)
    await h.fails("IssueFileGrant", grant("file-not-here"), MANAGER, NOT_FOUND)
    bad_action = pb.IssueFileGrantRequest(complaint_id=cid, file_id=response_file, action=7)
    await h.fails("IssueFileGrant", bad_action, MANAGER, INVALID)

    unrestricted = await with_poc(h)
    ucid, uir = unrestricted[0].complaint_id, unrestricted[1]
    draft = pb.SaveResponseDraftRequest(
        complaint_id=ucid, information_request_id=uir, add_file_ids=[draft_file]
    )
    await h.call("SaveResponseDraft", draft, CONTRIBUTOR)
    company_grant = pb.IssueFileGrantRequest(complaint_id=ucid, file_id=draft_file)
    await h.call("IssueFileGrant", company_grant, COMPANY_VIEWER)
    await h.fails("IssueFileGrant", company_grant, MANAGER, NOT_FOUND)


# -- history --------------------------------------------------------------------------------------


async def test_history_is_read_in_each_sides_projection(harness: Harness) -> None:
    h = harness
    complaint, ir_id = await submitted(h)
    cid = complaint.complaint_id
    await h.call(
        "AddResearchNote", pb.AddResearchNoteRequest(complaint_id=cid, text="Secret"), MANAGER
    )
    await h.call(
        "CancelComplaint",
        pb.CancelComplaintRequest(complaint_id=cid, reason="Agency-internal reason"),
        MANAGER,
    )

    async def actions(actor: Actor) -> tuple[list[str], str]:
        response = await h.call("ListHistory", pb.ListHistoryRequest(complaint_id=cid), actor)
        return [e.action for e in response.entries], str(response)

    agency, agency_text = await actions(MANAGER)
    company, company_text = await actions(CONTACT)

    assert agency[0] == "complaint_created"
    assert "research_note_added" in agency
    assert "information_request_added" in agency
    assert "response_drafted" not in agency
    assert "response_drafted" in company
    assert "research_note_added" not in company
    assert "information_request_added" not in company
    assert "Agency-internal reason" in agency_text
    assert "Agency-internal reason" not in company_text
    assert company[-1] == "complaint_canceled"
    assert {"company_poc_assigned", "contributor_added", "response_submitted"} <= set(company)

    paged = pb.ListHistoryRequest(complaint_id=cid)
    paged.page_size = 3
    walked: list[str] = []
    while True:
        response = await h.call("ListHistory", paged, CONTACT)
        assert len(response.entries) <= 3
        walked += [e.action for e in response.entries]
        if not response.next_page_token:
            break
        paged.page_token = response.next_page_token
    assert walked == company
    submitted_entry = next(
        e
        for e in (
            await h.call("ListHistory", pb.ListHistoryRequest(complaint_id=cid), MANAGER)
        ).entries
        if e.action == "response_submitted"
    )
    assert submitted_entry.information_request_id == ir_id
    assert submitted_entry.actor.user_id == POC.user_id


# -- events and retries ---------------------------------------------------------------------------


async def test_every_change_is_published_as_an_event(harness: Harness) -> None:
    h = harness
    assert h.host.nats is not None
    js = h.host.nats.jetstream()
    complaint, _ = await submitted(h)
    cid = complaint.complaint_id
    subscription = await js.subscribe(
        "ses.complaints.v1.>",
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
        ordered_consumer=True,
    )
    expected = {
        "ses.complaints.v1.complaint_created",
        "ses.complaints.v1.information_request_added",
        "ses.complaints.v1.information_request_sent",
        "ses.complaints.v1.company_poc_assigned",
        "ses.complaints.v1.contributor_added",
        "ses.complaints.v1.response_drafted",
        "ses.complaints.v1.response_submitted",
    }
    seen: set[str] = set()
    try:
        async with asyncio.timeout(30):
            while not expected <= seen:
                message = await subscription.next_msg(timeout=30)
                if message.headers and cid.encode() in message.data:
                    seen.add(message.subject)
    finally:
        await subscription.unsubscribe()
    assert expected <= seen


async def test_a_retried_post_with_the_same_key_posts_once(harness: Harness) -> None:
    h = harness
    complaint = await create(h)
    request = _post(complaint.complaint_id, "Only once")
    first = await h.call("PostInteraction", request, MANAGER, key="post-1")
    again = await h.call("PostInteraction", request, MANAGER, key="post-1")
    assert first.interaction.interaction_id == again.interaction.interaction_id
    copy = await get(h, complaint.complaint_id, MANAGER)
    assert copy.status == pb.COMPLAINT_STATUS_OPEN
    listed = await h.call(
        "ListInteractions", pb.ListInteractionsRequest(complaint_id=complaint.complaint_id), MANAGER
    )
    assert len(listed.interactions) == 1
    other = _post(complaint.complaint_id, "Something else")
    error = await h.fails("PostInteraction", other, MANAGER, INVALID, key="post-1")
    assert "idempotency" in error.details().lower()
