"""Event consumers keeping this service's projections (``directory.py``).

Two durable consumers, each applying an event once (``processed_events``) in the
same transaction as its effect:

- ``complaints-directory``: the enrollment service's agencies, companies, users, contacts and
  completed enrollments. It is what tells this service that a company may see its
  complaints (enrolled), who may be Company POC (Manage Complaints, active) and
  how to name people on screens.
- ``complaints-files``: completed uploads, so that a file attached to a complaint
  is checked against the size the files service verified, not only the one the
  client declares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from ses_complaints import directory
from ses_complaints.unit_of_work import ComplaintsUnitOfWork
from ses_core.accounts import (
    AgencyCreated,
    CompanyContactAssigned,
    CompanyContactType,
    CompanyRegistered,
    CompanyUpdated,
    UserCreated,
    UserDeactivated,
    UserRolesChanged,
)
from ses_core.events import DomainEvent
from ses_core.models.enrollment_events import EnrollmentCompleted
from ses_core.models.file_events import UploadCompleted
from ses_core.platform.messaging import EventCodec, EventConsumer, InboundEvent
from ses_core.platform.runtime import ServiceContext

DIRECTORY_CONSUMER = "complaints-directory"
FILES_CONSUMER = "complaints-files"


def _agency_created(session: Session, event: AgencyCreated) -> None:
    directory.save_agency(session, event.agency_id, event.name, event.code)


def _company_registered(session: Session, event: CompanyRegistered) -> None:
    directory.save_company(
        session, event.company_id, legal_name=event.legal_name, kind=event.kind.value
    )


def _company_updated(session: Session, event: CompanyUpdated) -> None:
    directory.save_company(
        session, event.company_id, legal_name=event.legal_name, kind=event.kind.value
    )


def _user_created(session: Session, event: UserCreated) -> None:
    directory.save_user(
        session,
        event.user_id,
        agency_id=event.agency_id or None,
        company_id=event.company_id or None,
        given_name=event.given_name,
        family_name=event.family_name,
        agency_role=event.agency_roles[0].value if event.agency_roles else "",
        complaints_permission=event.complaints_permission.value,
        account_administrator=event.account_administrator,
        active=True,
    )


def _user_roles_changed(session: Session, event: UserRolesChanged) -> None:
    directory.save_user(
        session,
        event.user_id,
        agency_role=event.agency_roles[0].value if event.agency_roles else "",
        complaints_permission=event.complaints_permission.value,
        account_administrator=event.account_administrator,
    )


def _user_deactivated(session: Session, event: UserDeactivated) -> None:
    directory.save_user(session, event.user_id, active=False)


def _contact_assigned(session: Session, event: CompanyContactAssigned) -> None:
    if event.contact_type is CompanyContactType.SES_COMPLAINTS_CONTACT:
        directory.save_company(session, event.company_id, complaints_contact_id=event.user_id)


def _enrollment_completed(session: Session, event: EnrollmentCompleted) -> None:
    directory.save_company(
        session,
        event.company_id,
        enrolled_at=event.occurred_at,
        complaints_contact_id=event.complaints_contact_id,
    )
    # The first user becomes an Account Administrator when enrollment completes.
    directory.save_user(
        session, event.user_id, company_id=event.company_id, account_administrator=True
    )


def _upload_completed(session: Session, event: UploadCompleted) -> None:
    upload = directory.UploadedFile(
        file_id=event.file_id,
        tenant_id=event.tenant_id,
        name=event.name,
        size_bytes=event.size_bytes,
        kind=event.kind,
        uploaded_by=event.actor_id,
    )
    directory.save_upload(session, upload, event.occurred_at)


EventT = TypeVar("EventT", bound=DomainEvent)


@dataclass(frozen=True)
class _Route(Generic[EventT]):
    event_type: type[EventT]
    apply: Callable[[Session, EventT], None]

    def run(self, session: Session, inbound: InboundEvent) -> None:
        self.apply(session, inbound.decode(self.event_type))


def _routes(*routes: _Route[Any]) -> dict[str, _Route[Any]]:
    return {route.event_type.subject(): route for route in routes}


DIRECTORY_ROUTES = _routes(
    _Route(AgencyCreated, _agency_created),
    _Route(CompanyRegistered, _company_registered),
    _Route(CompanyUpdated, _company_updated),
    _Route(UserCreated, _user_created),
    _Route(UserRolesChanged, _user_roles_changed),
    _Route(UserDeactivated, _user_deactivated),
    _Route(CompanyContactAssigned, _contact_assigned),
    _Route(EnrollmentCompleted, _enrollment_completed),
)
FILES_ROUTES = _routes(_Route(UploadCompleted, _upload_completed))


def apply_event(
    routes: dict[str, _Route[Any]], event: InboundEvent, uow: ComplaintsUnitOfWork
) -> None:
    """Decode ``event`` by its subject and apply it to the projection."""
    route = routes.get(event.subject)
    if route is not None:  # other subjects are acknowledged and ignored
        route.run(uow.session, event)


def build_consumers(
    context: ServiceContext,
    unit_of_work: Callable[[str], ComplaintsUnitOfWork],
    codec: EventCodec,
) -> list[EventConsumer[ComplaintsUnitOfWork]]:
    return [
        EventConsumer(
            context.js,
            durable_name=name,
            filter_subjects=sorted(routes),
            handler=partial(apply_event, routes),
            unit_of_work=unit_of_work,
            codec=codec,
            backoff=(1.0, 5.0, 30.0, 120.0),
            fetch_timeout=1.0,
        )
        for name, routes in ((DIRECTORY_CONSUMER, DIRECTORY_ROUTES), (FILES_CONSUMER, FILES_ROUTES))
    ]
