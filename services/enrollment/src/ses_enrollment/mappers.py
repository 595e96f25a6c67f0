"""Protobuf ⇄ the handlers' inputs and views."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from ses.common.v1 import common_pb2
from ses.enrollment.v1 import enrollment_pb2 as pb
from ses_core.accounts import (
    Address,
    Agency,
    AgencyUser,
    CompanyContactType,
    CompanyKind,
    CompanyUser,
    ContactPerson,
    OutstandingTask,
    RowError,
    UserStatus,
)
from ses_core.errors import ValidationFailed, quote
from ses_enrollment.enums import from_proto, to_proto
from ses_enrollment.handlers.agencies import NewUser
from ses_enrollment.handlers.auth import TokenPair
from ses_enrollment.views import CompanyView, EnrollmentView, UserView

# -- to proto ---------------------------------------------------------------------------


def timestamp(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    message = Timestamp()
    message.FromDatetime(value)
    return message


def _set_time(message: Any, field: str, value: datetime | None) -> None:
    if value is not None:
        getattr(message, field).FromDatetime(value)


def agency_message(agency: Agency) -> pb.Agency:
    return pb.Agency(
        agency_id=agency.id,
        code=agency.code,
        name=agency.name,
        state_code=agency.state_code,
        created_at=timestamp(agency.created_at),
    )


def user_message(view: UserView) -> pb.User:
    user = view.user
    message = pb.User(
        user_id=user.id,
        email=user.email,
        given_name=user.given_name,
        family_name=user.family_name,
        created_at=timestamp(user.created_at),
        locked_until=timestamp(view.locked_until),
        last_signed_in_at=timestamp(view.last_signed_in_at),
    )
    if isinstance(user, AgencyUser | CompanyUser):
        message.phone = user.phone
        message.status = to_proto(user.status)
        _set_time(message, "activated_at", user.activated_at)
    else:  # a platform operator is active from creation on
        message.status = to_proto(UserStatus.ACTIVE)
    if isinstance(user, AgencyUser):
        message.agency_id = user.agency_id
        message.agency_roles.append(to_proto(user.role))
    elif isinstance(user, CompanyUser):
        message.company_id = user.company_id
        message.complaints_permission = to_proto(user.complaints_permission)
        message.account_administrator = user.is_account_admin
    return message


def user_ref(user: CompanyUser) -> common_pb2.UserRef:
    return common_pb2.UserRef(
        user_id=user.id, display_name=user.display_name, party=common_pb2.PARTY_COMPANY
    )


def company_message(view: CompanyView) -> pb.Company:
    company, profile = view.company, view.company.profile
    message = pb.Company(
        company_id=company.company_id,
        nmls_id=profile.nmls_id or "",
        legal_name=profile.legal_name,
        trade_names=list(profile.trade_names),
        business_types=list(profile.business_types),
        kind=to_proto(profile.kind),
        enrollment_status=to_proto(view.status),
        source=to_proto(company.source),
        created_at=timestamp(company.registered_at),
        updated_at=timestamp(company.updated_at),
    )
    if profile.address is not None:
        address = profile.address
        message.address.CopyFrom(
            common_pb2.Address(
                address_lines=address.lines,
                city=address.city,
                state_code=address.state_code,
                postal_code=address.postal_code,
                country_code="US",
            )
        )
    for field, person in (
        ("nmls_contact_person", profile.nmls_contact_person),
        ("nmls_complaints_contact", profile.nmls_complaints_contact),
    ):
        if person is not None:
            getattr(message, field).CopyFrom(common_pb2.ContactPerson(**person.model_dump()))
    contact = view.contact
    if contact is not None:
        message.contacts.append(
            pb.CompanyContact(
                contact_type=to_proto(CompanyContactType.SES_COMPLAINTS_CONTACT),
                user=user_ref(contact),
            )
        )
    if view.account is not None:
        message.notification_addresses.extend(view.account.notification_addresses)
    return message


def enrollment_message(view: EnrollmentView) -> pb.Enrollment:
    message = pb.Enrollment(
        company_id=view.company_id,
        status=to_proto(view.status),
        missing_steps=[to_proto(step) for step in view.missing_steps],
    )
    enrollment = view.enrollment
    if enrollment is None:
        return message
    message.first_user_id = enrollment.invited_user_id or ""
    message.initiating_agency_id = enrollment.agency_id or ""
    message.initiated_by_user_id = enrollment.invited_by or ""
    message.reminders_sent = len(enrollment.reminders_sent_at)
    _set_time(message, "invited_at", enrollment.invited_at)
    _set_time(message, "activation_expires_at", enrollment.expires_at)
    _set_time(message, "completed_at", enrollment.completed_at)
    _set_time(message, "last_reminder_at", max(enrollment.reminders_sent_at, default=None))
    return message


def task_message(task: OutstandingTask) -> pb.OutstandingTask:
    return pb.OutstandingTask(
        kind=to_proto(task.kind),
        description=task.description,
        required=task.required,
    )


def row_error_message(error: RowError) -> pb.ImportRowError:
    message = error.message if not error.column else f"{error.message} (column {error.column})"
    return pb.ImportRowError(line_number=error.line, reason=error.reason, message=message)


def token_pair_message(pair: TokenPair) -> pb.TokenPair:
    return pb.TokenPair(
        access_token=pair.access_token,
        access_token_expires_at=timestamp(pair.access_token_expires_at),
        refresh_token=pair.refresh_token,
        refresh_token_expires_at=timestamp(pair.refresh_token_expires_at),
    )


# -- from proto -------------------------------------------------------------------------


def new_user(message: pb.NewUser, present: bool) -> NewUser | None:
    if not present:
        return None
    return NewUser(
        email=message.email,
        given_name=message.given_name,
        family_name=message.family_name,
        phone=message.phone,
    )


def profile_values(request: pb.RegisterCompanyRequest) -> dict[str, Any]:
    """CompanyProfile's fields from a registration request (checked by the handler)."""
    kind = from_proto(CompanyKind, request.kind)
    if kind is None:
        raise ValidationFailed(
            "Choose the company's kind: NMLS-registered, depository, agency-licensed without "
            "NMLS, or unregistered.",
            reason="kind_required",
            field="kind",
        )
    values: dict[str, Any] = {
        "nmls_id": request.nmls_id or None,
        "legal_name": request.legal_name,
        "trade_names": tuple(request.trade_names),
        "business_types": tuple(request.business_types),
        "kind": kind,
        "address": address(request.address) if request.HasField("address") else None,
    }
    for field in ("nmls_contact_person", "nmls_complaints_contact"):
        if request.HasField(field):
            person: common_pb2.ContactPerson = getattr(request, field)
            values[field] = ContactPerson(
                full_name=person.full_name,
                title=person.title,
                email=person.email,
                phone=person.phone,
            )
    return values


def address(message: common_pb2.Address) -> Address:
    if message.country_code.strip().upper() not in ("", "US"):
        raise ValidationFailed(
            f"SES keeps US addresses only; {quote(message.country_code)} is not US. Leave "
            "country_code empty or set it to US.",
            reason="country_not_us",
        )
    lines = [line for line in message.address_lines if line.strip()]
    if not lines or len(lines) > 2:
        raise ValidationFailed(
            f"Give the street address in one or two lines (address_lines); {len(lines)} were "
            "given.",
            reason="street_required" if not lines else "too_many_address_lines",
        )
    return Address(
        street=lines[0],
        street_2=lines[1] if len(lines) > 1 else "",
        city=message.city,
        state_code=message.state_code,
        postal_code=message.postal_code,
    )
