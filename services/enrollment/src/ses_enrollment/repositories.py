"""Data mappers of the enrollment aggregates, one scope each (see ``ses_enrollment.scopes``).

``get`` locks the row to change it; ``find`` reads without a lock and returns ``None``
when absent.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy.engine import RowMapping

from ses_core.accounts import Agency, AgencyUser, Company, CompanyAccount
from ses_core.accounts._codes import COMPANY_ID_PREFIX
from ses_core.models import CompanyEnrollment
from ses_core.platform.db import TenantScopedRepository
from ses_enrollment import tables

ModelT = TypeVar("ModelT", bound=BaseModel)


class _Repository(TenantScopedRepository[ModelT], Generic[ModelT]):
    def find(self, aggregate_id: str) -> ModelT | None:
        return self._load_one(self._select().where(self.table.c.id == aggregate_id))


class AgencyRepository(_Repository[Agency]):
    table = tables.agencies
    aggregate_name = "agency"

    def _to_row(self, agency: Agency) -> dict[str, Any]:
        return agency.model_dump()

    def _from_row(self, row: RowMapping) -> Agency:
        return Agency.model_validate({key: row[key] for key in Agency.model_fields})


class AgencyUserRepository(_Repository[AgencyUser]):
    table = tables.agency_users
    aggregate_name = "agency user"

    def _to_row(self, user: AgencyUser) -> dict[str, Any]:
        return {"id": user.id, "email_key": user.email_key, "document": _document(user)}

    def _from_row(self, row: RowMapping) -> AgencyUser:
        return AgencyUser.model_validate(row["document"])

    def all_users(self) -> list[AgencyUser]:
        """Every user of the agency, ordered by e-mail (the order lists are paged in)."""
        return self._load_all(self._select().order_by(self.table.c.email_key))


class CompanyRepository(_Repository[Company]):
    """The directory: one scope (``directory``) for every company."""

    table = tables.companies
    aggregate_name = "company"

    def _to_row(self, company: Company) -> dict[str, Any]:
        profile = company.profile
        names = [profile.legal_name, *profile.trade_names]
        return {
            "id": company.company_id,
            "number": company_number(company.company_id),
            "nmls_id": profile.nmls_id,
            "kind": profile.kind.value,
            "search_text": "\n".join(name.casefold() for name in names),
            "document": _document(company),
        }

    def _from_row(self, row: RowMapping) -> Company:
        return Company.model_validate(row["document"])

    def find_by_nmls_ids(self, nmls_ids: list[str]) -> dict[str, Company]:
        if not nmls_ids:
            return {}
        statement = self._select().where(self.table.c.nmls_id.in_(nmls_ids)).with_for_update()
        found = self._load_all(statement)
        return {company.nmls_id: company for company in found if company.nmls_id}


class CompanyAccountRepository(_Repository[CompanyAccount]):
    table = tables.company_accounts
    aggregate_name = "company account"

    def _to_row(self, account: CompanyAccount) -> dict[str, Any]:
        return {"id": account.company_id, "document": _document(account)}

    def _from_row(self, row: RowMapping) -> CompanyAccount:
        return CompanyAccount.model_validate(row["document"])


class EnrollmentRepository(_Repository[CompanyEnrollment]):
    table = tables.enrollments
    aggregate_name = "enrollment"

    def _to_row(self, enrollment: CompanyEnrollment) -> dict[str, Any]:
        return {
            "id": enrollment.company_id,
            "status": enrollment.status.value,
            "expires_at": enrollment.expires_at,
            "activated": enrollment.activated_at is not None,
            "document": _document(enrollment),
        }

    def _from_row(self, row: RowMapping) -> CompanyEnrollment:
        return CompanyEnrollment.model_validate(row["document"])


def company_number(company_id: str) -> int:
    """``SES-000042`` → 42."""
    return int(company_id.removeprefix(COMPANY_ID_PREFIX))


def _document(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
