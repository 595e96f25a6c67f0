"""Domain events: names, subjects and payloads the outbox and consumers rely on."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from types import ModuleType

import pytest

from ses_core.events import DomainEvent
from ses_core.models import complaint_events, enrollment_events

REQUIRED_COMPLAINT_EVENTS = [
    "ComplaintCreated",
    "ComplaintClosed",
    "ComplaintCanceled",
    "ComplaintReferred",
    "ReferralDecided",
    "InformationRequestSent",
    "DueDateExtended",
    "InformationRequestCanceled",
    "ReminderSent",
    "ResponseSentBack",
    "InformationRequestCompleted",
    "CompanyPocAssigned",
    "ContributorAdded",
    "ResponseDrafted",
    "ResponseSubmitted",
    "SendBackRequested",
    "InteractionPosted",
]
REQUIRED_ENROLLMENT_EVENTS = [
    "EnrollmentInitiated",
    "EnrollmentCompleted",
    "EnrollmentExpired",
    "EnrollmentReminderSent",
]


def _concrete_events(module: ModuleType, base: type[DomainEvent]) -> list[type[DomainEvent]]:
    classes = [getattr(module, name) for name in module.__all__]
    return [c for c in classes if issubclass(c, base) and not c.__subclasses__()]


@pytest.mark.parametrize("name", REQUIRED_COMPLAINT_EVENTS)
def test_complaint_events_have_the_agreed_names_and_subjects(name: str) -> None:
    event_type = getattr(complaint_events, name)
    assert issubclass(event_type, DomainEvent)
    assert event_type.context == "complaints"
    assert event_type.subject().startswith("ses.complaints.v1.")


@pytest.mark.parametrize("name", REQUIRED_ENROLLMENT_EVENTS)
def test_enrollment_events_have_the_agreed_names_and_subjects(name: str) -> None:
    event_type = getattr(enrollment_events, name)
    assert issubclass(event_type, DomainEvent)
    assert event_type.subject().startswith("ses.enrollment.v1.")


def test_subjects_are_snake_case_of_the_past_tense_name() -> None:
    assert complaint_events.DueDateExtended.subject() == "ses.complaints.v1.due_date_extended"
    assert (
        complaint_events.InformationRequestSent.subject()
        == "ses.complaints.v1.information_request_sent"
    )


def test_every_event_subject_is_unique() -> None:
    events = _concrete_events(complaint_events, complaint_events.ComplaintEvent) + (
        _concrete_events(enrollment_events, enrollment_events.EnrollmentEvent)
    )
    subjects = [event.subject() for event in events]
    assert len(subjects) == len(set(subjects)) > 25


def test_events_are_frozen_and_serialise_to_json() -> None:
    event = complaint_events.ResponseSentBack(
        tenant_id="agency-ny",
        complaint_id="c-1",
        company_id="company-42",
        information_request_id="ir-1",
        actor_id="manager-1",
        occurred_at=datetime(2025, 5, 1, 14, 0, tzinfo=UTC),
        reason="Add the ledger.",
        due_date=date(2025, 5, 30),
    )
    payload = json.loads(json.dumps(event.payload()))
    assert payload["due_date"] == "2025-05-30"
    assert payload["information_request_id"] == "ir-1"
    with pytest.raises(ValueError, match="frozen"):
        event.reason = "changed"  # type: ignore[misc]
