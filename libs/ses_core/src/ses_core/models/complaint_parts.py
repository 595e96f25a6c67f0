"""Value objects a complaint is made of. Each is frozen: a change replaces it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from ses_core.lifecycle.complaint import CloseReason


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Party(StrEnum):
    """Which side of a complaint someone acts for."""

    AGENCY = "AGENCY"
    COMPANY = "COMPANY"


class NoteKind(StrEnum):
    RESEARCH = "RESEARCH"
    COMMUNICATION = "COMMUNICATION"


class Complainant(_Value):
    """The consumer. Phone, e-mail (and desired outcome, on the complaint) are agency-only."""

    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str | None = None
    address: str | None = None


class AllegedViolation(_Value):
    id: str
    citation: str
    description: str = ""
    added_by: str
    added_at: datetime


class ResearchNote(_Value):
    id: str
    kind: NoteKind = NoteKind.RESEARCH
    text: str
    author_id: str
    created_at: datetime
    updated_at: datetime
    updated_by: str


class Interaction(_Value):
    id: str
    party: Party
    author_id: str
    text: str = ""
    file_ids: tuple[str, ...] = ()
    posted_at: datetime


class Referral(_Value):
    """One referral; ``accepted`` is None while the receiving agency has not decided."""

    from_agency_id: str
    to_agency_id: str
    note: str = ""
    referred_by: str
    referred_at: datetime
    accepted: bool | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str = ""


class Closure(_Value):
    reason: CloseReason
    relief_amount: Decimal | None = None
    relief_date: date | None = None
    comments: str = ""
    shared_with_company: bool = False
    document_file_ids: tuple[str, ...] = ()
    closed_by: str
    closed_at: datetime


class Cancellation(_Value):
    reason: str
    canceled_by: str
    canceled_at: datetime
