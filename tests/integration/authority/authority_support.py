"""Driving the four services as people do, to watch authority follow the directory.

A ``Scene`` talks to each service over a channel of its own (one host: the same address
for all four; separate ``ses serve`` processes: one address each). People are made the
way they are in production: an administrator creates them in the enrollment service,
they activate from the link the notify service would e-mail (read here from the
enrollment service's outbox), set a password and an authenticator, and sign in. The
token they hold from then on is never re-issued: every change of their authority is
made in the enrollment service and must reach the call they make next.

Codes: activation confirms with the code of the previous 30-second step (accepted for
clock drift), so sign-in can use the current one at once (a code is accepted once).
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import grpc.aio
import pyotp
from sqlalchemy import Engine, select

from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as cpb
from ses.complaints.v1 import complaints_pb2_grpc as cpb_grpc
from ses.enrollment.v1 import enrollment_pb2 as epb
from ses.enrollment.v1 import enrollment_pb2_grpc as epb_grpc
from ses.files.v1 import files_pb2 as fpb
from ses.files.v1 import files_pb2_grpc as fpb_grpc
from ses.notify.v1 import notify_pb2 as npb
from ses.notify.v1 import notify_pb2_grpc as npb_grpc
from ses_core.accounts import ActivationLinkIssued, UserCreated
from ses_core.calendar import OperatingCalendar
from ses_core.lifecycle import eastern_today
from ses_core.platform.db import outbox_table
from ses_core.platform.messaging import ProtobufEventCodec
from ses_core.testing import error_reason, eventually

PASSWORD = "a long pass phrase for authority tests"
CODEC = ProtobufEventCodec()
Code = grpc.StatusCode
MANAGE = common.COMPANY_COMPLAINTS_PERMISSION_MANAGE
VIEW = common.COMPANY_COMPLAINTS_PERMISSION_VIEW
CONTACT = common.COMPANY_CONTACT_TYPE_SES_COMPLAINTS_CONTACT
MANAGER = common.AGENCY_ROLE_COMPLAINT_MANAGER
AGENCY_ADMIN = common.AGENCY_ROLE_ACCOUNT_ADMINISTRATOR
VIEWER = common.AGENCY_ROLE_COMPLAINT_VIEWER


@dataclass(frozen=True)
class Person:
    """A signed-in user and the access token they hold."""

    user_id: str
    email: str
    token: str

    @property
    def md(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.token}"),)


@dataclass(frozen=True)
class Outcome:
    """How a call ended: ``OK``, or the status code and reason of its refusal."""

    code: grpc.StatusCode
    reason: str = ""

    @property
    def unauthenticated(self) -> bool:
        return self.code is Code.UNAUTHENTICATED

    def __str__(self) -> str:
        return self.code.name + (f" ({self.reason})" if self.reason else "")


OK = Outcome(Code.OK)
DEACTIVATED = Outcome(Code.UNAUTHENTICATED, "account_deactivated")


async def outcome(call: Awaitable[Any]) -> Outcome:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return Outcome(error.code(), error_reason(error) or "")
    return OK


async def seconds_until(condition: Callable[[], Awaitable[bool]], *, patience: float) -> float:
    """Poll ``condition`` (every 20 ms) until it holds; the seconds that took."""
    started = time.monotonic()
    await eventually(condition, timeout=patience, interval=0.02, message="the change to apply")
    return time.monotonic() - started


def unique(prefix: str) -> str:
    return f"{prefix}{random.randrange(10**9):09d}"


@dataclass
class Scene:
    channels: Mapping[str, grpc.aio.Channel]
    enrollment_db: Engine
    # Call metadata of a platform operator (creates agencies).
    operator_md: Any = ()

    @property
    def enrollment(self) -> epb_grpc.EnrollmentServiceStub:
        return epb_grpc.EnrollmentServiceStub(self.channels["enrollment"])

    @property
    def auth(self) -> epb_grpc.AuthServiceStub:
        return epb_grpc.AuthServiceStub(self.channels["enrollment"])

    @property
    def complaints(self) -> cpb_grpc.ComplaintsServiceStub:
        return cpb_grpc.ComplaintsServiceStub(self.channels["complaints"])

    @property
    def files(self) -> fpb_grpc.FilesServiceStub:
        return fpb_grpc.FilesServiceStub(self.channels["files"])

    @property
    def notify(self) -> npb_grpc.NotifyServiceStub:
        return npb_grpc.NotifyServiceStub(self.channels["notify"])

    # -- people ----------------------------------------------------------------------------

    def link_of(self, user_id: str) -> str:
        """The latest activation link sent to the user (from the enrollment outbox)."""
        with self.enrollment_db.connect() as connection:
            rows = connection.execute(
                select(outbox_table.c.subject, outbox_table.c.payload).order_by(outbox_table.c.seq)
            ).all()
        kinds: dict[str, type[UserCreated] | type[ActivationLinkIssued]] = {
            UserCreated.subject(): UserCreated,
            ActivationLinkIssued.subject(): ActivationLinkIssued,
        }
        links = []
        for subject, payload in rows:
            kind = kinds.get(subject)
            if kind is not None:
                event = CODEC.decode(kind, bytes(payload))
                if event.user_id == user_id and event.activation_link:
                    links.append(event.activation_link)
        assert links, f"no activation link was sent to {user_id}"
        return links[-1]

    async def activate_and_sign_in(self, user: epb.User) -> Person:
        link = self.link_of(user.user_id)
        first = await self.auth.ActivateAccount(
            epb.ActivateAccountRequest(activation_token=link, password=PASSWORD)
        )
        totp = pyotp.TOTP(first.totp_secret)
        previous_step = datetime.now(UTC) - timedelta(seconds=30)
        done = await self.auth.ActivateAccount(
            epb.ActivateAccountRequest(
                activation_token=link, password=PASSWORD, totp_code=totp.at(previous_step)
            )
        )
        assert done.activated
        session = await self.auth.SignIn(
            epb.SignInRequest(email=user.email, password=PASSWORD, totp_code=totp.now())
        )
        return Person(user.user_id, user.email, session.tokens.access_token)

    async def agency(self, operator_md: Any) -> tuple[str, Person]:
        """A new agency and its signed-in Agency Account Administrator."""
        code = unique("A")[:12]
        created = await self.enrollment.CreateAgency(
            epb.CreateAgencyRequest(
                code=code,
                name=f"Agency {code}",
                state_code="NY",
                first_administrator=_new_user(f"admin.{code.lower()}@agency.example"),
            ),
            metadata=operator_md,
        )
        return created.agency.agency_id, await self.activate_and_sign_in(
            created.first_administrator
        )

    async def agency_user(self, admin: Person, role: int) -> Person:
        created = await self.enrollment.CreateAgencyUser(
            epb.CreateAgencyUserRequest(
                user=_new_user(f"{unique('u')}@agency.example"), roles=[role]
            ),
            metadata=admin.md,
        )
        return await self.activate_and_sign_in(created.user)

    async def enrolled_company(self, manager: Person) -> tuple[str, Person]:
        """A new company, enrolled: its first user is Account Administrator and Contact."""
        company = (
            await self.enrollment.RegisterCompany(
                epb.RegisterCompanyRequest(
                    nmls_id=str(random.randrange(10**6, 10**7)),
                    legal_name=f"Company {unique('C')} LLC",
                    kind=epb.COMPANY_KIND_NMLS_REGISTERED,
                    address=common.Address(
                        address_lines=["1 Loan Way"],
                        city="Albany",
                        state_code="NY",
                        postal_code="12207",
                    ),
                ),
                metadata=manager.md,
            )
        ).company
        company_id = company.company_id
        first_user = (
            await self.enrollment.CreateCompanyUser(
                epb.CreateCompanyUserRequest(
                    company_id=company_id, user=_new_user(f"{unique('first')}@company.example")
                ),
                metadata=manager.md,
            )
        ).user
        await self.enrollment.InitiateEnrollment(
            epb.InitiateEnrollmentRequest(company_id=company_id, first_user_id=first_user.user_id),
            metadata=manager.md,
        )
        first = await self.activate_and_sign_in(first_user)
        await self.enrollment.AssignCompanyContact(
            epb.AssignCompanyContactRequest(
                company_id=company_id, contact_type=CONTACT, user_id=first.user_id
            ),
            metadata=first.md,
        )
        await self.enrollment.CompleteEnrollment(
            epb.CompleteEnrollmentRequest(company_id=company_id, company_confirmed=True),
            metadata=first.md,
        )
        return company_id, first

    async def company_user(self, admin: Person, company_id: str, permission: int) -> Person:
        created = await self.enrollment.CreateCompanyUser(
            epb.CreateCompanyUserRequest(
                company_id=company_id,
                user=_new_user(f"{unique('c')}@company.example"),
                complaints_permission=permission,
            ),
            metadata=admin.md,
        )
        return await self.activate_and_sign_in(created.user)

    # -- complaints --------------------------------------------------------------------------

    async def sent_complaint(self, manager: Person, company_id: str) -> tuple[str, str]:
        """A complaint against the company with an IR sent to it: (complaint id, IR id)."""
        today = eastern_today(datetime.now(UTC))
        details = cpb.ComplaintDetails(
            complainant=cpb.Complainant(given_name="Jane", family_name="Consumer"),
            received_date=common.Date(year=today.year, month=today.month, day=today.day),
            products=["Mortgage servicing"],
            description="A late fee was charged although the payment was on time.",
        )

        async def created() -> cpb.Complaint | None:
            # The complaints service learns of the company from the enrollment events.
            try:
                response = await self.complaints.CreateComplaint(
                    cpb.CreateComplaintRequest(company_id=company_id, details=details),
                    metadata=manager.md,
                )
            except grpc.aio.AioRpcError as error:
                if error.code() is not Code.NOT_FOUND:
                    raise
                return None
            return response.complaint

        complaint = await eventually(created, timeout=30, message="the company to be known")
        due = OperatingCalendar().add_business_days(today, 10)
        ir = (
            await self.complaints.AddInformationRequest(
                cpb.AddInformationRequestRequest(
                    complaint_id=complaint.complaint_id,
                    request_text="Send the payment history.",
                    due_date=common.Date(year=due.year, month=due.month, day=due.day),
                ),
                metadata=manager.md,
            )
        ).information_request
        await self.complaints.SendInformationRequests(
            cpb.SendInformationRequestsRequest(complaint_id=complaint.complaint_id),
            metadata=manager.md,
        )
        return complaint.complaint_id, ir.information_request_id

    # -- one read and one write per service, for any signed-in user ---------------------------

    def probes(self, person: Person) -> dict[str, Callable[[], Awaitable[Outcome]]]:
        """Calls that change nothing that matters, by ``<service> <read|write>``."""
        md = person.md
        return {
            "enrollment read": lambda: outcome(
                self.enrollment.SearchCompanies(
                    epb.SearchCompaniesRequest(query="LLC"), metadata=md
                )
            ),
            "enrollment write": lambda: outcome(
                self.enrollment.UpdateUserRoles(
                    epb.UpdateUserRolesRequest(user_id="no-such-user", agency_roles=[VIEWER]),
                    metadata=md,
                )
            ),
            "complaints read": lambda: outcome(
                self.complaints.ListComplaints(cpb.ListComplaintsRequest(), metadata=md)
            ),
            "complaints write": lambda: outcome(
                self.complaints.AssignCompanyPoc(
                    cpb.AssignCompanyPocRequest(complaint_id="no-such-complaint", user_id="x"),
                    metadata=md,
                )
            ),
            "files read": lambda: outcome(
                self.files.GetUploadStatus(
                    fpb.GetUploadStatusRequest(upload_id="00000000-0000-0000-0000-000000000000"),
                    metadata=md,
                )
            ),
            "files write": lambda: outcome(
                self.files.StartUpload(
                    fpb.StartUploadRequest(
                        kind=common.ATTACHMENT_KIND_RESPONSE,
                        files=[fpb.DeclaredFile(name="letter.pdf", size_bytes=10)],
                    ),
                    metadata=md,
                )
            ),
            "notify read": lambda: outcome(
                self.notify.ListNotifications(npb.ListNotificationsRequest(), metadata=md)
            ),
            "notify write": lambda: outcome(
                self.notify.MarkRead(npb.MarkReadRequest(all=True), metadata=md)
            ),
        }


def _new_user(email: str) -> epb.NewUser:
    return epb.NewUser(email=email, given_name="Test", family_name="Person")
