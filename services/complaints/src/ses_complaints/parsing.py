"""Protobuf requests → checked command values. A client mistake here is INVALID_ARGUMENT.

Each function names the request field it reads in its messages and in the error's
``field`` (a ``google.rpc.BadRequest`` field violation), so a person and a program can
find what to fix. Rules about the data (blank descriptions, dates in the future,
relief amounts) stay in the domain; this module only makes the values well-formed.

A request field the proto marks ``(google.api.field_behavior) = REQUIRED`` is refused
here when empty (``required``, ``required_text``, ``required_date``, ...), before
anything is looked up, so that an empty field is INVALID_ARGUMENT with reason
``field_required`` whatever the state of the complaint. The domain keeps its own
checks for Python callers. ``tests/integration/complaints`` sends every RPC without
each of its REQUIRED fields and checks the field named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message

from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as pb
from ses_complaints.attachments import FileRef, merge_refs
from ses_complaints.extras import PostalAddress
from ses_complaints.handlers import UNCHANGED, DetailChanges
from ses_complaints.queries import ListFilters
from ses_core.calendar import OperatingCalendar
from ses_core.errors import ValidationFailed
from ses_core.lifecycle import CloseReason, ComplaintStatus, InformationRequestStatus
from ses_core.limits import TextField, checked_text
from ses_core.models import Complainant, NoteKind

MAX_DUE_WITHIN_BUSINESS_DAYS = 260


def required(value: str, field: str) -> str:
    if not value.strip():
        raise ValidationFailed(
            f"Set {field}; it cannot be empty.", reason="field_required", field=field
        )
    return value.strip()


def required_text(field: TextField, value: str) -> str:
    """Free text the request must carry, checked against its limit; the error names the
    request field as ``ses_core.limits`` records it (e.g. ``details.description``)."""
    return checked_text(field, value, required_reason="field_required")


def required_message(request: Message, field: str) -> None:
    """A message field that must be present (its own fields are checked where read)."""
    if not request.HasField(field):
        raise ValidationFailed(
            f"Set {field}; it cannot be empty.", reason="field_required", field=field
        )


def complaint_or_reference(request: pb.GetComplaintRequest) -> tuple[str, str]:
    """(complaint_id, reference_number): exactly one of them set."""
    complaint_id = request.complaint_id.strip()
    reference = request.reference_number.strip().upper()
    if bool(complaint_id) == bool(reference):
        raise ValidationFailed(
            "Set complaint_id or reference_number (such as NY-DFS-2026-000123), not both "
            "and not neither.",
            reason="complaint_or_reference_required",
        )
    return complaint_id, reference


def required_date(message: Message, field: str, *, path: str | None = None) -> date:
    """A ``ses.common.v1.Date`` field that must be set; ``path`` names it from the
    request's top (``details.received_date``) when ``message`` is nested."""
    found = calendar_date(message, field, required_=True, path=path)
    assert found is not None
    return found


def calendar_date(
    message: Message, field: str, *, required_: bool = False, path: str | None = None
) -> date | None:
    """A ``ses.common.v1.Date`` field of ``message``; None when unset (unless required)."""
    path = path or field
    if not message.HasField(field):
        if required_:
            raise ValidationFailed(
                f"Set {path} (year, month and day).", reason="field_required", field=path
            )
        return None
    value: common.Date = getattr(message, field)
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        raise ValidationFailed(
            f"{path} {value.year:04d}-{value.month:02d}-{value.day:02d} is not a calendar "
            "date; give a year, a month 1-12 and a day that exists in that month.",
            reason="date_invalid",
            field=path,
        ) from None


def file_refs(
    file_ids: Sequence[str],
    attachments: Iterable[pb.AttachedFile],
    field: str = "attachments",
) -> list[FileRef]:
    attached = []
    for item in attachments:
        if item.size_bytes < 0:
            raise ValidationFailed(
                f"{field}: file {item.file_id} is declared with a negative size "
                f"({item.size_bytes}); give its size in bytes as the upload reported it.",
                reason="negative_size",
                field=field,
            )
        named = bool(item.file_name)
        attached.append(
            FileRef(
                item.file_id,
                item.file_name if named else None,
                item.size_bytes if named else None,
                item.attach_grant_token,
            )
        )
    return merge_refs(list(file_ids), attached)


def complainant(message: pb.Complainant) -> tuple[Complainant, PostalAddress | None]:
    person = Complainant(
        first_name=message.given_name,
        last_name=message.family_name,
        email=message.email or None,
        phone=message.phone or None,
    )
    return person, postal_address(message) if message.HasField("address") else None


def postal_address(message: pb.Complainant) -> PostalAddress | None:
    address = message.address
    value = PostalAddress(
        address_lines=tuple(line.strip() for line in address.address_lines if line.strip()),
        city=address.city.strip(),
        state_code=address.state_code.strip().upper(),
        postal_code=address.postal_code.strip(),
        country_code=address.country_code.strip().upper(),
    )
    return value if value.one_line() else None


# -- update mask ---------------------------------------------------------------------------

_Read = Callable[[pb.Complainant], str | None]
_COMPLAINANT_PARTS: dict[str, tuple[str, _Read]] = {
    "complainant.given_name": ("first_name", lambda c: c.given_name),
    "complainant.family_name": ("last_name", lambda c: c.family_name),
    "complainant.email": ("email", lambda c: c.email or None),
    "complainant.phone": ("phone", lambda c: c.phone or None),
}
_DETAIL_VALUES = {
    "received_date": "received_date",
    "cfpb_complaint_id": "cfpb_id",
    "products": "products",
    "categories": "internal_categories",
    "desired_outcome": "desired_outcome",
    "description": "description",
    "complainant_restricted": "complainant_restricted",
}
UPDATABLE_PATHS = ("complainant", "complainant.address", *_COMPLAINANT_PARTS, *_DETAIL_VALUES)


def detail_changes(details: pb.ComplaintDetails, mask: FieldMask) -> DetailChanges:
    paths = [path.strip() for path in mask.paths]
    if not paths:
        raise ValidationFailed(
            'update_mask is empty; name the fields to change, e.g. "description" or '
            f'"complainant.phone". Updatable: {", ".join(UPDATABLE_PATHS)}.',
            reason="update_mask_empty",
            field="update_mask",
        )
    unknown = [path for path in paths if path not in UPDATABLE_PATHS]
    if unknown:
        raise ValidationFailed(
            f"update_mask names {', '.join(unknown)}, which cannot be updated; use "
            f"{', '.join(UPDATABLE_PATHS)}.",
            reason="update_mask_invalid",
            field="update_mask",
        )
    parts: dict[str, Any] = {}
    address: Any = UNCHANGED
    values: dict[str, Any] = {}
    for path in paths:
        if path == "complainant":
            for name, read in _COMPLAINANT_PARTS.values():
                parts[name] = read(details.complainant)
            address = postal_address(details.complainant)
        elif path == "complainant.address":
            address = postal_address(details.complainant)
        elif path in _COMPLAINANT_PARTS:
            name, read = _COMPLAINANT_PARTS[path]
            parts[name] = read(details.complainant)
        elif path == "received_date":
            values["received_date"] = required_date(
                details, "received_date", path="details.received_date"
            )
        else:
            value = getattr(details, path)
            values[_DETAIL_VALUES[path]] = (
                list(value) if path in ("products", "categories") else value
            )
    return DetailChanges(complainant_parts=parts, complainant_address=address, values=values)


# -- enumerations ----------------------------------------------------------------------------

_CLOSE_REASONS: dict[int, CloseReason] = {
    pb.CLOSE_REASON_CLOSED_WITH_EXPLANATION: CloseReason.CLOSED_WITH_EXPLANATION,
    pb.CLOSE_REASON_CLOSED_WITH_MONETARY_RELIEF: CloseReason.CLOSED_WITH_MONETARY_RELIEF,
    pb.CLOSE_REASON_CLOSED_WITH_NON_MONETARY_RELIEF: CloseReason.CLOSED_WITH_NON_MONETARY_RELIEF,
    pb.CLOSE_REASON_CANCELED_BY_COMPLAINANT: CloseReason.CANCELLED_BY_COMPLAINANT,
    pb.CLOSE_REASON_COMPLAINANT_CEASED_COMMUNICATION: CloseReason.COMPLAINANT_CEASED_COMMUNICATION,
    pb.CLOSE_REASON_DUPLICATE: CloseReason.DUPLICATE,
    pb.CLOSE_REASON_INVALID: CloseReason.INVALID,
    pb.CLOSE_REASON_REFERRED_TO_FEDERAL_AGENCY: CloseReason.REFERRED_TO_FEDERAL_AGENCY,
    pb.CLOSE_REASON_REFERRED_TO_INVESTIGATION: CloseReason.REFERRED_FOR_INVESTIGATION,
    pb.CLOSE_REASON_REFERRED_TO_OTHER_STATE_AGENCY: CloseReason.REFERRED_TO_OTHER_STATE_AGENCY,
    pb.CLOSE_REASON_REFERRED_TO_STATE_ATTORNEY_GENERAL: (
        CloseReason.REFERRED_TO_STATE_ATTORNEY_GENERAL
    ),
}


def close_reason(value: int) -> CloseReason:
    """The close reason; UNSPECIFIED is refused (the request field is REQUIRED)."""
    if value == pb.CLOSE_REASON_UNSPECIFIED:
        raise ValidationFailed(
            "Choose a close reason (reason) to close the complaint.",
            reason="close_reason_required",
            field="reason",
        )
    try:
        return _CLOSE_REASONS[value]
    except KeyError:
        raise _unknown_enum("reason", value, pb.CloseReason.keys()) from None


def monetary_relief(request: pb.CloseComplaintRequest) -> tuple[Decimal | None, date | None]:
    if not request.HasField("monetary_relief"):
        return None, None
    relief = request.monetary_relief
    amount = money(relief.amount) if relief.HasField("amount") else None
    return amount, calendar_date(relief, "date", path="monetary_relief.date")


def money(value: common.Money) -> Decimal:
    if value.currency_code not in ("", "USD"):
        raise ValidationFailed(
            f"monetary_relief.amount is in {value.currency_code}; give it in US dollars (USD).",
            reason="currency_unsupported",
            field="monetary_relief.amount",
        )
    if not -999_999_999 <= value.nanos <= 999_999_999 or (value.units * value.nanos < 0):
        raise ValidationFailed(
            "monetary_relief.amount has nanos outside -999,999,999..999,999,999 or with a sign "
            "other than units'; write e.g. 1250.50 as units=1250, nanos=500000000.",
            reason="money_invalid",
            field="monetary_relief.amount",
        )
    return Decimal(value.units) + Decimal(value.nanos).scaleb(-9).normalize()


def note_kind(value: int) -> NoteKind:
    """UNSPECIFIED means a research note."""
    kinds: dict[int, NoteKind] = {
        pb.NOTE_KIND_UNSPECIFIED: NoteKind.RESEARCH,
        pb.NOTE_KIND_RESEARCH: NoteKind.RESEARCH,
        pb.NOTE_KIND_COMMUNICATION: NoteKind.COMMUNICATION,
    }
    if value not in kinds:
        raise _unknown_enum("kind", value, pb.NoteKind.keys())
    return kinds[value]


def referral_decision(value: int) -> bool:
    if value == pb.REFERRAL_DECISION_ACCEPTED:
        return True
    if value == pb.REFERRAL_DECISION_REJECTED:
        return False
    raise ValidationFailed(
        "Set decision to REFERRAL_DECISION_ACCEPTED or REFERRAL_DECISION_REJECTED.",
        reason="decision_required",
        field="decision",
    )


def grant_action(value: int) -> None:
    """Only downloads are granted here; UNSPECIFIED means download."""
    if value not in (common.FILE_GRANT_ACTION_UNSPECIFIED, common.FILE_GRANT_ACTION_DOWNLOAD):
        raise _unknown_enum("action", value, common.FileGrantAction.keys())


def complaint_statuses(values: Iterable[int]) -> tuple[str, ...]:
    return _statuses(values, pb.ComplaintStatus, "COMPLAINT_STATUS_", ComplaintStatus)


def request_statuses(values: Iterable[int]) -> tuple[str, ...]:
    """IR statuses to filter by; RESPONSE_SENT (the company's name) means RESPONSE_RECEIVED."""
    return _statuses(
        values,
        pb.InformationRequestStatus,
        "INFORMATION_REQUEST_STATUS_",
        InformationRequestStatus,
        aliases={"RESPONSE_SENT": InformationRequestStatus.RESPONSE_RECEIVED.value},
    )


def _statuses(
    values: Iterable[int],
    enum: Any,
    prefix: str,
    domain: Any,
    aliases: dict[str, str] | None = None,
) -> tuple[str, ...]:
    found = []
    for value in values:
        name = enum.Name(value) if value in enum.values() else ""
        status = name.removeprefix(prefix)
        status = (aliases or {}).get(status, status)
        if not name or status not in domain.__members__:
            raise _unknown_enum(
                "statuses",
                value,
                [k for k in enum.keys() if "UNSPECIFIED" not in k],  # noqa: SIM118
            )
        found.append(status)
    return tuple(dict.fromkeys(found))


def _unknown_enum(field: str, value: int, allowed: Iterable[str]) -> ValidationFailed:
    return ValidationFailed(
        f"{field} {value} is not one of {', '.join(allowed)}.", reason="enum_invalid", field=field
    )


# -- lists ------------------------------------------------------------------------------------


def list_filters(
    request: pb.ListComplaintsRequest | pb.ListInformationRequestsRequest,
    statuses: tuple[str, ...],
    calendar: OperatingCalendar,
    today: date,
) -> ListFilters:
    within = request.due_within_business_days
    if not 0 <= within <= MAX_DUE_WITHIN_BUSINESS_DAYS:
        raise ValidationFailed(
            f"due_within_business_days must be between 0 (no filter) and "
            f"{MAX_DUE_WITHIN_BUSINESS_DAYS}; got {within}.",
            reason="due_within_invalid",
            field="due_within_business_days",
        )
    return ListFilters(
        statuses=statuses,
        company_id=request.company_id.strip(),
        agency_poc_id=request.agency_poc_user_id.strip(),
        company_poc_id=request.company_poc_user_id.strip(),
        overdue_only=request.overdue_only,
        due_by=calendar.add_business_days(today, within) if within else None,
        complaint_id=getattr(request, "complaint_id", "").strip(),
    )
