"""Templates: every topic renders, HTML is escaped, and only the facts given are shown.

Complaints are named by reference number with a link to the portal, never by their id.
"""

from __future__ import annotations

import pytest

from ses_core.identity import Side
from ses_core.notifications import Reader, Topic, visible_facts
from ses_notify.rendering import Renderer, humanize, long_date

PORTAL = "https://ses.example.gov"
RENDERER = Renderer(PORTAL)
EVERY_FACT = {
    "complaint_reference": "NY-2026-000123",
    "information_request_id": "ir-1",
    "company_name": "Acme Lending",
    "agency_name": "NY Department of Financial Services",
    "organization_name": "Acme Lending",
    "inviting_agency_name": "NY Department of Financial Services",
    "due_date": "2026-03-12",
    "previous_due_date": "2026-03-05",
    "expires_at": "2026-03-10T15:00:00+00:00",
    "starts_at": "2026-03-14T13:00:00+00:00",
    "ends_at": "2026-03-14T17:00:00+00:00",
    "reason": "Sent twice.",
    "note": "Please hurry.",
    "send_back_reason": "Attach the signed letter.",
    "close_reason": "CLOSED_WITH_MONETARY_RELIEF",
    "comments_for_company": "Thank you.",
    "description": "Database upgrade",
    "submission_number": 2,
    "file_count": 3,
    "link_count": 1,
    "restricted": True,
    "assign_poc_task": True,
    "business_days_left": 2,
    "action_url": "https://ses.example.gov/activate#t",
    "action_label": "Activate your account",
}


@pytest.mark.parametrize("topic", list(Topic))
def test_every_topic_renders_a_one_line_title_and_a_body(topic: Topic) -> None:
    notice = RENDERER.render(topic, EVERY_FACT, "Dana Doe")
    assert notice.title
    assert "\n" not in notice.title
    assert notice.body
    assert "{{" not in notice.body
    assert "{%" not in notice.body
    mail = RENDERER.email(notice, "Dana Doe")
    assert mail.text.startswith("Hello Dana Doe,")
    assert notice.title in mail.html


@pytest.mark.parametrize("topic", list(Topic))
def test_every_topic_renders_with_only_the_complaint_reference(topic: Topic) -> None:
    notice = RENDERER.render(topic, {"complaint_reference": "NY-2026-000001"}, "Dana")
    assert notice.title


NOT_ABOUT_A_COMPLAINT = frozenset(
    {
        Topic.ACCOUNT_ACTIVATION,
        Topic.ENROLLMENT_COMPLETED,
        Topic.ENROLLMENT_REMINDER,
        Topic.MAINTENANCE_SCHEDULED,
    }
)
COMPLAINT_TOPICS = [topic for topic in Topic if topic not in NOT_ABOUT_A_COMPLAINT]
COMPLAINT_ID = "0f8e6a52-3d1b-4c8e-9a0e-5b7d2c1e4f60"
IR_ID = "7c1d9e0b-2a4f-4e3b-8d6c-1f0a9b8e7d65"


@pytest.mark.parametrize("topic", COMPLAINT_TOPICS)
def test_every_complaint_notice_names_the_reference_links_to_it_and_never_shows_the_id(
    topic: Topic,
) -> None:
    # The facts a complaint notice carries, plus ids a careless template could print.
    facts = {
        key: value for key, value in EVERY_FACT.items() if key not in ("action_url", "action_label")
    }
    facts = {**facts, "complaint_id": COMPLAINT_ID, "information_request_id": IR_ID}
    link = f"{PORTAL}/complaints/NY-2026-000123"

    notice = RENDERER.render(topic, facts, "Dana Doe")
    mail = RENDERER.email(notice, "Dana Doe")

    assert "NY-2026-000123" in notice.title
    assert "NY-2026-000123" in notice.body
    assert notice.action_url == link
    assert notice.action_label == "Open complaint NY-2026-000123 in SES"
    assert f"Open complaint NY-2026-000123 in SES: {link}" in mail.text
    assert f'href="{link}"' in mail.html
    for shown in (notice.title, notice.body, mail.subject, mail.text, mail.html):
        assert COMPLAINT_ID not in shown
        assert IR_ID not in shown


def test_a_reference_is_made_safe_for_the_link() -> None:
    assert RENDERER.complaint_url("SES-2026/1 x") == f"{PORTAL}/complaints/SES-2026%2F1%20x"
    assert Renderer(f"{PORTAL}/").complaint_url("NY-2026-000001") == (
        f"{PORTAL}/complaints/NY-2026-000001"
    )


def test_html_is_escaped_and_text_is_not() -> None:
    facts = {**EVERY_FACT, "note": "<script>alert(1)</script> & more"}
    notice = RENDERER.render(Topic.INFORMATION_REQUEST_REMINDER, facts, "<b>Dana</b>")
    mail = RENDERER.email(notice, "<b>Dana</b>")
    assert "<script>" not in mail.html
    assert "&lt;script&gt;" in mail.html
    assert "<b>Dana</b>" not in mail.html
    assert "<script>alert(1)</script> & more" in mail.text


def test_a_company_reader_of_a_restricted_send_back_does_not_read_the_reason() -> None:
    facts = visible_facts(Reader(Side.COMPANY), EVERY_FACT, restricted_response=True)
    notice = RENDERER.render(Topic.RESPONSE_SENT_BACK, facts, "Contributor")
    assert "signed letter" not in notice.body
    poc = visible_facts(
        Reader(Side.COMPANY, is_company_poc=True), EVERY_FACT, restricted_response=True
    )
    assert "signed letter" in RENDERER.render(Topic.RESPONSE_SENT_BACK, poc, "POC").body


def test_the_activation_link_is_the_action_of_the_email() -> None:
    notice = RENDERER.render(Topic.ACCOUNT_ACTIVATION, EVERY_FACT, "New User")
    mail = RENDERER.email(notice, "New User")
    assert "Activate your account: https://ses.example.gov/activate#t" in mail.text
    assert 'href="https://ses.example.gov/activate#t"' in mail.html


def test_dates_and_codes_read_like_sentences() -> None:
    assert long_date("2026-03-12") == "Thursday, March 12, 2026"
    assert long_date("2026-03-14T13:00:00+00:00") == "Saturday, March 14, 2026, 9:00 AM EDT"
    assert long_date("soon") == "soon"
    assert humanize("CLOSED_WITH_MONETARY_RELIEF") == "Closed with monetary relief"


def test_an_interaction_notice_names_the_side_that_posted_it_and_not_its_text() -> None:
    facts = {**EVERY_FACT, "attachment_count": 2}
    from_agency = RENDERER.render(Topic.INTERACTION_POSTED, {**facts, "posted_by": "agency"}, "P")
    from_company = RENDERER.render(Topic.INTERACTION_POSTED, {**facts, "posted_by": "company"}, "A")
    assert from_agency.body.startswith("NY Department of Financial Services posted a new message")
    assert from_company.body.startswith("Acme Lending posted a new message")
    assert "2 attached files" in from_agency.body
    assert from_agency.title == "New message on complaint NY-2026-000123"
