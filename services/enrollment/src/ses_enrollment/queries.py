"""Read-only queries that look across scopes (searches, uniqueness checks, the expiry sweep).

Repositories are bound to one scope, which is right for changing data; these questions
are about all agencies or all companies at once, so they are asked here, read-only. What
they return is never written back: a handler that wants to change a result loads it
through its repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from ses_core.accounts import Company, CompanyAccount, CompanyKind, CompanyQuery, CompanyQueryKind
from ses_core.lifecycle.enrollment import EnrollmentStatus
from ses_core.models import CompanyEnrollment
from ses_enrollment import tables


@dataclass(frozen=True)
class CompanyFilter:
    query: CompanyQuery
    kind: CompanyKind | None = None
    status: EnrollmentStatus | None = None


@dataclass(frozen=True)
class AgencyName:
    agency_id: str
    code: str
    name: str


class Lookups:
    def __init__(self, session: Session) -> None:
        self._session = session

    # -- agencies ------------------------------------------------------------------------

    def agency_with_code(self, code: str) -> AgencyName | None:
        table = tables.agencies
        statement = select(table.c.id, table.c.code, table.c.name).where(table.c.code == code)
        row = self._session.execute(statement).first()
        return None if row is None else AgencyName(*row)

    def any_agency(self) -> bool:
        return bool(self._session.execute(select(exists().select_from(tables.agencies))).scalar())

    # -- the directory -------------------------------------------------------------------

    def search_companies(
        self, criteria: CompanyFilter, *, after_number: int, limit: int
    ) -> list[tuple[Company, CompanyEnrollment | None]]:
        """Companies matching ``criteria`` numbered after ``after_number``, in number order."""
        companies, enrollments = tables.companies, tables.enrollments
        statement = (
            select(companies.c.document, enrollments.c.document)
            .select_from(companies.outerjoin(enrollments, enrollments.c.id == companies.c.id))
            .where(companies.c.number > after_number, *_conditions(criteria))
            .order_by(companies.c.number)
            .limit(limit)
        )
        return [
            (
                Company.model_validate(company),
                None if enrollment is None else CompanyEnrollment.model_validate(enrollment),
            )
            for company, enrollment in self._session.execute(statement)
        ]

    def accounts_of(self, company_ids: list[str]) -> dict[str, CompanyAccount]:
        if not company_ids:
            return {}
        table = tables.company_accounts
        statement = select(table.c.document).where(table.c.id.in_(company_ids))
        accounts = [
            CompanyAccount.model_validate(row) for (row,) in self._session.execute(statement)
        ]
        return {account.company_id: account for account in accounts}

    def count_companies(self) -> int:
        return int(
            self._session.execute(select(func.count()).select_from(tables.companies)).scalar_one()
        )

    # -- enrollments ---------------------------------------------------------------------

    def expired_invitations(self, now: datetime, limit: int = 100) -> list[str]:
        """Companies whose invitation ran out unused: the expiry sweep's work list."""
        table = tables.enrollments
        statement = (
            select(table.c.id)
            .where(
                table.c.status == EnrollmentStatus.INVITED.value,
                table.c.activated.is_(False),
                table.c.expires_at <= now,
            )
            .order_by(table.c.expires_at)
            .limit(limit)
        )
        return list(self._session.execute(statement).scalars())


def _conditions(criteria: CompanyFilter) -> list[ColumnElement[bool]]:
    companies, enrollments = tables.companies, tables.enrollments
    query = criteria.query
    conditions: list[ColumnElement[bool]] = []
    if query.kind is CompanyQueryKind.SES_COMPANY_ID:
        conditions.append(companies.c.id == query.value)
    elif query.kind is CompanyQueryKind.NMLS_ID:
        conditions.append(companies.c.nmls_id == query.value)
    elif query.kind is CompanyQueryKind.NAME:
        conditions.extend(
            companies.c.search_text.contains(term, autoescape=True) for term in query.terms
        )
    if criteria.kind is not None:
        conditions.append(companies.c.kind == criteria.kind.value)
    if criteria.status is EnrollmentStatus.NOT_ENROLLED:
        conditions.append(
            or_(enrollments.c.id.is_(None), enrollments.c.status == criteria.status.value)
        )
    elif criteria.status is not None:
        conditions.append(and_(enrollments.c.status == criteria.status.value))
    return conditions
