"""The ActivationLinkIssued event and its protobuf contract (outside ses_core's contract test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from ses.enrollment.v1 import events_pb2
from ses_core.accounts import ActivationLinkIssued, LinkPurpose
from ses_core.platform.messaging import ProtobufEventCodec

NOW = datetime(2025, 6, 2, 14, 0, tzinfo=UTC)


def _event(**fields: object) -> ActivationLinkIssued:
    values: dict[str, object] = {
        "occurred_at": NOW,
        "tenant_id": "agency-1",
        "user_id": "u-1",
        "company_id": "SES-000001",
        "email": "first@lender.example",
        "given_name": "Fay",
        "family_name": "First",
        "purpose": LinkPurpose.ENROLLMENT_INVITATION,
        "activation_link": "http://127.0.0.1:8080/activate?token=t",
        "activation_expires_at": NOW + timedelta(days=14),
        "company_name": "Acme",
        "inviting_agency_name": "NY DFS",
    }
    values.update(fields)
    return ActivationLinkIssued.model_validate(values)


def test_it_is_published_on_the_enrollment_subject() -> None:
    assert ActivationLinkIssued.subject() == "ses.enrollment.v1.activation_link_issued"


def test_it_round_trips_through_its_protobuf_message() -> None:
    codec = ProtobufEventCodec()
    event = _event()
    assert codec.message_type(ActivationLinkIssued) is events_pb2.ActivationLinkIssued
    assert codec.decode(ActivationLinkIssued, codec.encode(event)) == event


def test_the_proto_declares_exactly_the_events_fields() -> None:
    declared = set(events_pb2.ActivationLinkIssued.DESCRIPTOR.fields_by_name)
    assert declared == set(ActivationLinkIssued.model_fields)


@pytest.mark.parametrize(
    "organization", [{"company_id": ""}, {"agency_id": "agency-1"}], ids=["none", "both"]
)
def test_it_names_exactly_one_organization(organization: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        _event(**organization)
