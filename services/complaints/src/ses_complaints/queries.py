"""List queries over the index columns, keyset-paginated (never OFFSET).

Complaints are listed newest first, ``(created_at, id)`` descending; information
requests soonest due first, ``(sort_due_date, id)`` ascending. The keyset
condition is written as ``k <= :k AND (k < :k OR id > :id)`` (or the mirror) so
that both databases use the sort key's index range and only re-check the few rows
sharing the boundary value.

Who sees what (``Scope``): an agency lists the complaints it owns, or those other
agencies referred to it and that await its decision; a company lists its own
complaints across every agency, but only those with a sent IR (it learns of a
complaint with the first IR) and only IRs that were sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, exists, false, or_, select, true
from sqlalchemy.engine import RowMapping

from ses_complaints import tables as t
from ses_complaints.directory import Reader
from ses_complaints.paging import Page
from ses_core.errors import ValidationFailed
from ses_core.lifecycle import ComplaintStatus, InformationRequestStatus


@dataclass(frozen=True)
class Scope:
    """Exactly one of ``tenant_id`` (agency) and ``company_id`` (company) is set."""

    tenant_id: str | None = None
    company_id: str | None = None
    referred_to_tenant: bool = False


@dataclass(frozen=True)
class ListFilters:
    statuses: tuple[str, ...] = ()
    company_id: str = ""
    agency_poc_id: str = ""
    company_poc_id: str = ""
    overdue_only: bool = False
    # Inclusive window [today, due_by] of due dates; None means no such filter.
    due_by: date | None = None
    complaint_id: str = ""

    def fingerprint_fields(self) -> dict[str, Any]:
        return {
            "statuses": sorted(self.statuses),
            "company_id": self.company_id,
            "agency_poc_id": self.agency_poc_id,
            "company_poc_id": self.company_poc_id,
            "overdue_only": self.overdue_only,
            "due_by": self.due_by.isoformat() if self.due_by else None,
            "complaint_id": self.complaint_id,
        }


@dataclass(frozen=True)
class Listed:
    rows: list[RowMapping]
    next_key: tuple[Any, ...] | None


_C = t.complaints.c
_I = t.information_requests.c

SUMMARY_COLUMNS = (
    _C.id,
    _C.tenant_id,
    _C.reference_number,
    _C.company_id,
    _C.status,
    _C.complainant_name,
    _C.complainant_restricted,
    _C.received_date,
    _C.agency_poc_id,
    _C.company_poc_id,
    _C.next_due_date,
    _C.created_at,
    _C.updated_at,
)


def list_complaints(
    session: Reader, scope: Scope, filters: ListFilters, page: Page, today: date
) -> Listed:
    statement = select(*SUMMARY_COLUMNS).where(*_complaint_scope(scope))
    if filters.statuses:
        statement = statement.where(_C.status.in_(filters.statuses))
    for column, value in (
        (_C.company_id, filters.company_id),
        (_C.agency_poc_id, filters.agency_poc_id),
        (_C.company_poc_id, filters.company_poc_id),
    ):
        if value:
            statement = statement.where(column == value)
    if filters.overdue_only:
        statement = statement.where(_C.next_due_date < today)
    if filters.due_by is not None:
        due_soon = exists().where(
            _I.complaint_id == _C.id,
            _I.awaiting_company == true(),
            _I.due_date >= today,
            _I.due_date <= filters.due_by,
        )
        statement = statement.where(due_soon)
    if page.after is not None:
        created_at, last_id = _complaint_key(page.after)
        statement = statement.where(
            _C.created_at <= created_at, or_(_C.created_at < created_at, _C.id < last_id)
        )
    statement = statement.order_by(_C.created_at.desc(), _C.id.desc()).limit(page.size + 1)
    return _paged(session, statement, page, lambda row: (row["created_at"].isoformat(), row["id"]))


def _complaint_scope(scope: Scope) -> list[Any]:
    if scope.company_id is not None:
        return [_C.company_id == scope.company_id, _C.sent_to_company == true()]
    if scope.tenant_id is None:
        return [false()]
    if scope.referred_to_tenant:
        return [
            _C.referred_to_tenant_id == scope.tenant_id,
            _C.status == ComplaintStatus.REFERRAL_PENDING.value,
        ]
    return [_C.tenant_id == scope.tenant_id]


def list_information_requests(
    session: Reader, scope: Scope, filters: ListFilters, page: Page, today: date
) -> Listed:
    statement = select(t.information_requests).where(*_request_scope(scope))
    if filters.statuses:
        statement = statement.where(_I.status.in_(filters.statuses))
    for column, value in (
        (_I.company_id, filters.company_id),
        (_I.agency_poc_id, filters.agency_poc_id),
        (_I.company_poc_id, filters.company_poc_id),
        (_I.complaint_id, filters.complaint_id),
    ):
        if value:
            statement = statement.where(column == value)
    if filters.overdue_only:
        statement = statement.where(_I.awaiting_company == true(), _I.due_date < today)
    if filters.due_by is not None:
        statement = statement.where(
            _I.awaiting_company == true(), _I.due_date >= today, _I.due_date <= filters.due_by
        )
    if page.after is not None:
        due, last_id = _request_key(page.after)
        statement = statement.where(
            _I.sort_due_date >= due, or_(_I.sort_due_date > due, _I.id > last_id)
        )
    statement = statement.order_by(_I.sort_due_date, _I.id).limit(page.size + 1)
    return _paged(
        session, statement, page, lambda row: (row["sort_due_date"].isoformat(), row["id"])
    )


def _request_scope(scope: Scope) -> list[Any]:
    if scope.company_id is not None:
        return [
            _I.company_id == scope.company_id,
            _I.status != InformationRequestStatus.DRAFT.value,
        ]
    if scope.tenant_id is None:
        return [false()]
    return [_I.tenant_id == scope.tenant_id]


def _paged(session: Reader, statement: Select[Any], page: Page, key: Any) -> Listed:
    rows = list(session.execute(statement).mappings())
    if len(rows) <= page.size:
        return Listed(rows, None)
    kept = rows[: page.size]
    return Listed(kept, key(kept[-1]))


def _complaint_key(after: tuple[Any, ...]) -> tuple[datetime, str]:
    try:
        created_at = datetime.fromisoformat(str(after[0]))
    except ValueError:
        raise _bad_key() from None
    if created_at.tzinfo is None or not isinstance(after[1], str):
        raise _bad_key()
    return created_at, after[1]


def _request_key(after: tuple[Any, ...]) -> tuple[date, str]:
    try:
        due = date.fromisoformat(str(after[0]))
    except ValueError:
        raise _bad_key() from None
    if not isinstance(after[1], str):
        raise _bad_key()
    return due, after[1]


def _bad_key() -> ValidationFailed:
    return ValidationFailed(
        "The page_token is not one this service issued; pass next_page_token from the "
        "previous page unchanged, or leave it empty for the first page.",
        reason="page_token_invalid",
    )


__all__ = ["ListFilters", "Listed", "Scope", "list_complaints", "list_information_requests"]
