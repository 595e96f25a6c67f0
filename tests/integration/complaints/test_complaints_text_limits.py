"""Free text over its limit is INVALID_ARGUMENT naming the field, whatever its size (issue 10)."""

from __future__ import annotations

import grpc
import pytest
from complaints_support import MANAGER, Harness, create, new_complaint, reason_of

from ses.complaints.v1 import complaints_pb2 as pb
from ses_core.testing import error_details

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

THREE_MB = "word " * (3 * 1024 * 1024 // 5)


def _refused_for_field(error: grpc.aio.AioRpcError, field: str, limit: str) -> None:
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(error) == "text_too_long"
    assert f"the limit is {limit}" in (error.details() or "")
    assert len((error.details() or "").encode()) < 200
    assert [v.field for v in error_details(error).field_violations] == [field]


async def test_a_three_megabyte_description_is_refused_naming_the_field(harness: Harness) -> None:
    request = new_complaint()
    request.details.description = THREE_MB
    error = await harness.fails(
        "CreateComplaint", request, MANAGER, grpc.StatusCode.INVALID_ARGUMENT
    )
    _refused_for_field(error, "details.description", "20,000")


async def test_a_three_megabyte_research_note_is_refused_naming_the_field(harness: Harness) -> None:
    complaint = await create(harness)
    request = pb.AddResearchNoteRequest(complaint_id=complaint.complaint_id, text=THREE_MB)
    error = await harness.fails(
        "AddResearchNote", request, MANAGER, grpc.StatusCode.INVALID_ARGUMENT
    )
    _refused_for_field(error, "text", "10,000")


async def test_a_three_megabyte_interaction_is_refused_naming_the_field(harness: Harness) -> None:
    complaint = await create(harness)
    request = pb.PostInteractionRequest(complaint_id=complaint.complaint_id, text=THREE_MB)
    error = await harness.fails(
        "PostInteraction", request, MANAGER, grpc.StatusCode.INVALID_ARGUMENT
    )
    _refused_for_field(error, "text", "4,000")


async def test_text_at_its_limit_is_kept(harness: Harness) -> None:
    complaint = await create(harness)
    note = "n" * 10_000
    response = await harness.call(
        "AddResearchNote",
        pb.AddResearchNoteRequest(complaint_id=complaint.complaint_id, text=note),
        MANAGER,
    )
    assert response.note.text == note
