"""Which fields of a complaint each side may see (DESIGN §4: the two views).

The services own the models; this module owns the rule. A service passes the
field names of what it is about to return and keeps only the visible ones, so
a field added later is visible unless listed here: list new sensitive fields.

Choices where the spec is silent:

- Field names follow the complaint model's snake_case attribute names.
- "Complainant details can be restricted from the company" (issue 5): when a
  complaint says so, every ``complainant_*`` field is hidden from the company.
- Company-internal comments never reach the agency, so the projection runs both
  ways.
- Platform operators see no complaint fields (they see no complaints).
- Beyond the six fields DESIGN §4 names, the agency's working material is
  agency-only too: alleged violations, research and communication notes,
  referrals between agencies and the reason a complaint was canceled.
"""

from __future__ import annotations

from collections.abc import Iterable

from ses_core.identity import Actor, Side

AGENCY_ONLY_FIELDS: frozenset[str] = frozenset(
    {
        "complainant_phone",
        "complainant_email",
        "desired_outcome",
        "close_notes",
        "internal_categories",
        "quick_look_marks",
        "alleged_violations",
        "research_notes",
        "referrals",
        "cancel_reason",
    }
)
COMPANY_ONLY_FIELDS: frozenset[str] = frozenset({"company_internal_comments"})
COMPLAINANT_FIELD_PREFIX = "complainant_"

# The spelling used in the design brief; the same set.
agency_only_fields = AGENCY_ONLY_FIELDS


def visible_fields(
    actor: Actor, fields: Iterable[str], *, complainant_restricted: bool = False
) -> frozenset[str]:
    """The subset of ``fields`` that ``actor``'s side may see."""
    names = frozenset(fields)
    if actor.side is Side.AGENCY:
        return names - COMPANY_ONLY_FIELDS
    if actor.side is Side.COMPANY:
        visible = names - AGENCY_ONLY_FIELDS
        if complainant_restricted:
            visible = frozenset(n for n in visible if not n.startswith(COMPLAINANT_FIELD_PREFIX))
        return visible
    return frozenset()


def complaint_reaches_company(*, information_request_sent: bool, company_enrolled: bool) -> bool:
    """Whether a complaint exists for its company at all (DESIGN §5).

    The company learns of a complaint through information requests, and sees IRs sent
    before it enrolled once it has: so nothing until an IR was sent *and* the company
    is enrolled. The complaints service answers NOT_FOUND until then; notify tells the
    company nothing about it until then.
    """
    return information_request_sent and company_enrolled
