"""What an action is done to: the facts about a resource that permissions read.

Services build a ``Resource`` from the aggregate they loaded (or, for a create,
from what the request names). Only the fields that decide access are here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from ses_core.errors import quote

Id = Annotated[str, StringConstraints(min_length=1)]


class ResourceKind(StrEnum):
    AGENCY = "agency"
    AGENCY_USERS = "agency_users"
    COMPANY_DIRECTORY = "company_directory"
    COMPANY = "company"
    COMPANY_USERS = "company_users"
    ENROLLMENT = "enrollment"
    COMPLAINT = "complaint"
    INFORMATION_REQUEST = "information_request"
    RESPONSE = "response"
    INTERACTION = "interaction"
    FILE = "file"
    NOTIFICATIONS = "notifications"
    DELIVERIES = "deliveries"
    MAINTENANCE = "maintenance"
    AUDIT_LOG = "audit_log"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Resource(BaseModel):
    """Access-relevant facts about one resource.

    - ``tenant_id``: the agency that owns it (complaints and their parts; an
      agency's own user list). ``None`` for things no agency owns.
    - ``company_id``: the company it concerns. ``None`` if none.
    - ``granted_tenant_ids``: other agencies given read access.
    - ``referred_to_tenant_id``: the agency a pending referral was sent to; it may
      read the complaint and decide the referral.
    - ``agency_poc_id`` / ``company_poc_id`` / ``contributor_ids``: the
      per-complaint designations.
    - ``restricted``: a restricted response (or its files): on the company side
      only the Company POC may see it.
    - ``owner_user_id``: set for personal resources (a user's notifications and
      preferences); nobody else may learn they exist.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ResourceKind
    id: Id | None = None
    tenant_id: Id | None = None
    company_id: Id | None = None
    agency_poc_id: Id | None = None
    company_poc_id: Id | None = None
    contributor_ids: frozenset[str] = frozenset()
    restricted: bool = False
    granted_tenant_ids: frozenset[str] = frozenset()
    referred_to_tenant_id: Id | None = None
    owner_user_id: Id | None = None

    def readable_by_tenant(self, tenant_id: str | None) -> bool:
        """True if the agency owns the resource, was granted access, or was referred it."""
        if tenant_id is None:
            return False
        return (
            tenant_id == self.tenant_id
            or tenant_id in self.granted_tenant_ids
            or tenant_id == self.referred_to_tenant_id
        )

    def describe(self) -> str:
        return f"{self.kind.label} {quote(self.id)}" if self.id else f"such {self.kind.label}"
