"""The company directory: search, read, register by hand, import from CSV.

Import (choices where the spec is silent): the whole file is checked first and the good
rows are written in one transaction, so an import is never half-written; a row whose
NMLS ID is already in the directory updates that company (rows without an NMLS ID
always add a company, since nothing else identifies them reliably); new companies get
SES Company IDs from the ``company_id`` counter, in file order. ``dry_run`` reports the
same counts and errors and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ses_core.accounts import (
    Company,
    CompanyKind,
    CompanyProfile,
    CompanySource,
    RowError,
    decode_csv,
    format_company_id,
    parse_company_csv,
    parse_company_query,
)
from ses_core.errors import AlreadyExists, ValidationFailed
from ses_core.identity import Actor
from ses_core.lifecycle.enrollment import EnrollmentStatus
from ses_core.permissions import Action, Resource, ResourceKind, require
from ses_enrollment.handlers.common import (
    Deps,
    company_resource,
    load_company,
    requested_company_id,
    required,
)
from ses_enrollment.identity_store import unique_or
from ses_enrollment.paging import decode_token, encode_token, filters_hash, page_size
from ses_enrollment.queries import CompanyFilter
from ses_enrollment.repositories import company_number
from ses_enrollment.scopes import DIRECTORY, company_scope
from ses_enrollment.unit_of_work import EnrollmentUnitOfWork
from ses_enrollment.views import CompanyPage, CompanyView

_DIRECTORY = Resource(kind=ResourceKind.COMPANY_DIRECTORY)


@dataclass(frozen=True)
class SearchCompanies:
    query: str = ""
    kind: CompanyKind | None = None
    status: EnrollmentStatus | None = None
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class RegisterCompany:
    # CompanyProfile's fields, as the request gave them (checked here).
    profile: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportCompanies:
    csv_content: bytes
    dry_run: bool = False


@dataclass(frozen=True)
class ImportResult:
    imported: int
    updated: int
    unchanged: int
    errors: list[RowError]


def search_companies(deps: Deps, actor: Actor, command: SearchCompanies) -> CompanyPage:
    require(actor, Action.SEARCH_COMPANIES, _DIRECTORY)
    criteria = CompanyFilter(parse_company_query(command.query), command.kind, command.status)
    size = page_size(command.page_size)
    filters = filters_hash(criteria.query.model_dump(mode="json"), command.kind, command.status)
    after = decode_token(command.page_token, filters, int)
    with deps.unit_of_work(DIRECTORY) as uow:
        rows = uow.lookups.search_companies(criteria, after_number=after or 0, limit=size + 1)
        page = rows[:size]
        accounts = uow.lookups.accounts_of([company.company_id for company, _ in page])
    views = [
        CompanyView(company, enrollment, accounts.get(company.company_id))
        for company, enrollment in page
    ]
    token = ""
    if len(rows) > size:
        token = encode_token(company_number(page[-1][0].company_id), filters)
    return CompanyPage(views, token)


def get_company(deps: Deps, actor: Actor, company_id: str) -> CompanyView:
    wanted = requested_company_id(company_id)
    require(actor, Action.VIEW_COMPANY, company_resource(wanted))
    with deps.unit_of_work(company_scope(wanted)) as uow:
        return company_view(uow, actor, wanted)


def company_view(uow: EnrollmentUnitOfWork, actor: Actor, company_id: str) -> CompanyView:
    company = load_company(uow, actor, company_id)
    return CompanyView(
        company,
        uow.enrollments(company_id).find(company_id),
        uow.accounts(company_id).find(company_id),
    )


def register_company(deps: Deps, actor: Actor, command: RegisterCompany) -> CompanyView:
    require(actor, Action.REGISTER_COMPANY, _DIRECTORY)
    required(
        str(command.profile.get("legal_name", "")),
        "the company's legal name",
        "legal_name",
        reason="legal_name_required",
    )
    profile = build_profile(command.profile)
    with deps.unit_of_work(DIRECTORY) as uow:
        if profile.nmls_id:
            holder = uow.directory.find_by_nmls_ids([profile.nmls_id]).get(profile.nmls_id)
            if holder is not None:
                raise _nmls_taken(profile.nmls_id, f"{holder.company_id} ({holder.legal_name})")
        (number,) = uow.identity.reserve_numbers(1)
        company = Company.register(
            format_company_id(number),
            profile,
            source=CompanySource.MANUAL,
            now=deps.now(),
            by=actor.user_id,
            tenant_id=actor.tenant_id or "",
        )
        with unique_or(_nmls_taken(profile.nmls_id or "", "another company")):
            uow.directory.add(company)
        uow.commit()
    return CompanyView(company)


def _concurrent_import() -> AlreadyExists:
    return AlreadyExists(
        "Another import or registration added one of these NMLS IDs at the same moment; "
        "nothing was imported. Run the import again: those rows will update the companies.",
        reason="concurrent_import",
    )


def _nmls_taken(nmls_id: str, holder: str) -> AlreadyExists:
    return AlreadyExists(
        f"NMLS ID {nmls_id} is already in the directory as {holder}; use that company.",
        reason="nmls_id_taken",
    )


def import_companies(deps: Deps, actor: Actor, command: ImportCompanies) -> ImportResult:
    require(actor, Action.IMPORT_COMPANIES, _DIRECTORY)
    if not command.csv_content:
        raise ValidationFailed(
            "The file is empty; attach the NMLS-style CSV file (csv_content).",
            reason="csv_required",
            field="csv_content",
        )
    parsed = parse_company_csv(decode_csv(command.csv_content))
    now = deps.now()
    imported = updated = unchanged = 0
    with deps.unit_of_work(DIRECTORY) as uow:
        known = uow.directory.find_by_nmls_ids(
            [row.company.nmls_id for row in parsed.rows if row.company.nmls_id]
        )
        new_rows = [row for row in parsed.rows if row.company.nmls_id not in known]
        numbers = iter(uow.identity.reserve_numbers(len(new_rows)) if new_rows else ())
        for row in parsed.rows:
            existing = known.get(row.company.nmls_id or "")
            if existing is None:
                company = Company.register(
                    format_company_id(next(numbers)),
                    row.company,
                    source=CompanySource.IMPORT,
                    now=now,
                    by=actor.user_id,
                )
                with unique_or(_concurrent_import()):
                    uow.directory.add(company)
                imported += 1
            elif existing.update_profile(row.company, now=now, by=actor.user_id):
                updated += 1
            else:
                unchanged += 1
        if not command.dry_run:
            uow.commit()
    return ImportResult(imported, updated, unchanged, list(parsed.errors))


def build_profile(values: dict[str, Any]) -> CompanyProfile:
    """A ``CompanyProfile`` from request values; every problem is a ``ValidationFailed``."""
    try:
        return CompanyProfile.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in detail['loc']) or 'company'}: {detail['msg']}"
            for detail in error.errors()
        )
        raise ValidationFailed(
            f"The company's details are not complete or not valid ({problems}).",
            reason="company_invalid",
        ) from None
