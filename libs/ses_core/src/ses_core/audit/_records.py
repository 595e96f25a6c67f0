"""What one audit entry says happened: who, what, when, from where, with what outcome.

An ``AuditRecord`` is the fact; the chain (``_chain``) gives it its place, the previous
entry's hash and its own. Records come from two places:

* every domain event on ``SES_EVENTS`` (``record_from_event``): a state change, done;
* ``AccessRecorded`` events (``ses_core.audit.ACCESS_RECORDED``), which the services
  write for what changes nothing but must be on file: refused access decisions and reads
  of restricted content.

Who acted, from where: an event carries its actor's id; the service that committed it
adds the call it came from as message headers (``ORIGIN_HEADERS``: the user, their side,
organisation and roles as the directory stated them for that call, the request id and
the client address), so an entry names the roles *at the time*, not today's.

Chains (``chain``): one per agency (its id), one per company for what concerns a company
and no agency (its SES Company ID), and ``platform`` for the rest (the shared company
directory, platform operators' work, sign-ins before an organisation is known).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ses_core.identity import Actor, Side

PLATFORM_CHAIN = "platform"

# Message headers the unit of work adds to every event a call commits (empty values are
# left out): who made the call and from where.
ACTOR_HEADER = "ses-actor-id"
SIDE_HEADER = "ses-actor-side"
ORGANIZATION_HEADER = "ses-actor-organization"
ROLES_HEADER = "ses-actor-roles"
REQUEST_ID_HEADER = "ses-request-id"
CLIENT_ADDRESS_HEADER = "ses-client-address"
FORWARDED_FOR_HEADER = "ses-forwarded-for"
ORIGIN_HEADERS = (
    ACTOR_HEADER,
    SIDE_HEADER,
    ORGANIZATION_HEADER,
    ROLES_HEADER,
    REQUEST_ID_HEADER,
    CLIENT_ADDRESS_HEADER,
    FORWARDED_FOR_HEADER,
)


class Outcome(StrEnum):
    """``done``: the change or read happened; ``refused``: access was denied."""

    DONE = "done"
    REFUSED = "refused"


@dataclass(frozen=True, kw_only=True)
class AuditRecord:
    """One fact for the audit log (every field is hashed; empty means unknown or none).

    - ``event_id``: the event it was made from (unique in the log);
    - ``occurred_at``: when it happened (the event's time);
    - ``source``: the event's subject, e.g. ``ses.complaints.v1.response_submitted``;
    - ``action``: what was done or attempted: the event's name for a change
      (``response_submitted``), the permission action or RPC for an access record
      (``view_restricted_response``, ``GetComplaint``);
    - ``outcome`` and ``reason``: done or refused, and the refusal's stable reason;
    - ``user_id``, ``side``, ``organization_id``, ``roles``: who, as the directory
      stated their authority for the call (``roles_of``);
    - ``resource_kind``, ``resource_id``, ``complaint_id``: what it concerned;
    - ``request_id``, ``client_address``, ``forwarded_for``: the call it came from
      (``forwarded_for`` is what the client or a proxy claimed in ``x-forwarded-for``).
    """

    event_id: str
    occurred_at: datetime
    source: str
    action: str
    outcome: Outcome = Outcome.DONE
    reason: str = ""
    user_id: str = ""
    side: str = ""
    organization_id: str = ""
    roles: tuple[str, ...] = ()
    resource_kind: str = ""
    resource_id: str = ""
    complaint_id: str = ""
    request_id: str = ""
    client_address: str = ""
    forwarded_for: str = ""

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None or self.occurred_at.utcoffset() is None:
            raise ValueError("An audit record's occurred_at must be timezone-aware.")
        if not self.event_id:
            raise ValueError("An audit record names the event it was made from.")


def roles_of(actor: Actor) -> tuple[str, ...]:
    """The actor's roles as an entry names them: the agency role; for company users their
    complaints permission and designations (``complaints:manage``, ``account_admin``,
    ``complaints_contact``); ``platform_operator``."""
    if actor.side is Side.AGENCY:
        return (actor.agency_role.value,) if actor.agency_role else ()
    if actor.side is Side.PLATFORM:
        return ("platform_operator",)
    roles = [f"complaints:{actor.complaints_permission.value}"]
    if actor.is_account_admin:
        roles.append("account_admin")
    if actor.is_complaints_contact:
        roles.append("complaints_contact")
    return tuple(roles)


def actor_chain(actor: Actor) -> str:
    """The chain of what an actor does outside any agency's data: their agency, their
    company, or ``platform``."""
    return actor.tenant_id or actor.company_id or PLATFORM_CHAIN


def origin_headers(
    actor: Actor | None, *, request_id: str = "", client_address: str = "", forwarded_for: str = ""
) -> dict[str, str]:
    """The ``ORIGIN_HEADERS`` of a call, without the empty ones."""
    headers = {
        REQUEST_ID_HEADER: request_id,
        CLIENT_ADDRESS_HEADER: client_address,
        FORWARDED_FOR_HEADER: forwarded_for,
    }
    if actor is not None:
        headers |= {
            ACTOR_HEADER: actor.user_id,
            SIDE_HEADER: actor.side.value,
            ORGANIZATION_HEADER: actor.organization_id,
            ROLES_HEADER: ",".join(roles_of(actor)),
        }
    return {name: value for name, value in headers.items() if value}


@dataclass(frozen=True)
class Origin:
    """The call an event came from, read back from its ``ORIGIN_HEADERS``."""

    user_id: str = ""
    side: str = ""
    organization_id: str = ""
    roles: tuple[str, ...] = ()
    request_id: str = ""
    client_address: str = ""
    forwarded_for: str = ""

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> Origin:
        roles = headers.get(ROLES_HEADER, "")
        return cls(
            user_id=headers.get(ACTOR_HEADER, ""),
            side=headers.get(SIDE_HEADER, ""),
            organization_id=headers.get(ORGANIZATION_HEADER, ""),
            roles=tuple(role for role in roles.split(",") if role),
            request_id=headers.get(REQUEST_ID_HEADER, ""),
            client_address=headers.get(CLIENT_ADDRESS_HEADER, ""),
            forwarded_for=headers.get(FORWARDED_FOR_HEADER, ""),
        )
