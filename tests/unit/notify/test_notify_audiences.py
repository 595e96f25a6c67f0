"""Who receives each notification: the audience rules of ses_core.notifications."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from ses_core.identity import Side
from ses_core.notifications import (
    AUDIENCE_SIDES,
    TOPIC_AUDIENCES,
    Audience,
    AudienceFacts,
    CompanyContacts,
    ComplaintParties,
    Topic,
    company_responder,
    resolve_recipients,
)


class Directory:
    def __init__(self) -> None:
        self.supervisors = {"agency-1": ["sup-1", "sup-2"], "agency-2": ["sup-other"]}
        self.people = ["sup-1", "sup-2", "mgr", "contact", "poc", "helper", "viewer"]

    def supervisors_of(self, agency_id: str) -> Sequence[str]:
        return self.supervisors.get(agency_id, [])

    def everyone(self) -> Sequence[str]:
        return self.people


PARTIES = ComplaintParties(
    complaint_id="c-1",
    tenant_id="agency-1",
    company_id="company-1",
    agency_poc_id="mgr",
    company_poc_id="poc",
    contributor_ids=("helper",),
    information_requests_sent=True,
)
CONTACTS = CompanyContacts("company-1", "contact", ("intake@acme.example.org",))


def _facts(**overrides: object) -> AudienceFacts:
    values: dict[str, object] = {"parties": PARTIES, "contacts": CONTACTS, **overrides}
    return AudienceFacts(**values)  # type: ignore[arg-type]


def test_every_topic_has_an_audience_rule() -> None:
    assert set(TOPIC_AUDIENCES) == set(Topic)


@pytest.mark.parametrize(
    ("topic", "users"),
    [
        (Topic.RESPONSE_SUBMITTED, ("mgr", "sup-1", "sup-2")),
        (Topic.SEND_BACK_REQUESTED, ("mgr", "sup-1", "sup-2")),
        (Topic.INFORMATION_REQUEST_REMINDER, ("poc",)),
        (Topic.DUE_DATE_CHANGED, ("poc",)),
        (Topic.RESPONSE_SENT_BACK, ("poc",)),
        (Topic.COMPLAINT_CLOSED, ("contact", "poc", "helper")),
        (Topic.INFORMATION_REQUEST_OVERDUE, ("poc", "mgr", "sup-1", "sup-2")),
        (Topic.INFORMATION_REQUESTS_SENT, ("contact", "poc")),
        (Topic.DRAFT_SENT_TO_POC, ("poc",)),
    ],
)
def test_complaint_topics_reach_their_people(topic: Topic, users: tuple[str, ...]) -> None:
    assert resolve_recipients(topic, _facts(), Directory()).user_ids == users


def test_new_irs_also_reach_the_company_additional_addresses() -> None:
    recipients = resolve_recipients(Topic.INFORMATION_REQUESTS_SENT, _facts(), Directory())
    assert recipients.company_addresses == ("intake@acme.example.org",)
    assert recipients.company_id == "company-1"
    assert resolve_recipients(Topic.COMPLAINT_CLOSED, _facts(), Directory()).company_addresses == ()


def test_the_complaints_contact_answers_while_there_is_no_poc() -> None:
    no_poc = ComplaintParties(
        "c-1", "agency-1", "company-1", agency_poc_id="mgr", information_requests_sent=True
    )
    assert company_responder(no_poc, CONTACTS) == "contact"
    assert company_responder(no_poc, None) is None
    facts = _facts(parties=no_poc)
    assert resolve_recipients(Topic.DUE_DATE_CHANGED, facts, Directory()).user_ids == ("contact",)


def test_cancellation_reaches_the_company_only_once_irs_were_sent() -> None:
    unsent = ComplaintParties("c-1", "agency-1", "company-1", company_poc_id="poc")
    assert not resolve_recipients(Topic.COMPLAINT_CANCELED, _facts(parties=unsent), Directory())
    sent = resolve_recipients(Topic.COMPLAINT_CANCELED, _facts(), Directory())
    assert sent.user_ids == ("contact", "poc", "helper")


def test_nobody_is_told_what_they_did_themselves_except_their_activation() -> None:
    facts = _facts(actor_id="poc")
    assert "poc" not in resolve_recipients(Topic.COMPLAINT_CLOSED, facts, Directory()).user_ids
    own = AudienceFacts(actor_id="new-user", named_user_ids=("new-user",))
    assert resolve_recipients(Topic.ACCOUNT_ACTIVATION, own, Directory()).user_ids == ("new-user",)


def test_enrollment_completion_reaches_the_initiator_and_the_supervisors_once_each() -> None:
    facts = AudienceFacts(enrollment_initiator_id="sup-1", enrollment_agency_id="agency-1")
    recipients = resolve_recipients(Topic.ENROLLMENT_COMPLETED, facts, Directory())
    assert recipients.user_ids == ("sup-1", "sup-2")


def test_maintenance_reaches_everyone() -> None:
    recipients = resolve_recipients(Topic.MAINTENANCE_SCHEDULED, AudienceFacts(), Directory())
    assert recipients.user_ids == tuple(Directory().people)


def test_a_complaint_topic_without_a_known_complaint_reaches_nobody() -> None:
    facts = AudienceFacts(contacts=CONTACTS)
    assert not resolve_recipients(Topic.RESPONSE_SUBMITTED, facts, Directory())


def test_additional_addresses_are_deduplicated_ignoring_case() -> None:
    contacts = CompanyContacts("company-1", None, ("A@acme.example.org", "a@acme.example.org"))
    recipients = resolve_recipients(
        Topic.INFORMATION_REQUESTS_SENT, _facts(contacts=contacts), Directory()
    )
    assert recipients.company_addresses == ("A@acme.example.org",)


def test_a_company_that_has_not_finished_enrollment_is_told_nothing_about_complaints() -> None:
    unenrolled = CompanyContacts(
        "company-1", "contact", ("intake@acme.example.org",), enrolled=False
    )
    for topic in (
        Topic.INFORMATION_REQUESTS_SENT,
        Topic.INFORMATION_REQUEST_CANCELED,
        Topic.DUE_DATE_CHANGED,
        Topic.COMPLAINT_CLOSED,
        Topic.INTERACTION_POSTED,
    ):
        recipients = resolve_recipients(topic, _facts(contacts=unenrolled), Directory())
        assert not set(recipients.user_ids) & {"contact", "poc", "helper"}, topic
        assert recipients.company_addresses == (), topic
    # The agency's share of an overdue IR does not wait for the company.
    overdue = resolve_recipients(
        Topic.INFORMATION_REQUEST_OVERDUE, _facts(contacts=unenrolled), Directory()
    )
    assert overdue.user_ids == ("mgr", "sup-1", "sup-2")


def test_the_company_hears_of_a_closure_only_once_irs_were_sent() -> None:
    unsent = ComplaintParties("c-1", "agency-1", "company-1", agency_poc_id="mgr")
    assert not resolve_recipients(Topic.COMPLAINT_CLOSED, _facts(parties=unsent), Directory())


@pytest.mark.parametrize(
    ("to_side", "users"),
    [(Side.COMPANY, ("poc",)), (Side.AGENCY, ("mgr", "sup-1", "sup-2"))],
)
def test_an_interaction_reaches_only_the_side_that_did_not_post_it(
    to_side: Side, users: tuple[str, ...]
) -> None:
    facts = _facts(to_side=to_side)
    assert resolve_recipients(Topic.INTERACTION_POSTED, facts, Directory()).user_ids == users


def test_an_agency_message_reaches_the_contact_while_there_is_no_poc_and_not_the_author() -> None:
    no_poc = ComplaintParties(
        "c-1", "agency-1", "company-1", agency_poc_id="mgr", information_requests_sent=True
    )
    to_company = _facts(parties=no_poc, to_side=Side.COMPANY, actor_id="mgr")
    assert resolve_recipients(Topic.INTERACTION_POSTED, to_company, Directory()).user_ids == (
        "contact",
    )
    to_agency = _facts(to_side=Side.AGENCY, actor_id="poc")
    assert (
        "poc" not in resolve_recipients(Topic.INTERACTION_POSTED, to_agency, Directory()).user_ids
    )
    unsent = ComplaintParties("c-1", "agency-1", "company-1", company_poc_id="poc")
    before_irs = _facts(parties=unsent, to_side=Side.COMPANY)
    assert not resolve_recipients(Topic.INTERACTION_POSTED, before_irs, Directory())


def test_every_audience_but_named_users_and_everyone_is_on_one_side() -> None:
    assert set(Audience) - set(AUDIENCE_SIDES) == {Audience.NAMED_USERS, Audience.EVERYONE}
