"""This service's view of other services' data, kept from their events (``consumers.py``).

- Agencies (so that a referral names one that exists, and their codes, which prefix
  reference numbers), companies (directory entries,
  enrollment status, SES Complaints Contact) and users (names, agency role, company
  complaints permission, active or not) come from the enrollment service's events.
- Completed uploads (name, verified size, kind) come from the files service's events.

Reads are plain functions over a session; writes are what the consumers apply.
Everything here is eventually consistent with its source: a user created a moment
ago may not be known yet, and the messages say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session

from ses_complaints import tables as t
from ses_core.accounts import CompanyKind
from ses_core.identity import AgencyRole, ComplaintsPermission


@dataclass(frozen=True)
class CompanyEntry:
    company_id: str
    legal_name: str
    kind: str
    enrolled_at: datetime | None
    complaints_contact_id: str | None

    @property
    def enrolled(self) -> bool:
        return self.enrolled_at is not None

    @property
    def can_receive_information_requests(self) -> bool:
        return CompanyKind(self.kind).receives_information_requests


@dataclass(frozen=True)
class Person:
    user_id: str
    given_name: str
    family_name: str
    agency_id: str | None
    company_id: str | None
    agency_role: str
    complaints_permission: str
    account_administrator: bool
    active: bool

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def can_manage_complaints(self) -> bool:
        return self.complaints_permission == ComplaintsPermission.MANAGE.value

    @property
    def works_complaints(self) -> bool:
        """An agency user who may own a complaint: Complaint Manager or Supervisor."""
        return self.agency_role in (
            AgencyRole.COMPLAINT_MANAGER.value,
            AgencyRole.COMPLAINT_SUPERVISOR.value,
        )


@dataclass(frozen=True)
class UploadedFile:
    file_id: str
    tenant_id: str
    name: str
    size_bytes: int
    kind: str
    uploaded_by: str


# -- reads -------------------------------------------------------------------------------

Reader = Session | Connection
"""Reads work on a session, or on a bare connection for paths that skip the session."""


def agency_name(session: Session, agency_id: str) -> str | None:
    table = t.directory_agencies
    statement = select(table.c.name).where(table.c.agency_id == agency_id)
    return session.execute(statement).scalar_one_or_none()


def agency_code(session: Session, agency_id: str) -> str | None:
    """The agency's code, or None when unknown (agencies learned before codes were kept)."""
    table = t.directory_agencies
    statement = select(table.c.code).where(table.c.agency_id == agency_id)
    return session.execute(statement).scalar_one_or_none() or None


def company(session: Reader, company_id: str) -> CompanyEntry | None:
    table = t.directory_companies
    row = session.execute(select(table).where(table.c.company_id == company_id)).mappings()
    found = row.first()
    return None if found is None else CompanyEntry(**dict(found))


def companies(session: Reader, company_ids: Iterable[str]) -> dict[str, CompanyEntry]:
    ids = sorted(set(company_ids))
    if not ids:
        return {}
    table = t.directory_companies
    rows = session.execute(select(table).where(table.c.company_id.in_(ids))).mappings()
    return {row["company_id"]: CompanyEntry(**dict(row)) for row in rows}


def person(session: Session, user_id: str) -> Person | None:
    return people(session, [user_id]).get(user_id)


def people(session: Reader, user_ids: Iterable[str]) -> dict[str, Person]:
    ids = sorted({user_id for user_id in user_ids if user_id})
    if not ids:
        return {}
    rows = session.execute(_PEOPLE, {"ids": ids}).mappings()
    return {row["user_id"]: Person(**dict(row)) for row in rows}


_PEOPLE = select(t.directory_users).where(  # built once (every read of a complaint runs it)
    t.directory_users.c.user_id.in_(bindparam("ids", expanding=True))
)


def uploaded_files(session: Session, file_ids: Iterable[str]) -> dict[str, UploadedFile]:
    ids = sorted(set(file_ids))
    if not ids:
        return {}
    table = t.uploaded_files
    rows = session.execute(
        select(
            table.c.file_id,
            table.c.tenant_id,
            table.c.name,
            table.c.size_bytes,
            table.c.kind,
            table.c.uploaded_by,
        ).where(table.c.file_id.in_(ids))
    ).mappings()
    return {row["file_id"]: UploadedFile(**dict(row)) for row in rows}


# -- writes (consumers) -------------------------------------------------------------------


def save_agency(session: Session, agency_id: str, name: str, code: str) -> None:
    table = t.directory_agencies
    if agency_name(session, agency_id) is None:
        session.execute(insert(table).values(agency_id=agency_id, name=name, code=code))
    else:
        statement = update(table).where(table.c.agency_id == agency_id)
        session.execute(statement.values(name=name, code=code))


def save_company(session: Session, company_id: str, **values: Any) -> None:
    """Insert or update a directory entry with the values given."""
    table = t.directory_companies
    if company(session, company_id) is None:
        defaults: dict[str, Any] = {"legal_name": "", "kind": "", "enrolled_at": None}
        session.execute(insert(table).values({**defaults, **values, "company_id": company_id}))
    elif values:
        session.execute(update(table).where(table.c.company_id == company_id).values(values))


def save_user(session: Session, user_id: str, **values: Any) -> None:
    """Insert or update a user with the values given."""
    table = t.directory_users
    if person(session, user_id) is None:
        defaults: dict[str, Any] = {
            "agency_id": None,
            "company_id": None,
            "given_name": "",
            "family_name": "",
            "agency_role": "",
            "complaints_permission": ComplaintsPermission.NONE.value,
            "account_administrator": False,
            "active": True,
        }
        session.execute(insert(table).values({**defaults, **values, "user_id": user_id}))
    elif values:
        session.execute(update(table).where(table.c.user_id == user_id).values(values))


def save_upload(session: Session, upload: UploadedFile, completed_at: datetime) -> None:
    table = t.uploaded_files
    if uploaded_files(session, [upload.file_id]):
        return
    session.execute(
        insert(table).values(
            file_id=upload.file_id,
            tenant_id=upload.tenant_id,
            name=upload.name,
            size_bytes=upload.size_bytes,
            kind=upload.kind,
            uploaded_by=upload.uploaded_by,
            completed_at=completed_at,
        )
    )
