"""Helpers for the complaints suites: actors, directory events, requests and error checks.

The complaints service learns of agencies, companies and users only from the
enrollment service's events; these suites publish those events on the host's
JetStream (as the enrollment service would) and wait until the service's durable
consumer has applied them.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

import grpc
import grpc.aio
import pytest
from sqlalchemy import Engine

from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as pb
from ses.complaints.v1 import complaints_pb2_grpc as pb_grpc
from ses_complaints.consumers import DIRECTORY_CONSUMER, FILES_CONSUMER, UploadCompleted
from ses_core.accounts import (
    AgencyCreated,
    CompanyContactAssigned,
    CompanyContactType,
    CompanyKind,
    CompanyRegistered,
    CompanySource,
    UserCreated,
    UserDeactivated,
    UserRolesChanged,
)
from ses_core.calendar import OperatingCalendar
from ses_core.events import DomainEvent
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.lifecycle import eastern_today
from ses_core.models.enrollment_events import EnrollmentCompleted
from ses_core.platform.db import session_factory, was_processed
from ses_core.platform.runtime import ServiceHost
from ses_core.platform.settings import Settings
from ses_core.ports import FixedClock
from ses_core.testing import error_details, error_reason, eventually, publish_events
from ses_core.testing.hosting import metadata_for

T = TypeVar("T")

NY, NJ, PA = "agency-ny", "agency-nj", "agency-pa"
ACME, GLOBEX, SHELLCO, PENDINGCO = "SES-ACME", "SES-GLOBEX", "SES-SHELL", "SES-PENDING"

MANAGER = Actor.agency_user("ny-manager", NY, AgencyRole.COMPLAINT_MANAGER)
SUPERVISOR = Actor.agency_user("ny-supervisor", NY, AgencyRole.COMPLAINT_SUPERVISOR)
MANAGER_2 = Actor.agency_user("ny-manager-2", NY, AgencyRole.COMPLAINT_MANAGER)
VIEWER = Actor.agency_user("ny-viewer", NY, AgencyRole.COMPLAINT_VIEWER)
AGENCY_ADMIN = Actor.agency_user("ny-admin", NY, AgencyRole.AGENCY_ACCOUNT_ADMIN)
NJ_MANAGER = Actor.agency_user("nj-manager", NJ, AgencyRole.COMPLAINT_MANAGER)
NJ_MANAGER_2 = Actor.agency_user("nj-manager-2", NJ, AgencyRole.COMPLAINT_MANAGER)
PA_MANAGER = Actor.agency_user("pa-manager", PA, AgencyRole.COMPLAINT_MANAGER)

_MANAGE = ComplaintsPermission.MANAGE
CONTACT = Actor.company_user("acme-contact", ACME, _MANAGE, complaints_contact=True)
ADMIN = Actor.company_user("acme-admin", ACME, _MANAGE, account_admin=True)
POC = Actor.company_user("acme-poc", ACME, _MANAGE)
CONTRIBUTOR = Actor.company_user("acme-contributor", ACME, _MANAGE)
COMPANY_VIEWER = Actor.company_user("acme-viewer", ACME, ComplaintsPermission.VIEW)
NO_PERMISSION = Actor.company_user("acme-none", ACME, ComplaintsPermission.NONE)
GLOBEX_CONTACT = Actor.company_user("globex-contact", GLOBEX, _MANAGE, complaints_contact=True)
PENDING_CONTACT = Actor.company_user("pending-contact", PENDINGCO, _MANAGE, complaints_contact=True)

AGENCY_USERS = (MANAGER, SUPERVISOR, MANAGER_2, VIEWER, AGENCY_ADMIN, NJ_MANAGER, NJ_MANAGER_2)
COMPANY_USERS = (CONTACT, ADMIN, POC, CONTRIBUTOR, COMPANY_VIEWER, NO_PERMISSION, GLOBEX_CONTACT)


@dataclass
class Harness:
    """A hosted complaints service and the ways a test talks to it."""

    host: ServiceHost
    settings: Settings
    channel: grpc.aio.Channel
    engine: Engine
    clock: FixedClock

    def today(self) -> date:
        """Today in US Eastern by the service's clock."""
        return eastern_today(self.clock.now())

    def ahead(self, business_days: int) -> date:
        return OperatingCalendar().add_business_days(self.today(), business_days)

    def tick(self, delta: timedelta = timedelta(seconds=1)) -> None:
        """Move the service's clock on (it only moves when told to)."""
        self.clock.advance(delta)

    @property
    def stub(self) -> pb_grpc.ComplaintsServiceStub:
        return pb_grpc.ComplaintsServiceStub(self.channel)

    def md(self, actor: Actor, key: str | None = None) -> tuple[tuple[str, str], ...]:
        return metadata_for(self.settings, actor, idempotency_key=key)

    async def call(self, method: str, request: Any, actor: Actor, *, key: str | None = None) -> Any:
        rpc = getattr(self.stub, method)
        return await rpc(request, metadata=self.md(actor, key))

    async def fails(
        self,
        method: str,
        request: Any,
        actor: Actor,
        code: grpc.StatusCode,
        *,
        key: str | None = None,
    ) -> grpc.aio.AioRpcError:
        """Call and expect ``code``; return the error so the test can check its message."""
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await self.call(method, request, actor, key=key)
        error = caught.value
        assert error.code() == code, (error.code(), error.details())
        return error

    async def publish(self, *events: DomainEvent, consumer: str = DIRECTORY_CONSUMER) -> None:
        """Publish events as their service would, then wait until they are applied."""
        assert self.host.nats is not None
        await publish_events(self.host.nats.jetstream(), events)
        sessions = session_factory(self.engine)

        def applied() -> bool:
            with sessions() as session:
                return all(was_processed(session, consumer, e.event_id) for e in events)

        await eventually(applied, timeout=30, message="the complaints service to apply events")

    async def upload(self, actor: Actor, name: str, size: int) -> str:
        """A completed upload by ``actor`` as the files service would announce it."""
        (file_id,) = await self.uploads(actor, [name], size)
        return file_id

    async def uploads(self, actor: Actor, names: Sequence[str], size: int) -> list[str]:
        """Several completed uploads by ``actor``, announced together; their ids in order."""
        events = []
        for name in names:
            file_id = f"file-{uuid.uuid4().hex[:12]}"
            events.append(
                UploadCompleted(
                    tenant_id=actor.tenant_id or "platform",
                    file_id=file_id,
                    upload_id=f"upload-{file_id}",
                    sha256_hex=hashlib.sha256(file_id.encode()).hexdigest(),
                    name=name,
                    size_bytes=size,
                    kind="response",
                    actor_id=actor.user_id,
                )
            )
        await self.publish(*events, consumer=FILES_CONSUMER)
        return [event.file_id for event in events]


def agency_events() -> list[DomainEvent]:
    events: list[DomainEvent] = [
        AgencyCreated(tenant_id=agency, agency_id=agency, code=code, name=name, state_code=code)
        for agency, code, name in (
            (NY, "NY", "New York DFS"),
            (NJ, "NJ", "New Jersey DOBI"),
            (PA, "PA", "Pennsylvania DoBS"),
        )
    ]
    for actor in AGENCY_USERS:
        assert actor.tenant_id is not None
        assert actor.agency_role is not None
        events.append(
            UserCreated(
                tenant_id=actor.tenant_id,
                user_id=actor.user_id,
                agency_id=actor.tenant_id,
                email=f"{actor.user_id}@agency.example.gov",
                given_name=actor.user_id.split("-")[1].capitalize(),
                family_name=actor.tenant_id.upper(),
                agency_roles=[actor.agency_role],
            )
        )
    return events


def company_events() -> list[DomainEvent]:
    events: list[DomainEvent] = [
        CompanyRegistered(
            company_id=company,
            legal_name=name,
            kind=kind,
            source=CompanySource.IMPORT,
            nmls_id=nmls,
        )
        for company, name, kind, nmls in (
            (ACME, "Acme Mortgage LLC", CompanyKind.NMLS_REGISTERED, "1001"),
            (GLOBEX, "Globex Lending Inc", CompanyKind.NMLS_REGISTERED, "1002"),
            (SHELLCO, "Shell Co (unregistered)", CompanyKind.UNREGISTERED, ""),
            (PENDINGCO, "Pending Servicing Corp", CompanyKind.NMLS_REGISTERED, "1003"),
        )
    ]
    for actor in (*COMPANY_USERS, PENDING_CONTACT):
        assert actor.company_id is not None
        events.append(
            UserCreated(
                tenant_id=NY,
                user_id=actor.user_id,
                company_id=actor.company_id,
                email=f"{actor.user_id}@company.example.com",
                given_name=actor.user_id.split("-")[1].capitalize(),
                family_name=actor.company_id.title(),
                complaints_permission=actor.complaints_permission,
                account_administrator=actor.is_account_admin,
            )
        )
    for contact in (CONTACT, GLOBEX_CONTACT):
        assert contact.company_id is not None
        events.append(
            CompanyContactAssigned(
                tenant_id=NY,
                company_id=contact.company_id,
                contact_type=CompanyContactType.SES_COMPLAINTS_CONTACT,
                user_id=contact.user_id,
            )
        )
        events.append(
            EnrollmentCompleted(
                tenant_id=NY,
                company_id=contact.company_id,
                user_id=ADMIN.user_id if contact is CONTACT else contact.user_id,
                complaints_contact_id=contact.user_id,
            )
        )
    return events


def deactivate(actor: Actor) -> UserDeactivated:
    return UserDeactivated(
        tenant_id=NY,
        user_id=actor.user_id,
        company_id=actor.company_id or "",
        agency_id=actor.tenant_id or "",
    )


def downgrade(actor: Actor, permission: ComplaintsPermission) -> UserRolesChanged:
    assert actor.company_id is not None
    return UserRolesChanged(
        tenant_id=NY,
        user_id=actor.user_id,
        company_id=actor.company_id,
        complaints_permission=permission,
    )


def enroll(company_id: str, contact: Actor) -> list[DomainEvent]:
    return [
        EnrollmentCompleted(
            tenant_id=NY,
            company_id=company_id,
            user_id=contact.user_id,
            complaints_contact_id=contact.user_id,
        )
    ]


# -- requests ------------------------------------------------------------------------------


# Well before any day the suites run on. "Today" is the service's clock (``Harness.today``),
# never the machine's: the host's clock is fixed at module start and moves only when a test
# moves it, so the machine's date is a day ahead of it after midnight Eastern.
RECEIVED_DATE = date(2025, 1, 6)


def date_pb(day: date) -> common.Date:
    return common.Date(year=day.year, month=day.month, day=day.day)


def new_complaint(company_id: str = ACME, **overrides: Any) -> pb.CreateComplaintRequest:
    details = pb.ComplaintDetails(
        complainant=pb.Complainant(
            given_name="Jane",
            family_name="Consumer",
            email="jane@example.com",
            phone="+1 212 555 0100",
            address=common.Address(
                address_lines=["1 Main St"], city="Albany", state_code="NY", postal_code="12207"
            ),
        ),
        received_date=date_pb(RECEIVED_DATE),
        cfpb_complaint_id="CFPB-220101-0001",
        products=["Mortgage servicing"],
        categories=["escrow"],
        desired_outcome="Refund of the late fee",
        description="The servicer charged a late fee although the payment was on time.",
    )
    request = pb.CreateComplaintRequest(company_id=company_id, details=details)
    for name, value in overrides.items():
        if name in ("complainant_restricted",):
            setattr(request.details, name, value)
        else:
            setattr(request, name, value)
    return request


async def create(h: Harness, actor: Actor = MANAGER, **overrides: Any) -> pb.Complaint:
    response = await h.call("CreateComplaint", new_complaint(**overrides), actor)
    return response.complaint  # type: ignore[no-any-return]


async def add_ir(
    h: Harness, complaint_id: str, *, due: date | None = None, actor: Actor = MANAGER
) -> pb.InformationRequest:
    request = pb.AddInformationRequestRequest(
        complaint_id=complaint_id, request_text="Send the payment history for 2025."
    )
    if due is not None:
        request.due_date.CopyFrom(date_pb(due))
    response = await h.call("AddInformationRequest", request, actor)
    return response.information_request  # type: ignore[no-any-return]


async def send(h: Harness, complaint_id: str, actor: Actor = MANAGER) -> pb.Complaint:
    request = pb.SendInformationRequestsRequest(complaint_id=complaint_id)
    response = await h.call("SendInformationRequests", request, actor)
    return response.complaint  # type: ignore[no-any-return]


async def sent_complaint(h: Harness, company_id: str = ACME) -> tuple[pb.Complaint, str]:
    """A complaint with one IR sent to the company; returns it and the IR id."""
    complaint = await create(h, company_id=company_id)
    ir = await add_ir(h, complaint.complaint_id, due=h.ahead(10))
    sent = await send(h, complaint.complaint_id)
    return sent, ir.information_request_id


async def with_poc(h: Harness) -> tuple[pb.Complaint, str]:
    """A sent complaint whose Company POC is ``POC`` with ``CONTRIBUTOR`` added."""
    complaint, ir_id = await sent_complaint(h)
    cid = complaint.complaint_id
    await h.call(
        "AssignCompanyPoc",
        pb.AssignCompanyPocRequest(complaint_id=cid, user_id=POC.user_id),
        CONTACT,
    )
    added = await h.call(
        "AddContributor",
        pb.AddContributorRequest(complaint_id=cid, user_id=CONTRIBUTOR.user_id),
        POC,
    )
    return added.complaint, ir_id


async def submitted(h: Harness, *, restricted: bool = False) -> tuple[pb.Complaint, str]:
    complaint, ir_id = await with_poc(h)
    cid = complaint.complaint_id
    await h.call(
        "SaveResponseDraft",
        pb.SaveResponseDraftRequest(complaint_id=cid, information_request_id=ir_id, text="Here."),
        CONTRIBUTOR,
    )
    response = await h.call(
        "SubmitResponse",
        pb.SubmitResponseRequest(
            complaint_id=cid, information_request_id=ir_id, restricted=restricted
        ),
        POC,
    )
    return complaint, response.information_request.information_request_id


async def get(h: Harness, complaint_id: str, actor: Actor) -> pb.Complaint:
    response = await h.call(
        "GetComplaint", pb.GetComplaintRequest(complaint_id=complaint_id), actor
    )
    return response.complaint  # type: ignore[no-any-return]


def reason_of(error: grpc.aio.AioRpcError) -> str:
    return error_reason(error) or ""


def violated_fields(error: grpc.aio.AioRpcError) -> list[str]:
    """The request fields the error's ``google.rpc.BadRequest`` names, in order."""
    return [violation.field for violation in error_details(error).field_violations]


async def gather(*calls: Awaitable[T]) -> Sequence[T]:
    return [await call for call in calls]
