"""Company enrollment: invitation, activation, completion, expiry, re-invitation, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ses_core.errors import InvalidTransition, PreconditionFailed, Unauthenticated, ValidationFailed
from ses_core.lifecycle import EnrollmentStatus
from ses_core.models import CompanyEnrollment
from ses_core.models import enrollment_events as ev

NOW = datetime(2025, 5, 1, 14, 0, tzinfo=UTC)
EXPIRY = NOW + timedelta(days=14)
AFTER_EXPIRY = EXPIRY + timedelta(minutes=1)


@pytest.fixture
def invited() -> CompanyEnrollment:
    enrollment = CompanyEnrollment.for_company("company-42")
    enrollment.initiate(
        agency_id="agency-ny",
        invited_user_id="first-user",
        token_hash="hash-1",
        expires_at=EXPIRY,
        now=NOW,
        by="manager-1",
    )
    enrollment.pull_events()
    return enrollment


def test_a_company_starts_not_enrolled_without_events() -> None:
    enrollment = CompanyEnrollment.for_company("company-42")
    assert enrollment.status is EnrollmentStatus.NOT_ENROLLED
    assert enrollment.events == []
    assert not enrollment.link_is_valid(NOW)


def test_initiating_invites_the_first_user_and_tells_the_agency() -> None:
    enrollment = CompanyEnrollment.for_company("company-42")
    enrollment.initiate(
        agency_id="agency-ny",
        invited_user_id="first-user",
        token_hash="hash-1",
        expires_at=EXPIRY,
        now=NOW,
        by="manager-1",
    )
    assert enrollment.status is EnrollmentStatus.INVITED
    assert (enrollment.token_hash, enrollment.expires_at, enrollment.invited_at) == (
        "hash-1",
        EXPIRY,
        NOW,
    )
    assert enrollment.link_is_valid(NOW)
    [initiated] = enrollment.pull_events()
    assert isinstance(initiated, ev.EnrollmentInitiated)
    assert initiated.subject() == "ses.enrollment.v1.enrollment_initiated"
    assert (initiated.tenant_id, initiated.company_id, initiated.invited_user_id) == (
        "agency-ny",
        "company-42",
        "first-user",
    )
    assert (initiated.actor_id, initiated.expires_at, initiated.reinvitation) == (
        "manager-1",
        EXPIRY,
        False,
    )
    assert "hash-1" not in initiated.model_dump_json()


def test_initiating_twice_is_refused(invited: CompanyEnrollment) -> None:
    with pytest.raises(InvalidTransition, match="invite a company enrollment that is invited"):
        invited.initiate(
            agency_id="agency-nj",
            invited_user_id="other",
            token_hash="hash-2",
            expires_at=EXPIRY,
            now=NOW,
            by="nj-manager",
        )


def test_an_invitation_needs_an_aware_future_expiry() -> None:
    enrollment = CompanyEnrollment.for_company("company-42")
    with pytest.raises(ValidationFailed, match="expire after the moment"):
        enrollment.initiate(
            agency_id="agency-ny",
            invited_user_id="first-user",
            token_hash="hash-1",
            expires_at=NOW,
            now=NOW,
            by="manager-1",
        )
    with pytest.raises(ValueError, match="timezone-aware"):
        enrollment.initiate(
            agency_id="agency-ny",
            invited_user_id="first-user",
            token_hash="hash-1",
            expires_at=datetime(2025, 6, 1),
            now=NOW,
            by="manager-1",
        )
    assert enrollment.status is EnrollmentStatus.NOT_ENROLLED


def test_the_link_is_redeemed_once(invited: CompanyEnrollment) -> None:
    assert invited.activate("hash-1", NOW + timedelta(days=1)) == "first-user"
    [activated] = invited.pull_events()
    assert isinstance(activated, ev.EnrollmentActivated)
    assert (activated.user_id, activated.actor_id) == ("first-user", "first-user")
    assert not invited.link_is_valid(NOW)
    with pytest.raises(PreconditionFailed, match="already used") as err:
        invited.activate("hash-1", NOW)
    assert err.value.reason == "activation_link_used"


def test_a_wrong_link_is_not_valid(invited: CompanyEnrollment) -> None:
    with pytest.raises(Unauthenticated, match="not valid") as err:
        invited.activate("hash-forged", NOW)
    assert err.value.reason == "activation_link_invalid"
    assert invited.activated_at is None


def test_an_expired_link_cannot_be_redeemed_even_before_the_sweep(
    invited: CompanyEnrollment,
) -> None:
    assert not invited.link_is_valid(EXPIRY)
    with pytest.raises(PreconditionFailed, match="expired; ask the agency"):
        invited.activate("hash-1", EXPIRY)


def test_finishing_needs_activation_and_the_complaints_contact(
    invited: CompanyEnrollment,
) -> None:
    with pytest.raises(PreconditionFailed, match="Activate the account"):
        invited.complete(NOW, by="first-user", complaints_contact_id="contact-1")
    invited.activate("hash-1", NOW)
    with pytest.raises(ValidationFailed, match="SES Complaints Contact"):
        invited.complete(NOW, by="first-user", complaints_contact_id="")
    invited.pull_events()
    invited.complete(NOW, by="first-user", complaints_contact_id=" contact-1 ")
    assert invited.status is EnrollmentStatus.ENROLLED
    assert invited.complaints_contact_id == "contact-1"
    [completed] = invited.pull_events()
    assert isinstance(completed, ev.EnrollmentCompleted)
    assert (completed.user_id, completed.complaints_contact_id) == ("first-user", "contact-1")


def test_an_enrolled_company_is_enrolled_for_good(invited: CompanyEnrollment) -> None:
    invited.activate("hash-1", NOW)
    invited.complete(NOW, by="first-user", complaints_contact_id="contact-1")
    with pytest.raises(InvalidTransition, match="enrolled is final"):
        invited.send_reminder(NOW, by="manager-1")
    with pytest.raises(InvalidTransition, match="enrolled is final"):
        invited.expire(AFTER_EXPIRY)


def test_an_unused_link_expires_after_its_lifetime(invited: CompanyEnrollment) -> None:
    with pytest.raises(PreconditionFailed, match="still valid"):
        invited.expire(NOW)
    invited.expire(AFTER_EXPIRY)
    assert invited.status is EnrollmentStatus.EXPIRED
    assert invited.token_hash is None
    [expired] = invited.pull_events()
    assert isinstance(expired, ev.EnrollmentExpired)
    assert (expired.invited_user_id, expired.actor_id) == ("first-user", "")


def test_an_activated_enrollment_does_not_expire(invited: CompanyEnrollment) -> None:
    invited.activate("hash-1", NOW)
    with pytest.raises(PreconditionFailed, match="already activated"):
        invited.expire(AFTER_EXPIRY)


def test_re_inviting_after_expiry_issues_a_new_link(invited: CompanyEnrollment) -> None:
    with pytest.raises(InvalidTransition, match="reinvite"):
        invited.reinvite(token_hash="hash-2", expires_at=AFTER_EXPIRY, now=NOW, by="manager-1")
    invited.expire(AFTER_EXPIRY)
    invited.pull_events()
    new_expiry = AFTER_EXPIRY + timedelta(days=14)
    invited.reinvite(
        token_hash="hash-2",
        expires_at=new_expiry,
        now=AFTER_EXPIRY,
        by="nj-manager",
        agency_id="agency-nj",
        invited_user_id="second-user",
    )
    assert invited.status is EnrollmentStatus.INVITED
    assert (invited.agency_id, invited.invited_user_id, invited.expired_at) == (
        "agency-nj",
        "second-user",
        None,
    )
    [initiated] = invited.pull_events()
    assert isinstance(initiated, ev.EnrollmentInitiated)
    assert (initiated.tenant_id, initiated.reinvitation) == ("agency-nj", True)
    assert invited.activate("hash-2", AFTER_EXPIRY) == "second-user"


def test_re_inviting_keeps_the_agency_and_user_unless_told_otherwise(
    invited: CompanyEnrollment,
) -> None:
    invited.expire(AFTER_EXPIRY)
    invited.reinvite(
        token_hash="hash-2",
        expires_at=AFTER_EXPIRY + timedelta(days=1),
        now=AFTER_EXPIRY,
        by="manager-1",
    )
    assert (invited.agency_id, invited.invited_user_id) == ("agency-ny", "first-user")


def test_reminders_are_recorded_and_may_reissue_the_link(invited: CompanyEnrollment) -> None:
    invited.send_reminder(NOW, by="manager-1")
    later = NOW + timedelta(days=2)
    invited.send_reminder(later, by="manager-1", token_hash="hash-2")
    assert invited.reminders_sent_at == [NOW, later]
    assert (invited.token_hash, invited.expires_at) == ("hash-2", EXPIRY)
    first, second = invited.pull_events()
    assert isinstance(first, ev.EnrollmentReminderSent)
    assert isinstance(second, ev.EnrollmentReminderSent)
    assert (first.link_reissued, second.link_reissued) == (False, True)
    with pytest.raises(Unauthenticated):
        invited.activate("hash-1", later)
    assert invited.activate("hash-2", later) == "first-user"


def test_a_reissued_link_needs_a_future_expiry_and_an_unused_enrollment(
    invited: CompanyEnrollment,
) -> None:
    with pytest.raises(ValidationFailed, match="expiry after now"):
        invited.send_reminder(NOW, by="manager-1", token_hash="hash-2", expires_at=NOW)
    with pytest.raises(ValidationFailed, match="token hash"):
        invited.send_reminder(NOW, by="manager-1", token_hash="")
    invited.activate("hash-1", NOW)
    with pytest.raises(PreconditionFailed, match="not needed"):
        invited.send_reminder(NOW, by="manager-1", token_hash="hash-3")
    assert invited.token_hash == "hash-1"
    assert invited.reminders_sent_at == []


def test_reminders_wait_for_a_re_invite_once_expired(invited: CompanyEnrollment) -> None:
    invited.expire(AFTER_EXPIRY)
    with pytest.raises(InvalidTransition, match="from expired you can: reinvite"):
        invited.send_reminder(AFTER_EXPIRY, by="manager-1")
