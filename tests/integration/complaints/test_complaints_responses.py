"""The company's response over real gRPC: restriction that holds, "Sent", files by batches."""

from __future__ import annotations

import grpc
import pytest
from complaints_support import (
    COMPANY_VIEWER,
    CONTRIBUTOR,
    MANAGER,
    POC,
    VIEWER,
    Harness,
    date_pb,
    get,
    reason_of,
    submitted,
    with_poc,
)

from ses.complaints.v1 import complaints_pb2 as pb
from ses_core.identity import Actor

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

INVALID = grpc.StatusCode.INVALID_ARGUMENT
DENIED = grpc.StatusCode.PERMISSION_DENIED
NOT_FOUND = grpc.StatusCode.NOT_FOUND


def _ir(complaint: pb.Complaint, ir_id: str) -> pb.InformationRequest:
    return next(ir for ir in complaint.information_requests if ir.information_request_id == ir_id)


def _save(cid: str, ir_id: str, **fields: object) -> pb.SaveResponseDraftRequest:
    return pb.SaveResponseDraftRequest(complaint_id=cid, information_request_id=ir_id, **fields)


async def _send_back(h: Harness, cid: str, ir_id: str) -> None:
    back = pb.SendBackResponseRequest(
        complaint_id=cid,
        information_request_id=ir_id,
        reason="Add the escrow statement",
        new_due_date=date_pb(h.ahead(5)),
    )
    await h.call("SendBackResponse", back, MANAGER)


async def _grant(h: Harness, cid: str, file_id: str, actor: Actor) -> None:
    request = pb.IssueFileGrantRequest(complaint_id=cid, file_id=file_id)
    await h.call("IssueFileGrant", request, actor)


# -- restricted stays restricted ---------------------------------------------------------------


async def test_a_restricted_response_resubmitted_after_a_send_back_stays_restricted(
    harness: Harness,
) -> None:
    h = harness
    complaint, ir_id = await submitted(h, restricted=True)
    cid = complaint.complaint_id
    await _send_back(h, cid, ir_id)
    statement = await h.upload(POC, "escrow-statement.pdf", 2_000)
    await h.call(
        "SaveResponseDraft",
        _save(cid, ir_id, text="Here, with the statement.", add_file_ids=[statement]),
        POC,
    )

    # The POC resubmits without saying anything about restriction.
    resubmit = pb.SubmitResponseRequest(complaint_id=cid, information_request_id=ir_id)
    await h.call("SubmitResponse", resubmit, POC)

    for reader in (POC, MANAGER, VIEWER):
        responses = _ir(await get(h, cid, reader), ir_id).submitted_responses
        assert [(r.text, r.restricted) for r in responses] == [
            ("Here.", True),
            ("Here, with the statement.", True),
        ]
    await _grant(h, cid, statement, POC)
    for colleague in (CONTRIBUTOR, COMPANY_VIEWER):
        shown = _ir(await get(h, cid, colleague), ir_id)
        assert list(shown.submitted_responses) == []
        assert "with the statement" not in str(shown)
        assert statement not in str(shown)
        denied = pb.IssueFileGrantRequest(complaint_id=cid, file_id=statement)
        await h.fails("IssueFileGrant", denied, colleague, NOT_FOUND)


async def test_the_poc_may_lift_the_restriction_when_resubmitting(harness: Harness) -> None:
    h = harness
    complaint, ir_id = await submitted(h, restricted=True)
    cid = complaint.complaint_id
    await _send_back(h, cid, ir_id)
    lifted = pb.SubmitResponseRequest(
        complaint_id=cid, information_request_id=ir_id, restricted=False
    )
    await h.call("SubmitResponse", lifted, POC)
    responses = _ir(await get(h, cid, CONTRIBUTOR), ir_id).submitted_responses
    assert [(r.text, r.restricted) for r in responses] == [("Here.", False)]


async def test_a_draft_marked_restricted_is_for_the_company_poc_alone(harness: Harness) -> None:
    h = harness
    complaint, ir_id = await with_poc(h)
    cid = complaint.complaint_id
    notes = await h.upload(CONTRIBUTOR, "notes.pdf", 1_000)
    await h.call(
        "SaveResponseDraft", _save(cid, ir_id, text="Draft.", add_file_ids=[notes]), CONTRIBUTOR
    )
    # A contributor cannot mark it; the POC can.
    error = await h.fails(
        "SaveResponseDraft", _save(cid, ir_id, text="Draft.", restricted=True), CONTRIBUTOR, DENIED
    )
    assert reason_of(error) == "not_company_poc"
    marked = await h.call(
        "SaveResponseDraft", _save(cid, ir_id, text="Private draft.", restricted=True), POC
    )
    assert marked.draft.restricted
    assert [a.file_id for a in marked.draft.attachments] == [notes]

    poc_copy = _ir(await get(h, cid, POC), ir_id)
    assert (poc_copy.draft.text, poc_copy.draft.restricted) == ("Private draft.", True)
    for reader in (CONTRIBUTOR, COMPANY_VIEWER, MANAGER):
        shown = _ir(await get(h, cid, reader), ir_id)
        assert not shown.HasField("draft")
        assert "Private draft" not in str(shown)
        denied = pb.IssueFileGrantRequest(complaint_id=cid, file_id=notes)
        await h.fails("IssueFileGrant", denied, reader, NOT_FOUND)
    await h.fails("SaveResponseDraft", _save(cid, ir_id, text="Edit."), CONTRIBUTOR, DENIED)
    await h.fails(
        "SendDraftToPoc",
        pb.SendDraftToPocRequest(complaint_id=cid, information_request_id=ir_id),
        CONTRIBUTOR,
        DENIED,
    )

    # Saved again without the flag it stays restricted; submitted without it, too.
    await h.call("SaveResponseDraft", _save(cid, ir_id, text="Final."), POC)
    assert not _ir(await get(h, cid, CONTRIBUTOR), ir_id).HasField("draft")
    submit = pb.SubmitResponseRequest(complaint_id=cid, information_request_id=ir_id)
    await h.call("SubmitResponse", submit, POC)
    (response,) = _ir(await get(h, cid, MANAGER), ir_id).submitted_responses
    assert (response.text, response.restricted) == ("Final.", True)
    assert list(_ir(await get(h, cid, CONTRIBUTOR), ir_id).submitted_responses) == []


async def test_the_poc_may_lift_a_drafts_restriction(harness: Harness) -> None:
    h = harness
    complaint, ir_id = await with_poc(h)
    cid = complaint.complaint_id
    await h.call("SaveResponseDraft", _save(cid, ir_id, text="Draft.", restricted=True), POC)
    await h.call("SaveResponseDraft", _save(cid, ir_id, text="Draft.", restricted=False), POC)
    shown = _ir(await get(h, cid, CONTRIBUTOR), ir_id)
    assert (shown.draft.text, shown.draft.restricted) == ("Draft.", False)
    await h.call("SaveResponseDraft", _save(cid, ir_id, text="Better."), CONTRIBUTOR)


# -- "Sent" ------------------------------------------------------------------------------------


async def test_the_company_sees_a_submitted_response_as_sent_and_the_agency_as_received(
    harness: Harness,
) -> None:
    h = harness
    complaint, ir_id = await submitted(h)
    cid = complaint.complaint_id
    sent, received = (
        pb.INFORMATION_REQUEST_STATUS_RESPONSE_SENT,
        (pb.INFORMATION_REQUEST_STATUS_RESPONSE_RECEIVED),
    )

    for reader, expected in ((POC, sent), (COMPANY_VIEWER, sent), (MANAGER, received)):
        assert _ir(await get(h, cid, reader), ir_id).status == expected
        for asked in (sent, received):
            listed = await h.call(
                "ListInformationRequests",
                pb.ListInformationRequestsRequest(complaint_id=cid, statuses=[asked]),
                reader,
            )
            assert [(r.information_request_id, r.status) for r in listed.information_requests] == [
                (ir_id, expected)
            ]


# -- files on a draft --------------------------------------------------------------------------


async def test_sixty_files_saved_in_three_batches_all_reach_the_agency(harness: Harness) -> None:
    h = harness
    complaint, ir_id = await with_poc(h)
    cid = complaint.complaint_id
    names = [f"statement-{number:02d}.pdf" for number in range(1, 61)]
    files = await h.uploads(CONTRIBUTOR, names, 1_000)
    batches = (files[:25], files[25:50], files[50:])

    link = "https://share.example.com/statements-archive.zip"
    first = _save(cid, ir_id, text="Statements attached.", add_file_sharing_links=[link])
    # The next batches name only their files: the text and link saved first stay.
    for number, batch in enumerate(batches, start=1):
        request = first if number == 1 else _save(cid, ir_id)
        request.add_file_ids.extend(batch)
        saved = await h.call("SaveResponseDraft", request, CONTRIBUTOR)
        assert [a.file_id for a in saved.draft.attachments] == files[: 25 * number]
        assert (saved.draft.text, list(saved.draft.file_sharing_links)) == (
            "Statements attached.",
            [link],
        )

    too_many = await h.uploads(CONTRIBUTOR, [f"extra-{n}.pdf" for n in range(26)], 1_000)
    error = await h.fails(
        "SaveResponseDraft", _save(cid, ir_id, add_file_ids=too_many), CONTRIBUTOR, INVALID
    )
    assert reason_of(error) == "too_many_files"
    assert "save the draft, then add the rest" in error.details()
    missing = await h.fails(
        "SaveResponseDraft", _save(cid, ir_id, remove_file_ids=too_many[:1]), CONTRIBUTOR, INVALID
    )
    assert reason_of(missing) == "file_not_on_draft"

    draft = _ir(await get(h, cid, POC), ir_id).draft
    listed = [(a.file_id, a.file_name) for a in draft.attachments]
    assert listed == list(zip(files, names, strict=True))
    assert draft.text == "Statements attached."
    submit = pb.SubmitResponseRequest(complaint_id=cid, information_request_id=ir_id)
    await h.call("SubmitResponse", submit, POC)
    (response,) = _ir(await get(h, cid, MANAGER), ir_id).submitted_responses
    assert [a.file_id for a in response.attachments] == files


async def test_files_leave_a_draft_only_when_removed(harness: Harness) -> None:
    h = harness
    complaint, ir_id = await with_poc(h)
    cid = complaint.complaint_id
    first, second, third = await h.uploads(POC, ["a.pdf", "b.pdf", "c.pdf"], 500)
    await h.call("SaveResponseDraft", _save(cid, ir_id, add_file_ids=[first, second]), POC)
    saved = await h.call(
        "SaveResponseDraft",
        _save(cid, ir_id, text="Two files.", add_file_ids=[third], remove_file_ids=[first]),
        POC,
    )
    assert [a.file_id for a in saved.draft.attachments] == [second, third]
    # Text and links are the draft's whole content: a save without files keeps the files.
    kept = await h.call("SaveResponseDraft", _save(cid, ir_id, text="Still two."), POC)
    assert [a.file_id for a in kept.draft.attachments] == [second, third]
