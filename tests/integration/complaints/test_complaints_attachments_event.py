"""FilesAttached: the complaints service tells the files service which files a complaint keeps.

Every command that puts files on a complaint raises one ``FilesAttached`` per place (complaint
documents, an IR's documents, a response draft, an interaction, closure documents) through
its outbox, naming only the files the complaint did not reference before. Checked on the
host's JetStream once the outbox has drained, so a missing or an extra event shows.
"""

from __future__ import annotations

from typing import Any

import pytest
from complaints_support import (
    ACME,
    CONTRIBUTOR,
    MANAGER,
    NY,
    POC,
    Harness,
    create,
    new_complaint,
    with_poc,
)
from sqlalchemy import func, select

from ses.complaints.v1 import complaints_pb2 as pb
from ses_core.models.complaint_events import FilePlacement, FilesAttached
from ses_core.platform.db import outbox_table
from ses_core.platform.messaging import EVENTS_STREAM, ProtobufEventCodec
from ses_core.testing import eventually

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

CODEC = ProtobufEventCodec()


def _outbox_drained(h: Harness) -> bool:
    statement = select(func.count()).where(outbox_table.c.published_at.is_(None))
    with h.engine.connect() as connection:
        return connection.execute(statement).scalar_one() == 0


async def files_attached(h: Harness, complaint_id: str) -> list[FilesAttached]:
    """Every FilesAttached of the complaint on JetStream, once the outbox has drained."""
    await eventually(lambda: _outbox_drained(h), timeout=30, message="the outbox to drain")
    assert h.host.nats is not None
    js = h.host.nats.jetstream()
    state = (await js.stream_info(EVENTS_STREAM)).state
    found = []
    for seq in range(state.first_seq, state.last_seq + 1):
        message = await js.get_msg(EVENTS_STREAM, seq)
        if message.subject == FilesAttached.subject():
            event = CODEC.decode(FilesAttached, message.data or b"")
            if event.complaint_id == complaint_id:
                found.append(event)
    return found


def _where(event: FilesAttached) -> tuple[Any, ...]:
    return (event.attached_as, event.file_ids, event.information_request_id, event.interaction_id)


async def test_creating_a_complaint_announces_its_documents_once(harness: Harness) -> None:
    h = harness
    first = await h.upload(MANAGER, "letter.pdf", 2_000)
    second = await h.upload(MANAGER, "statement.pdf", 3_000)

    request = new_complaint()
    request.document_file_ids.extend([first, second])
    complaint = (await h.call("CreateComplaint", request, MANAGER)).complaint

    (event,) = await files_attached(h, complaint.complaint_id)
    assert event.attached_as is FilePlacement.COMPLAINT_DOCUMENT
    assert event.file_ids == (first, second)
    assert (event.tenant_id, event.company_id, event.actor_id) == (NY, ACME, MANAGER.user_id)
    assert (event.information_request_id, event.interaction_id) == (None, None)


async def test_each_place_a_file_goes_is_announced_and_files_already_there_are_not(
    harness: Harness,
) -> None:
    h = harness
    complaint, ir_id = await with_poc(h)
    cid = complaint.complaint_id
    drafted = await h.upload(CONTRIBUTOR, "history.pdf", 4_000)
    added = await h.upload(POC, "escrow.xlsx", 5_000)
    posted = await h.upload(MANAGER, "call-notes.txt", 600)
    closing = await h.upload(MANAGER, "closing-letter.pdf", 7_000)

    def draft(*file_ids: str) -> pb.SaveResponseDraftRequest:
        return pb.SaveResponseDraftRequest(
            complaint_id=cid,
            information_request_id=ir_id,
            text="Attached.",
            add_file_ids=file_ids,
        )

    await h.call("SaveResponseDraft", draft(drafted), CONTRIBUTOR)
    # The POC adds the contributor's file again with one of their own: only theirs is new.
    await h.call("SaveResponseDraft", draft(drafted, added), POC)
    submit = pb.SubmitResponseRequest(complaint_id=cid, information_request_id=ir_id)
    await h.call("SubmitResponse", submit, POC)  # the files were on the complaint already
    post = pb.PostInteractionRequest(complaint_id=cid, text="Notes.", file_ids=[posted])
    interaction = (await h.call("PostInteraction", post, MANAGER)).interaction
    close = pb.CloseComplaintRequest(
        complaint_id=cid, reason=pb.CLOSE_REASON_DUPLICATE, shared_document_file_ids=[closing]
    )
    await h.call("CloseComplaint", close, MANAGER)

    events = await files_attached(h, cid)
    assert [_where(event) for event in events] == [
        (FilePlacement.RESPONSE_DRAFT, (drafted,), ir_id, None),
        (FilePlacement.RESPONSE_DRAFT, (added,), ir_id, None),
        (FilePlacement.INTERACTION, (posted,), None, interaction.interaction_id),
        (FilePlacement.CLOSURE_DOCUMENT, (closing,), None, None),
    ]
    assert [event.actor_id for event in events] == [
        CONTRIBUTOR.user_id,
        POC.user_id,
        MANAGER.user_id,
        MANAGER.user_id,
    ]


async def test_an_information_requests_documents_name_the_request(harness: Harness) -> None:
    h = harness
    complaint = await create(h)
    document = await h.upload(MANAGER, "questions.pdf", 1_000)

    request = pb.AddInformationRequestRequest(
        complaint_id=complaint.complaint_id, request_text="Explain.", file_ids=[document]
    )
    ir = (await h.call("AddInformationRequest", request, MANAGER)).information_request

    (event,) = await files_attached(h, complaint.complaint_id)
    assert _where(event) == (
        FilePlacement.INFORMATION_REQUEST,
        (document,),
        ir.information_request_id,
        None,
    )


async def test_commands_that_attach_nothing_announce_nothing(harness: Harness) -> None:
    h = harness
    complaint = await create(h)
    note = pb.AddResearchNoteRequest(complaint_id=complaint.complaint_id, text="Called.")
    await h.call("AddResearchNote", note, MANAGER)
    post = pb.PostInteractionRequest(complaint_id=complaint.complaint_id, text="No files.")
    await h.call("PostInteraction", post, MANAGER)

    assert await files_attached(h, complaint.complaint_id) == []
