"""Notify's own picture of people, companies and complaints, kept from their events.

Only what recipient resolution and rendering need: who a user is and how to reach
them, who a company's SES Complaints Contact is and whether it finished enrollment,
who is on a complaint and its reference number, and the state and due date of each
information request (and whether it waits for the company's enrollment to be
announced). Updates are
idempotent (upserts), so replaying history converges to the same picture.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from ses_core.identity import AgencyRole, Side
from ses_core.lifecycle import ComplaintStatus
from ses_core.lifecycle.information_request import InformationRequestStatus
from ses_core.notifications import CompanyContacts, ComplaintParties, Organization, OrganizationKind
from ses_notify import tables as t
from ses_notify.sql import insert_if_absent, upsert

# IR states in which the company owes an answer (reminders apply).
AWAITING_RESPONSE = frozenset(
    {InformationRequestStatus.SENT_TO_COMPANY.value, InformationRequestStatus.SENT_BACK.value}
)
# IR states in which the request is still open: neither canceled nor completed.
OPEN_REQUEST = AWAITING_RESPONSE | {InformationRequestStatus.RESPONSE_RECEIVED.value}
FINAL_COMPLAINT = frozenset({ComplaintStatus.CLOSED.value, ComplaintStatus.CANCELED.value})


@dataclass(frozen=True)
class Person:
    user_id: str
    organization: Organization
    email: str
    given_name: str
    family_name: str
    agency_role: str | None
    active: bool

    @property
    def side(self) -> Side:
        return Side.COMPANY if self.organization.kind is OrganizationKind.COMPANY else Side.AGENCY

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part) or self.email


@dataclass(frozen=True)
class InformationRequestView:
    information_request_id: str
    complaint_id: str
    tenant_id: str
    state: str
    due_date: date | None
    restricted_response: bool
    sent_event_id: str | None = None


class Projection:
    def __init__(self, session: Session) -> None:
        self._session = session

    # -- people ------------------------------------------------------------------------------

    def save_user(self, values: dict[str, Any]) -> None:
        upsert(self._session, t.users, values, keys=("user_id",))

    def update_user(self, user_id: str, **changes: Any) -> None:
        self._session.execute(update(t.users).where(t.users.c.user_id == user_id).values(changes))

    def person(self, user_id: str) -> Person | None:
        row = self._one(select(t.users).where(t.users.c.user_id == user_id))
        return None if row is None else _person(row)

    def people(self, user_ids: Iterable[str]) -> dict[str, Person]:
        wanted = list(dict.fromkeys(user_ids))
        if not wanted:
            return {}
        rows = self._session.execute(select(t.users).where(t.users.c.user_id.in_(wanted)))
        return {row["user_id"]: _person(row) for row in rows.mappings()}

    def supervisors_of(self, agency_id: str) -> Sequence[str]:
        users = t.users
        statement = (
            select(users.c.user_id)
            .where(
                users.c.organization_kind == OrganizationKind.AGENCY.value,
                users.c.organization_id == agency_id,
                users.c.agency_role == AgencyRole.COMPLAINT_SUPERVISOR.value,
                users.c.active.is_(True),
            )
            .order_by(users.c.user_id)
        )
        return list(self._session.execute(statement).scalars())

    def everyone(self) -> Sequence[str]:
        statement = (
            select(t.users.c.user_id).where(t.users.c.active.is_(True)).order_by(t.users.c.user_id)
        )
        return list(self._session.execute(statement).scalars())

    # -- organisations -----------------------------------------------------------------------

    def save_agency(self, agency_id: str, code: str, name: str) -> None:
        values = {"agency_id": agency_id, "code": code, "name": name}
        upsert(self._session, t.agencies, values, keys=("agency_id",))

    def agency_name(self, agency_id: str) -> str:
        name = self._session.execute(
            select(t.agencies.c.name).where(t.agencies.c.agency_id == agency_id)
        ).scalar()
        return name or agency_id

    def save_company(self, company_id: str, **values: Any) -> None:
        upsert(self._session, t.companies, {"company_id": company_id, **values}, ("company_id",))

    def company_name(self, company_id: str) -> str:
        name = self._session.execute(
            select(t.companies.c.legal_name).where(t.companies.c.company_id == company_id)
        ).scalar()
        return name or company_id

    def contacts(self, company_id: str, additional_addresses: Sequence[str]) -> CompanyContacts:
        row = self._company_reach(company_id)
        return CompanyContacts(
            company_id,
            (row["complaints_contact_id"] or None) if row else None,
            tuple(additional_addresses),
            enrolled=bool(row and row["enrolled"]),
        )

    def company_reachable(self, company_id: str) -> bool:
        """Whether someone at the company can be told of a new IR: enrolled, with a contact."""
        row = self._company_reach(company_id)
        return bool(row and row["enrolled"] and row["complaints_contact_id"])

    def _company_reach(self, company_id: str) -> RowMapping | None:
        companies = t.companies
        return self._one(
            select(companies.c.complaints_contact_id, companies.c.enrolled).where(
                companies.c.company_id == company_id
            )
        )

    # -- enrollment --------------------------------------------------------------------------

    def save_enrollment(self, company_id: str, **values: Any) -> None:
        upsert(self._session, t.enrollments, {"company_id": company_id, **values}, ("company_id",))

    def enrollment(self, company_id: str) -> RowMapping | None:
        return self._one(select(t.enrollments).where(t.enrollments.c.company_id == company_id))

    # -- complaints --------------------------------------------------------------------------

    def ensure_complaint(self, complaint_id: str, tenant_id: str, company_id: str) -> None:
        """Know the complaint (events name its owner and company), without changing it."""
        values = {
            "complaint_id": complaint_id,
            "tenant_id": tenant_id,
            "company_id": company_id,
            "contributor_ids": [],
        }
        insert_if_absent(self._session, t.complaints, values)

    def update_complaint(self, complaint_id: str, **values: Any) -> None:
        table = t.complaints
        self._session.execute(
            update(table).where(table.c.complaint_id == complaint_id).values(values)
        )

    def reference_number(self, complaint_id: str) -> str | None:
        """The complaint's reference number, once an event carried it."""
        table = t.complaints
        statement = select(table.c.reference_number).where(table.c.complaint_id == complaint_id)
        return self._session.execute(statement).scalar() or None

    def complaint_row(self, complaint_id: str) -> RowMapping | None:
        return self._one(select(t.complaints).where(t.complaints.c.complaint_id == complaint_id))

    def parties(self, complaint_id: str) -> ComplaintParties | None:
        row = self.complaint_row(complaint_id)
        if row is None:
            return None
        return ComplaintParties(
            complaint_id=complaint_id,
            tenant_id=row["tenant_id"],
            company_id=row["company_id"],
            agency_poc_id=row["agency_poc_id"],
            company_poc_id=row["company_poc_id"],
            contributor_ids=tuple(row["contributor_ids"] or ()),
            information_requests_sent=bool(row["information_requests_sent"]),
        )

    def add_contributor(self, complaint_id: str, contributor_id: str) -> None:
        row = self.complaint_row(complaint_id)
        if row is None:
            return
        contributors = list(row["contributor_ids"] or [])
        if contributor_id not in contributors:
            contributors.append(contributor_id)
            self.update_complaint(complaint_id, contributor_ids=contributors)

    def ensure_information_request(
        self, information_request_id: str, complaint_id: str, tenant_id: str
    ) -> None:
        values = {
            "information_request_id": information_request_id,
            "complaint_id": complaint_id,
            "tenant_id": tenant_id,
            "state": InformationRequestStatus.DRAFT.value,
        }
        insert_if_absent(self._session, t.information_requests, values)

    def update_information_request(self, information_request_id: str, **values: Any) -> None:
        table = t.information_requests
        self._session.execute(
            update(table)
            .where(table.c.information_request_id == information_request_id)
            .values(values)
        )

    def information_request(self, information_request_id: str) -> InformationRequestView | None:
        table = t.information_requests
        row = self._one(
            select(table).where(table.c.information_request_id == information_request_id)
        )
        return None if row is None else _information_request(row)

    def release_held_information_requests(self, company_id: str) -> list[InformationRequestView]:
        """End the hold on the company's IRs sent before it could be told; returns the open ones.

        Open: the request is neither canceled nor completed, and its complaint is neither
        closed nor canceled. The others are released silently.
        """
        requests, complaints = t.information_requests, t.complaints
        held = (
            select(requests, complaints.c.status.label("complaint_status"))
            .join(complaints, complaints.c.complaint_id == requests.c.complaint_id)
            .where(complaints.c.company_id == company_id, requests.c.awaiting_enrollment.is_(True))
            .order_by(requests.c.complaint_id, requests.c.information_request_id)
        )
        rows = list(self._session.execute(held).mappings())
        if not rows:
            return []
        self._session.execute(
            update(requests)
            .where(
                requests.c.information_request_id.in_([r["information_request_id"] for r in rows])
            )
            .values(awaiting_enrollment=False)
        )
        return [
            _information_request(row)
            for row in rows
            if row["state"] in OPEN_REQUEST and row["complaint_status"] not in FINAL_COMPLAINT
        ]

    def close_information_requests(self, complaint_id: str, state: str) -> None:
        table = t.information_requests
        self._session.execute(
            update(table)
            .where(table.c.complaint_id == complaint_id, table.c.state.in_(AWAITING_RESPONSE))
            .values(state=state)
        )

    def information_requests_awaiting_response(
        self, due_on_or_before: date
    ) -> list[InformationRequestView]:
        table = t.information_requests
        statement = (
            select(table)
            .where(table.c.state.in_(AWAITING_RESPONSE), table.c.due_date <= due_on_or_before)
            .order_by(table.c.due_date, table.c.information_request_id)
        )
        return [_information_request(row) for row in self._session.execute(statement).mappings()]

    def _one(self, statement: Any) -> RowMapping | None:
        return self._session.execute(statement).mappings().first()


def _person(row: RowMapping) -> Person:
    return Person(
        user_id=row["user_id"],
        organization=Organization(
            OrganizationKind(row["organization_kind"]), row["organization_id"]
        ),
        email=row["email"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        agency_role=row["agency_role"],
        active=bool(row["active"]),
    )


def _information_request(row: RowMapping) -> InformationRequestView:
    return InformationRequestView(
        information_request_id=row["information_request_id"],
        complaint_id=row["complaint_id"],
        tenant_id=row["tenant_id"],
        state=row["state"],
        due_date=row["due_date"],
        restricted_response=bool(row["restricted_response"]),
        sent_event_id=row["sent_event_id"],
    )
