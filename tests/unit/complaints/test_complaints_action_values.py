"""Each available action of ses_core has its value in complaints.proto, and no other."""

from __future__ import annotations

from ses.complaints.v1 import complaints_pb2 as pb
from ses_complaints.proto_values import complaint_actions_pb, request_actions_pb
from ses_core.models.next_actions import ComplaintCommand, InformationRequestCommand


def test_complaint_actions_map_one_to_one() -> None:
    mapped = complaint_actions_pb(ComplaintCommand)
    assert sorted(mapped) == sorted(set(pb.ComplaintAction.values()) - {0})


def test_request_actions_map_one_to_one() -> None:
    mapped = request_actions_pb(InformationRequestCommand)
    assert sorted(mapped) == sorted(set(pb.InformationRequestAction.values()) - {0})


def test_actions_are_listed_in_the_enums_order() -> None:
    chosen = [InformationRequestCommand.SUBMIT_RESPONSE, InformationRequestCommand.SEND]
    assert request_actions_pb(chosen) == [
        pb.INFORMATION_REQUEST_ACTION_SEND,
        pb.INFORMATION_REQUEST_ACTION_SUBMIT_RESPONSE,
    ]
