"""Who receives a notification: one audience rule per topic (DESIGN §1, §4).

The notify service keeps its own projection of users, company contacts and
complaint participants; it hands the relevant slice to :func:`resolve_recipients`
and gets back user ids (plus the company's additional addresses, which belong
to no user). Choices where the spec is silent:

* Agency notifications about a complaint go to its Agency POC and to every
  Complaint Supervisor of the owning agency ("receives all notifications of the
  agency"); each person's preferences then pick the channels.
* Enrollment completed goes to the agency user who initiated the enrollment and
  the supervisors of that agency.
* New IRs go to the SES Complaints Contact and the company's additional
  notification addresses (the contact has the assign-POC task), and also to the
  Company POC once one is assigned.
* Company reminders, due-date changes, IR cancellations and send-backs go to the
  Company POC, or to the Complaints Contact while there is no POC.
* Closure and cancellation go to everyone on the company side of the complaint
  (contact, POC, contributors).
* The company side hears about a complaint only once it can see it (DESIGN §5):
  the company has finished enrollment (:attr:`CompanyContacts.enrolled`) and an
  IR was sent on the complaint (:attr:`ComplaintParties.information_requests_sent`).
  Before that nobody at the company is told anything about it, not even about a
  closure or a cancellation; IRs sent before enrollment are announced when it
  completes (the notify service holds them until then).
* An interaction (a message on the Interactions tab) is news for the side that
  did not post it: :attr:`AudienceFacts.to_side` keeps only that side's audiences.
  An agency message reaches the Company POC (the Complaints Contact while there is
  none); a company message reaches the Agency POC and the agency's supervisors.
* An overdue IR is also the agency's business: it goes to the agency team too.
* Nobody is told about what they just did themselves, except for the account
  activation e-mail, which is the only way into a new account.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from ses_core.identity import Side
from ses_core.notifications._topics import MANDATORY_TOPICS, Topic
from ses_core.permissions import complaint_reaches_company


class Audience(StrEnum):
    NAMED_USERS = "named_users"
    AGENCY_TEAM = "agency_team"
    ENROLLMENT_AGENCY = "enrollment_agency"
    COMPANY_INTAKE = "company_intake"
    COMPANY_POC = "company_poc"
    COMPANY_RESPONDER = "company_responder"
    COMPANY_PARTICIPANTS = "company_participants"
    EVERYONE = "everyone"


A = Audience

# Which side of a complaint each audience is on; the others (named users, everyone) are
# on no side and always kept.
AUDIENCE_SIDES: Mapping[Audience, Side] = MappingProxyType(
    {
        A.AGENCY_TEAM: Side.AGENCY,
        A.ENROLLMENT_AGENCY: Side.AGENCY,
        A.COMPANY_INTAKE: Side.COMPANY,
        A.COMPANY_POC: Side.COMPANY,
        A.COMPANY_RESPONDER: Side.COMPANY,
        A.COMPANY_PARTICIPANTS: Side.COMPANY,
    }
)
TOPIC_AUDIENCES: Mapping[Topic, tuple[Audience, ...]] = MappingProxyType(
    {
        Topic.ACCOUNT_ACTIVATION: (A.NAMED_USERS,),
        Topic.ENROLLMENT_COMPLETED: (A.ENROLLMENT_AGENCY,),
        Topic.ENROLLMENT_REMINDER: (A.NAMED_USERS,),
        Topic.INFORMATION_REQUESTS_SENT: (A.COMPANY_INTAKE, A.COMPANY_POC),
        Topic.COMPANY_POC_ASSIGNED: (A.NAMED_USERS,),
        Topic.CONTRIBUTOR_ADDED: (A.NAMED_USERS,),
        Topic.INFORMATION_REQUEST_REMINDER: (A.COMPANY_RESPONDER,),
        Topic.DUE_DATE_CHANGED: (A.COMPANY_RESPONDER,),
        Topic.INFORMATION_REQUEST_CANCELED: (A.COMPANY_RESPONDER,),
        Topic.RESPONSE_SUBMITTED: (A.AGENCY_TEAM,),
        Topic.SEND_BACK_REQUESTED: (A.AGENCY_TEAM,),
        Topic.RESPONSE_SENT_BACK: (A.COMPANY_RESPONDER,),
        Topic.COMPLAINT_CLOSED: (A.COMPANY_PARTICIPANTS,),
        Topic.COMPLAINT_CANCELED: (A.COMPANY_PARTICIPANTS,),
        Topic.MAINTENANCE_SCHEDULED: (A.EVERYONE,),
        Topic.INFORMATION_REQUEST_DUE_SOON: (A.COMPANY_RESPONDER,),
        Topic.INFORMATION_REQUEST_OVERDUE: (A.COMPANY_RESPONDER, A.AGENCY_TEAM),
        Topic.DRAFT_SENT_TO_POC: (A.COMPANY_POC,),
        Topic.INTERACTION_POSTED: (A.AGENCY_TEAM, A.COMPANY_RESPONDER),
        Topic.REFERRAL: (A.AGENCY_TEAM,),
    }
)


@dataclass(frozen=True)
class ComplaintParties:
    """The people of one complaint, as the notify projection knows them."""

    complaint_id: str
    tenant_id: str
    company_id: str
    agency_poc_id: str | None = None
    company_poc_id: str | None = None
    contributor_ids: tuple[str, ...] = ()
    information_requests_sent: bool = False


@dataclass(frozen=True)
class CompanyContacts:
    company_id: str
    complaints_contact_id: str | None = None
    additional_addresses: tuple[str, ...] = ()
    # False until the company finishes enrollment: it cannot see its complaints yet.
    enrolled: bool = True


@dataclass(frozen=True)
class AudienceFacts:
    """What the event and the projection say about who is involved."""

    actor_id: str = ""
    named_user_ids: tuple[str, ...] = ()
    parties: ComplaintParties | None = None
    contacts: CompanyContacts | None = None
    enrollment_initiator_id: str | None = None
    enrollment_agency_id: str | None = None
    # Only the audiences on this side are told (None: every audience of the topic).
    to_side: Side | None = None


class Directory(Protocol):
    """Lookups over every known, active user."""

    def supervisors_of(self, agency_id: str) -> Sequence[str]: ...

    def everyone(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Recipients:
    user_ids: tuple[str, ...] = ()
    # Addresses that belong to no user: a company's additional notification addresses.
    company_addresses: tuple[str, ...] = ()
    company_id: str | None = None

    def __bool__(self) -> bool:
        return bool(self.user_ids or self.company_addresses)


def company_responder(parties: ComplaintParties, contacts: CompanyContacts | None) -> str | None:
    """Who answers for the company: the Company POC, else the SES Complaints Contact."""
    if parties.company_poc_id:
        return parties.company_poc_id
    return contacts.complaints_contact_id if contacts else None


def company_may_hear(facts: AudienceFacts) -> bool:
    """Whether the company can see what the notice is about: enrolled, and sent an IR on it."""
    enrolled = facts.contacts is None or facts.contacts.enrolled
    sent = facts.parties is None or facts.parties.information_requests_sent
    return complaint_reaches_company(information_request_sent=sent, company_enrolled=enrolled)


def resolve_recipients(topic: Topic, facts: AudienceFacts, directory: Directory) -> Recipients:
    """The recipients of a notification about ``topic``, deduplicated in a stable order."""
    users: list[str | None] = []
    addresses: tuple[str, ...] = ()
    for audience in TOPIC_AUDIENCES[topic]:
        side = AUDIENCE_SIDES.get(audience)
        if facts.to_side is not None and side is not None and side is not facts.to_side:
            continue
        if side is Side.COMPANY and not company_may_hear(facts):
            continue
        users.extend(_members(audience, facts, directory))
        if audience is Audience.COMPANY_INTAKE and facts.contacts is not None:
            addresses = facts.contacts.additional_addresses
    skip = set() if topic in MANDATORY_TOPICS else {facts.actor_id}
    company_id = (facts.contacts.company_id if facts.contacts else None) if addresses else None
    return Recipients(
        user_ids=_unique(user for user in users if user and user not in skip),
        company_addresses=_unique(addresses, ignore_case=True),
        company_id=company_id,
    )


def _members(audience: Audience, facts: AudienceFacts, directory: Directory) -> list[str | None]:
    parties, contacts = facts.parties, facts.contacts
    if audience is Audience.NAMED_USERS:
        return list(facts.named_user_ids)
    if audience is Audience.EVERYONE:
        return list(directory.everyone())
    if audience is Audience.ENROLLMENT_AGENCY:
        agency = facts.enrollment_agency_id
        supervisors = directory.supervisors_of(agency) if agency else ()
        return [facts.enrollment_initiator_id, *supervisors]
    if audience is Audience.COMPANY_INTAKE:
        return [contacts.complaints_contact_id if contacts else None]
    if parties is None:
        return []
    if audience is Audience.AGENCY_TEAM:
        return [parties.agency_poc_id, *directory.supervisors_of(parties.tenant_id)]
    if audience is Audience.COMPANY_POC:
        return [parties.company_poc_id]
    if audience is Audience.COMPANY_RESPONDER:
        return [company_responder(parties, contacts)]
    # COMPANY_PARTICIPANTS
    contact = contacts.complaints_contact_id if contacts else None
    return [contact, parties.company_poc_id, *parties.contributor_ids]


def _unique(values: Iterable[str], *, ignore_case: bool = False) -> tuple[str, ...]:
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        marker = value.lower() if ignore_case else value
        if marker not in seen:
            seen.add(marker)
            kept.append(value)
    return tuple(kept)
