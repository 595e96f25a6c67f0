"""The job aid "Your First Complaint in SES", end to end over real gRPC.

The enrollment and complaints services run in one host (as ``ses up`` runs them), on
a real ``nats-server`` and SQLite, and talk only through events: the complaints
service learns of the company, its users and its enrollment from the enrollment
service's events. Every person signs in as a person would: activation link (read
from the enrollment service's outbox, where the notify service would find it),
password, TOTP code from ``pyotp``. At each step the other side's view is checked,
including what it must not see.

Steps (job aid §1-5, DESIGN §1): the agency records a complaint against a company
that is not enrolled yet and sends an information request; it creates the company's
first user and initiates enrollment; the first user activates, creates colleagues,
names the SES Complaints Contact and completes enrollment; the complaint appears at
the company; the Contact assigns the Company POC; the POC adds a contributor, who
drafts; the POC submits a restricted response; the agency sends it back; the POC
resubmits; the agency closes the complaint.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pyotp
import pytest
import pytest_asyncio
from sqlalchemy import Engine, select

from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as cpb
from ses.complaints.v1 import complaints_pb2_grpc as cpb_grpc
from ses.enrollment.v1 import enrollment_pb2 as epb
from ses.enrollment.v1 import enrollment_pb2_grpc as epb_grpc
from ses_complaints.bootstrap import plugin as complaints_plugin
from ses_core.accounts import ActivationLinkIssued, UserCreated
from ses_core.calendar import OperatingCalendar
from ses_core.identity import Actor
from ses_core.lifecycle import eastern_today
from ses_core.platform.db import create_database_engine, outbox_table
from ses_core.platform.messaging import ProtobufEventCodec
from ses_core.platform.runtime import ServiceHost
from ses_core.testing import NatsServerProcess, eventually
from ses_core.testing.hosting import host_settings, metadata_for
from ses_enrollment.bootstrap import EnrollmentPlugin
from ses_enrollment.settings import EnrollmentSettings

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]

PASSWORD = "a long pass phrase for the job aid"
CODEC = ProtobufEventCodec()
NOT_FOUND = grpc.StatusCode.NOT_FOUND
# Cheap password hashing keeps the test fast; production keeps the defaults.
FAST = EnrollmentSettings(argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)


class OffsetClock:
    """The wall clock plus an offset: each TOTP code needs a time step of its own."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class System:
    host: ServiceHost
    channel: grpc.aio.Channel
    enrollment_db: Engine
    clock: OffsetClock
    settings: Any

    @property
    def enrollment(self) -> epb_grpc.EnrollmentServiceStub:
        return epb_grpc.EnrollmentServiceStub(self.channel)

    @property
    def auth(self) -> epb_grpc.AuthServiceStub:
        return epb_grpc.AuthServiceStub(self.channel)

    @property
    def complaints(self) -> cpb_grpc.ComplaintsServiceStub:
        return cpb_grpc.ComplaintsServiceStub(self.channel)

    def link_of(self, user_id: str) -> str:
        """The latest activation link e-mailed to the user (from the enrollment outbox)."""
        with self.enrollment_db.connect() as connection:
            rows = connection.execute(
                select(outbox_table.c.subject, outbox_table.c.payload).order_by(outbox_table.c.seq)
            ).all()
        links = []
        for subject, payload in rows:
            kinds = {UserCreated.subject(): UserCreated}
            kinds[ActivationLinkIssued.subject()] = ActivationLinkIssued  # type: ignore[assignment]
            kind = kinds.get(subject)
            if kind is None:
                continue
            event = CODEC.decode(kind, bytes(payload))
            if event.user_id == user_id and event.activation_link:
                links.append(event.activation_link)
        assert links, f"no activation link was sent to {user_id}"
        return links[-1]

    def code(self, secret: str) -> str:
        self.clock.offset += timedelta(seconds=30)
        return pyotp.TOTP(secret).at(self.clock.now())

    async def activate_and_sign_in(self, user: epb.User) -> tuple[tuple[str, str], ...]:
        """Activation link → password → authenticator → sign-in; the user's call metadata."""
        link = self.link_of(user.user_id)
        first = await self.auth.ActivateAccount(
            epb.ActivateAccountRequest(activation_token=link, password=PASSWORD)
        )
        done = await self.auth.ActivateAccount(
            epb.ActivateAccountRequest(
                activation_token=link, password=PASSWORD, totp_code=self.code(first.totp_secret)
            )
        )
        assert done.activated
        self.secrets[user.email] = first.totp_secret
        return await self.sign_in(user.email)

    async def sign_in(self, email: str) -> tuple[tuple[str, str], ...]:
        session = await self.auth.SignIn(
            epb.SignInRequest(
                email=email, password=PASSWORD, totp_code=self.code(self.secrets[email])
            )
        )
        return (("authorization", f"Bearer {session.tokens.access_token}"),)

    secrets: dict[str, str]


@pytest_asyncio.fixture
async def system(tmp_path: Path) -> AsyncIterator[System]:
    with NatsServerProcess(tmp_path / "nats") as broker:
        settings = host_settings(tmp_path / "data", nats_url=broker.url)
        clock = OffsetClock()
        host = ServiceHost(settings, [EnrollmentPlugin(FAST), complaints_plugin], clock=clock)
        await host.start()
        engine = create_database_engine(settings.database.url_for("enrollment"))
        try:
            async with grpc.aio.insecure_channel(host.address) as channel:
                yield System(host, channel, engine, clock, settings, {})
        finally:
            engine.dispose()
            await host.stop()


def _new_user(email: str, given: str, family: str) -> epb.NewUser:
    return epb.NewUser(email=email, given_name=given, family_name=family)


def _ir(complaint: cpb.Complaint) -> cpb.InformationRequest:
    (ir,) = complaint.information_requests
    return ir


async def _not_found(call: Any) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call
    assert error.value.code() == NOT_FOUND, error.value.details()


async def test_first_complaint_from_recording_to_closure(system: System) -> None:
    s, c = system, system.complaints
    operator = metadata_for(s.settings, Actor.platform_operator("op-1"))

    # -- The agency is set up: an administrator, then a Complaint Manager who signs in.
    agency = await s.enrollment.CreateAgency(
        epb.CreateAgencyRequest(
            code="NYDFS",
            name="New York DFS",
            state_code="NY",
            first_administrator=_new_user("admin@dfs.ny.example", "Ada", "Admin"),
        ),
        metadata=operator,
    )
    admin = await s.activate_and_sign_in(agency.first_administrator)
    manager_user = await s.enrollment.CreateAgencyUser(
        epb.CreateAgencyUserRequest(
            user=_new_user("maria@dfs.ny.example", "Maria", "Manager"),
            roles=[common.AGENCY_ROLE_COMPLAINT_MANAGER],
        ),
        metadata=admin,
    )
    manager = await s.activate_and_sign_in(manager_user.user)

    # -- 1. The agency records the complaint against a company that is not enrolled.
    company = (
        await s.enrollment.RegisterCompany(
            epb.RegisterCompanyRequest(
                nmls_id="123456",
                legal_name="Acme Mortgage LLC",
                kind=epb.COMPANY_KIND_NMLS_REGISTERED,
                address=common.Address(
                    address_lines=["1 Loan Way"],
                    city="Albany",
                    state_code="NY",
                    postal_code="12207",
                ),
            ),
            metadata=manager,
        )
    ).company
    today = eastern_today(s.clock.now())
    details = cpb.ComplaintDetails(
        complainant=cpb.Complainant(
            given_name="Jane", family_name="Consumer", email="jane@example.com", phone="5185550100"
        ),
        received_date=common.Date(year=today.year, month=today.month, day=today.day),
        products=["Mortgage servicing"],
        categories=["escrow"],
        desired_outcome="Refund of the late fee",
        description="A late fee was charged although the payment was on time.",
    )

    async def recorded() -> cpb.Complaint | None:
        # The complaints service learns of the company from the enrollment service's event.
        try:
            response = await c.CreateComplaint(
                cpb.CreateComplaintRequest(company_id=company.company_id, details=details),
                metadata=manager,
            )
        except grpc.aio.AioRpcError as error:
            if error.code() != NOT_FOUND:
                raise
            return None
        return response.complaint

    complaint = await eventually(recorded, timeout=30, message="the company to reach complaints")
    cid = complaint.complaint_id
    assert complaint.agency_poc.display_name == "Maria Manager"
    # Numbered by the agency's code (learned from enrollment's AgencyCreated) and the year.
    assert complaint.reference_number == f"NYDFS-{today.year}-000001"

    # -- 4 (early). The agency sends an IR before the company has enrolled.
    due = OperatingCalendar().add_business_days(today, 10)
    ir = (
        await c.AddInformationRequest(
            cpb.AddInformationRequestRequest(
                complaint_id=cid,
                request_text="Send the payment history and the fee waiver policy.",
                due_date=common.Date(year=due.year, month=due.month, day=due.day),
            ),
            metadata=manager,
        )
    ).information_request
    sent = (
        await c.SendInformationRequests(
            cpb.SendInformationRequestsRequest(complaint_id=cid), metadata=manager
        )
    ).complaint
    ir_id = ir.information_request_id
    assert _ir(sent).status == cpb.INFORMATION_REQUEST_STATUS_SENT_TO_COMPANY

    # -- 2. The agency creates the company's first user and initiates enrollment.
    first_user = (
        await s.enrollment.CreateCompanyUser(
            epb.CreateCompanyUserRequest(
                company_id=company.company_id,
                user=_new_user("fay@acme.example", "Fay", "First"),
            ),
            metadata=manager,
        )
    ).user
    await s.enrollment.InitiateEnrollment(
        epb.InitiateEnrollmentRequest(
            company_id=company.company_id, first_user_id=first_user.user_id
        ),
        metadata=manager,
    )

    # -- 3. The first user activates, signs in with TOTP, creates colleagues, completes.
    first = await s.activate_and_sign_in(first_user)
    get = cpb.GetComplaintRequest(complaint_id=cid)
    await _not_found(c.GetComplaint(get, metadata=first))  # not enrolled yet: nothing to see

    async def colleague(email: str, given: str, family: str, permission: int) -> epb.User:
        created = await s.enrollment.CreateCompanyUser(
            epb.CreateCompanyUserRequest(
                company_id=company.company_id,
                user=_new_user(email, given, family),
                complaints_permission=permission,  # type: ignore[arg-type]
            ),
            metadata=first,
        )
        return created.user

    manage = common.COMPANY_COMPLAINTS_PERMISSION_MANAGE
    poc_user = await colleague("paul@acme.example", "Paul", "Poc", manage)
    helper_user = await colleague("cora@acme.example", "Cora", "Contributor", manage)
    reader_user = await colleague(
        "vic@acme.example", "Vic", "Viewer", common.COMPANY_COMPLAINTS_PERMISSION_VIEW
    )
    await s.enrollment.AssignCompanyContact(
        epb.AssignCompanyContactRequest(
            company_id=company.company_id,
            contact_type=common.COMPANY_CONTACT_TYPE_SES_COMPLAINTS_CONTACT,
            user_id=first_user.user_id,
        ),
        metadata=first,
    )
    await s.enrollment.CompleteEnrollment(
        epb.CompleteEnrollmentRequest(company_id=company.company_id, company_confirmed=True),
        metadata=first,
    )
    # No new sign-in: the token held since activation gets the new designations (the
    # complaints service learns of them within seconds).
    contact = first
    poc = await s.activate_and_sign_in(poc_user)
    helper = await s.activate_and_sign_in(helper_user)
    reader = await s.activate_and_sign_in(reader_user)

    async def company_sees() -> cpb.Complaint | None:
        try:
            return (await c.GetComplaint(get, metadata=contact)).complaint
        except grpc.aio.AioRpcError as error:
            if error.code() != NOT_FOUND:
                raise
            return None

    # The IR sent before enrollment becomes visible once the company enrolls.
    seen = await eventually(company_sees, timeout=30, message="the enrollment to reach complaints")
    assert seen.view == cpb.COMPLAINT_VIEW_COMPANY
    assert _ir(seen).information_request_id == ir_id
    assert seen.details.complainant.given_name == "Jane"
    assert not seen.details.complainant.email
    assert not seen.details.complainant.phone
    assert not seen.details.desired_outcome
    assert not list(seen.details.categories)

    # -- 4. The SES Complaints Contact assigns the Company POC.
    async def poc_assigned() -> cpb.Complaint | None:
        try:
            request = cpb.AssignCompanyPocRequest(complaint_id=cid, user_id=poc_user.user_id)
            return (await c.AssignCompanyPoc(request, metadata=contact)).complaint
        except grpc.aio.AioRpcError as error:
            # The POC's account, or the Contact's designation, is still on its way.
            if error.code() not in (NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED):
                raise
            return None

    assigned = await eventually(poc_assigned, timeout=30, message="the POC to reach complaints")
    assert assigned.company_poc.display_name == "Paul Poc"
    agency_view = (await c.GetComplaint(get, metadata=manager)).complaint
    assert agency_view.company_poc.user_id == poc_user.user_id

    # -- 5. The POC adds a contributor, who drafts; drafts never reach the agency.
    await c.AddContributor(
        cpb.AddContributorRequest(complaint_id=cid, user_id=helper_user.user_id), metadata=poc
    )
    await c.SaveResponseDraft(
        cpb.SaveResponseDraftRequest(
            complaint_id=cid,
            information_request_id=ir_id,
            text="The fee was reversed on 3 March; see the payment history.",
            add_file_sharing_links=["https://share.acme.example/history.zip"],
            internal_comment="Check with legal before sending",
        ),
        metadata=helper,
    )
    await c.SendDraftToPoc(
        cpb.SendDraftToPocRequest(complaint_id=cid, information_request_id=ir_id), metadata=helper
    )
    agency_view = (await c.GetComplaint(get, metadata=manager)).complaint
    assert not _ir(agency_view).HasField("draft")
    assert "Check with legal" not in str(agency_view)
    poc_view = (await c.GetComplaint(get, metadata=poc)).complaint
    assert _ir(poc_view).draft.internal_comment == "Check with legal before sending"

    # The POC submits, restricted: only the POC and the agency see the response.
    await c.SubmitResponse(
        cpb.SubmitResponseRequest(complaint_id=cid, information_request_id=ir_id, restricted=True),
        metadata=poc,
    )
    agency_view = (await c.GetComplaint(get, metadata=manager)).complaint
    (received,) = _ir(agency_view).submitted_responses
    assert received.restricted
    assert received.text.startswith("The fee was reversed")
    assert _ir(agency_view).status == cpb.INFORMATION_REQUEST_STATUS_RESPONSE_RECEIVED
    # ... and the IR shows "Sent" to the company.
    poc_view = (await c.GetComplaint(get, metadata=poc)).complaint
    assert _ir(poc_view).status == cpb.INFORMATION_REQUEST_STATUS_RESPONSE_SENT
    # "Available Next Actions": the agency reviews; the POC may only ask for it back.
    assert list(_ir(agency_view).available_actions) == [
        cpb.INFORMATION_REQUEST_ACTION_MARK_QUICK_LOOK,
        cpb.INFORMATION_REQUEST_ACTION_SEND_BACK_RESPONSE,
        cpb.INFORMATION_REQUEST_ACTION_COMPLETE,
    ]
    assert list(_ir(poc_view).available_actions) == [
        cpb.INFORMATION_REQUEST_ACTION_REQUEST_SEND_BACK
    ]
    for colleague_md in (helper, reader, contact):
        other = _ir((await c.GetComplaint(get, metadata=colleague_md)).complaint)
        assert list(other.submitted_responses) == []
        assert "reversed" not in str(other)
    assert _ir((await c.GetComplaint(get, metadata=poc)).complaint).submitted_responses

    # -- 6. The agency reviews (quick look, agency only) and sends the response back.
    await c.MarkQuickLook(
        cpb.MarkQuickLookRequest(complaint_id=cid, information_request_id=ir_id, marked=True),
        metadata=manager,
    )
    assert not _ir((await c.GetComplaint(get, metadata=poc)).complaint).quick_look_marked
    new_due = OperatingCalendar().add_business_days(eastern_today(s.clock.now()), 5)
    await c.SendBackResponse(
        cpb.SendBackResponseRequest(
            complaint_id=cid,
            information_request_id=ir_id,
            reason="Attach the fee waiver policy too.",
            new_due_date=common.Date(year=new_due.year, month=new_due.month, day=new_due.day),
        ),
        metadata=manager,
    )
    poc_view = (await c.GetComplaint(get, metadata=poc)).complaint
    assert _ir(poc_view).status == cpb.INFORMATION_REQUEST_STATUS_SENT_BACK
    assert _ir(poc_view).send_backs[0].reason == "Attach the fee waiver policy too."
    assert _ir(poc_view).draft.restricted  # the returned response is the POC's draft again
    assert not _ir((await c.GetComplaint(get, metadata=helper)).complaint).HasField("draft")

    # The POC edits and resubmits, unrestricted this time.
    await c.SaveResponseDraft(
        cpb.SaveResponseDraftRequest(
            complaint_id=cid,
            information_request_id=ir_id,
            text="Fee reversed on 3 March; our waiver policy is linked.",
            add_file_sharing_links=["https://share.acme.example/policy.pdf"],
        ),
        metadata=poc,
    )
    await c.SubmitResponse(
        cpb.SubmitResponseRequest(complaint_id=cid, information_request_id=ir_id, restricted=False),
        metadata=poc,
    )
    agency_view = (await c.GetComplaint(get, metadata=manager)).complaint
    assert [r.restricted for r in _ir(agency_view).submitted_responses] == [True, False]
    assert not _ir(agency_view).quick_look_marked  # a new submission clears the mark
    helper_view = _ir((await c.GetComplaint(get, metadata=helper)).complaint)
    assert [r.text for r in helper_view.submitted_responses] == [
        "Fee reversed on 3 March; our waiver policy is linked."
    ]

    # -- 7. The agency closes the complaint; the company sees the outcome, not the notes.
    closed = (
        await c.CloseComplaint(
            cpb.CloseComplaintRequest(
                complaint_id=cid,
                reason=cpb.CLOSE_REASON_CLOSED_WITH_NON_MONETARY_RELIEF,
                shared_comments="Thank you; the fee was reversed.",
                notes="Escalate the servicer's fee practice at the next exam.",
            ),
            metadata=manager,
        )
    ).complaint
    assert closed.status == cpb.COMPLAINT_STATUS_CLOSED
    assert _ir(closed).status == cpb.INFORMATION_REQUEST_STATUS_COMPLETED
    company_view = (await c.GetComplaint(get, metadata=contact)).complaint
    assert company_view.status == cpb.COMPLAINT_STATUS_CLOSED
    assert company_view.closure.reason == cpb.CLOSE_REASON_CLOSED_WITH_NON_MONETARY_RELIEF
    assert company_view.closure.shared_comments == "Thank you; the fee was reversed."
    assert company_view.closure.notes == ""
    assert "Escalate" not in str(company_view)

    # Both sides read the history in their own projection.
    agency_history = await c.ListHistory(cpb.ListHistoryRequest(complaint_id=cid), metadata=manager)
    company_history = await c.ListHistory(cpb.ListHistoryRequest(complaint_id=cid), metadata=reader)
    agency_actions = [e.action for e in agency_history.entries]
    company_actions = [e.action for e in company_history.entries]
    assert agency_actions[0] == "complaint_created"
    assert agency_actions[-1] == "complaint_closed"
    assert "quick_look_marked" in agency_actions
    assert "quick_look_marked" not in company_actions
    assert "response_drafted" in company_actions
    assert "response_drafted" not in agency_actions
    assert company_actions.count("response_submitted") == 2
    listed = await c.ListComplaints(cpb.ListComplaintsRequest(), metadata=reader)
    assert [summary.complaint_id for summary in listed.complaints] == [cid]
