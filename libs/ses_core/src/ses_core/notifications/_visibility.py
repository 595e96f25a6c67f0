"""What a notification may say to whom (DESIGN §4, §1 step 5).

A notification is rendered from named facts; this module keeps only the facts
its reader may see, so a template can never leak what it was not given:

* company readers never get agency-only fields
  (``ses_core.permissions.AGENCY_ONLY_FIELDS``), nor complainant details when the
  complaint restricts them;
* agency readers never get company-only fields;
* the content of a restricted response (:data:`RESTRICTED_RESPONSE_FIELDS`)
  reaches only the agency and the Company POC: other company users, company
  webhooks and the company's additional addresses get the notice without it;
* platform operators (maintenance notices) get neither side's fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ses_core.identity import Side
from ses_core.permissions import AGENCY_ONLY_FIELDS, COMPANY_ONLY_FIELDS, COMPLAINANT_FIELD_PREFIX

RESTRICTED_RESPONSE_FIELDS: frozenset[str] = frozenset(
    {
        "response_text",
        "response_summary",
        "submission_number",
        "file_count",
        "link_count",
        "send_back_reason",
    }
)


@dataclass(frozen=True)
class Reader:
    """Who will read a notification: a side, and whether they are the complaint's Company POC."""

    side: Side
    is_company_poc: bool = False


def visible_facts(
    reader: Reader,
    facts: Mapping[str, Any],
    *,
    restricted_response: bool = False,
    complainant_restricted: bool = False,
) -> dict[str, Any]:
    """The subset of ``facts`` that ``reader`` may see."""
    hidden: set[str] = set()
    if reader.side is not Side.AGENCY:
        hidden |= AGENCY_ONLY_FIELDS
        if restricted_response and not (reader.side is Side.COMPANY and reader.is_company_poc):
            hidden |= RESTRICTED_RESPONSE_FIELDS
    if reader.side is not Side.COMPANY:
        hidden |= COMPANY_ONLY_FIELDS
    hide_complainant = complainant_restricted and reader.side is not Side.AGENCY
    return {
        name: value
        for name, value in facts.items()
        if name not in hidden
        and not (hide_complainant and name.startswith(COMPLAINANT_FIELD_PREFIX))
    }
