"""What a directory search means: an SES Company ID, an NMLS ID, or words of a name.

Agencies look a company up "by NMLS ID, SES Company ID or name" (DESIGN §1)
through one search box, so the query's shape decides: ``SES-000123`` (any
case) is an SES Company ID, a number is an NMLS ID, anything else is a name
search in which every word must occur (ignoring case) in the legal name or a
trade name. A blank query lists the whole directory. ``matches`` is the
reference behaviour that repositories reproduce in SQL.

A query is bounded (``ses_core.limits``): at most 200 characters once blanks are
collapsed and at most ``MAX_SEARCH_TERMS`` (20) words, each of which becomes a
condition of the SQL query; a longer one is refused with INVALID_ARGUMENT naming
the ``query`` field. No company name needs more.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from ses_core.accounts._codes import check_company_id, check_nmls_id, is_company_id
from ses_core.accounts._company import Company
from ses_core.errors import ValidationFailed
from ses_core.limits import MAX_SEARCH_TERMS, TextField, checked_text, limit_of


class CompanyQueryKind(StrEnum):
    ALL = "all"
    SES_COMPANY_ID = "ses_company_id"
    NMLS_ID = "nmls_id"
    NAME = "name"


class CompanyQuery(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: CompanyQueryKind
    value: str = ""
    terms: tuple[str, ...] = ()

    def matches(self, company: Company) -> bool:
        if self.kind is CompanyQueryKind.SES_COMPANY_ID:
            return company.company_id == self.value
        if self.kind is CompanyQueryKind.NMLS_ID:
            return company.nmls_id == self.value
        names = [company.legal_name, *company.profile.trade_names]
        folded = [name.casefold() for name in names]
        return all(any(term in name for name in folded) for term in self.terms)


def parse_company_query(query: str) -> CompanyQuery:
    text = checked_text(TextField.COMPANY_SEARCH_QUERY, query)
    if not text:
        return CompanyQuery(kind=CompanyQueryKind.ALL)
    if is_company_id(text):
        return CompanyQuery(kind=CompanyQueryKind.SES_COMPANY_ID, value=check_company_id(text))
    if text.isdigit():
        try:
            return CompanyQuery(kind=CompanyQueryKind.NMLS_ID, value=check_nmls_id(text))
        except ValidationFailed:
            pass  # "0" or an overlong number: no NMLS ID, so perhaps part of a name
    terms = tuple(text.casefold().split())
    if len(terms) > MAX_SEARCH_TERMS:
        raise ValidationFailed(
            f"The search has {len(terms):,} words; the limit is {MAX_SEARCH_TERMS}: search "
            "with the few most distinctive words of the name.",
            reason="search_too_many_terms",
            field=limit_of(TextField.COMPANY_SEARCH_QUERY).field,
            terms=len(terms),
            limit=MAX_SEARCH_TERMS,
        )
    return CompanyQuery(kind=CompanyQueryKind.NAME, value=text, terms=terms)
