"""The project's acceptance test: the job aid through the SDK, the services as processes.

The four services run as ``ses serve <service>`` processes (one address each) on
PostgreSQL (one database per service), a shared ``nats-server`` and a real SMTP server
(aiosmtpd); the test drives them only through ``ses_sdk.SesClient`` with one address per
service, as an integrator would, and reads the e-mails as people would: every account is
activated with the link of its welcome e-mail.

The flow (job aid §1-5): a platform operator creates the agency and its administrator;
the administrator creates a Complaint Manager; the manager registers a company, records a
complaint, sends it an information request (IR) and enrolls the company by creating its
first user; that user activates, creates a POC and a contributor, becomes the SES
Complaints Contact and completes enrollment; the Contact assigns the POC; the POC adds the
contributor, who drafts and sends the draft to the POC; the POC attaches 30 files (two
batches of 25 and 5) and a link, and submits the response restricted; the agency sends it
back; the POC resubmits; the agency closes the complaint.

E-mails: after each step the test waits (polling the SMTP sink to a deadline) for exactly
the e-mails ``EXPECTED`` names for it (recipient and subject words), each once; every
e-mail about the complaint names its reference number; at the end no e-mail came twice
and none came that was not expected.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from ses_core.calendar import OperatingCalendar
from ses_core.identity import Actor
from ses_core.lifecycle import eastern_today
from ses_core.platform.settings import Settings, load_settings
from ses_core.testing import NatsServerProcess, PostgresCluster, wait_until
from ses_core.testing.hosting import bearer
from ses_core.testing.services import ServeProcess, serve_environment
from ses_core.testing.smtp import SmtpSink
from ses_sdk import NotFound, PermissionDenied, SesClient
from ses_sdk.common import Address, AgencyRole, CompanyComplaintsPermission, CompanyContactType
from ses_sdk.complaints import (
    CloseReason,
    Complainant,
    ComplaintDetails,
    ComplaintStatus,
    InformationRequestStatus,
)
from ses_sdk.enrollment import CompanyKind, NewUser, User
from ses_sdk.testing import activate_with_link, activation_link, text_of

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.postgres]

SERVICES = ("enrollment", "complaints", "files", "notify")
PASSWORD = "a long pass phrase for the acceptance test"
LINK = "https://share.acme.example/payment-history.zip"


# -- the e-mails ------------------------------------------------------------------------------


def recipient(message: EmailMessage) -> str:
    return str(message["To"]).strip("<> ").lower()


# -- the processes -----------------------------------------------------------------------------


@dataclass
class System:
    settings: Settings
    addresses: dict[str, str]
    mail: SmtpSink

    def client(self, **options: Any) -> SesClient:
        return SesClient(addresses=self.addresses, insecure=True, **options)


@pytest.fixture(scope="module")
def system(
    tmp_path_factory: pytest.TempPathFactory, postgres_cluster: PostgresCluster
) -> Iterator[System]:
    home = tmp_path_factory.mktemp("acceptance")
    data_dir = home / "data"
    suffix = os.urandom(4).hex()
    databases = {
        service: postgres_cluster.create_database(f"accept_{service}_{suffix}")
        for service in SERVICES
    }
    with NatsServerProcess(home / "nats") as broker, SmtpSink() as mail:
        environment = serve_environment(
            data_dir=data_dir, nats_url=broker.url, databases=databases, smtp_port=mail.port
        )
        running = [
            ServeProcess(service, environment, home / f"{service}.log") for service in SERVICES
        ]
        try:
            # The first creates the signing keys and the grant secret that the others load;
            # then the other three start side by side.
            running[0].start(timeout=120)
            for served in running[1:]:
                served.launch()
            for served in running[1:]:
                served.wait_serving(timeout=120)
            settings = load_settings(
                data_dir=data_dir, nats={"url": broker.url}, database=databases
            )
            yield System(settings, {s.service: s.address for s in running}, mail)
        finally:
            for served in running:  # all asked to stop at once, then awaited
                served.terminate()
            for served in running:
                served.stop()
            for service in SERVICES:
                postgres_cluster.drop_database(f"accept_{service}_{suffix}")


# -- people ------------------------------------------------------------------------------------


def welcome_link(system: System, address: str) -> str:
    def found() -> str | None:
        for message in system.mail.messages:
            if recipient(message) == address.lower() and (link := activation_link(message)):
                return link
        return None

    link = wait_until(found, timeout=60, message=f"the welcome e-mail to {address}")
    assert link is not None
    return link


def person(system: System, user: User | None) -> SesClient:
    """The user activates from the welcome e-mail and signs in; their client."""
    assert user is not None
    with system.client() as anonymous:
        secret = activate_with_link(anonymous, welcome_link(system, user.email), PASSWORD)
    client = system.client()
    client.sign_in(email=user.email, password=PASSWORD, totp_secret=secret)
    return client


def until_known(call: Any, message: str) -> Any:
    """``call()`` once the service it asks has heard (by events) of whom it names."""

    def attempt() -> Any:
        try:
            return call() or True
        except (NotFound, PermissionDenied):
            return None

    return wait_until(attempt, timeout=60, message=message)


# -- the e-mails -------------------------------------------------------------------------------

ADMIN = "ada@dfs.example"
MANAGER = "maria@dfs.example"
FIRST = "fay@acme.example"
POC = "paul@acme.example"
HELPER = "cora@acme.example"

# step → the e-mails it causes: (recipient, words of the subject), each exactly once.
# "ref" in the words: the e-mail is about the complaint and must name its reference number.
EXPECTED: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "agency created": [(ADMIN, ("activate",))],
    "manager created": [(MANAGER, ("activate",))],
    "enrollment initiated": [(FIRST, ("activate",))],
    "colleagues created": [(POC, ("activate",)), (HELPER, ("activate",))],
    "enrollment completed": [(MANAGER, ("enrollment",)), (FIRST, ("ref",))],
    "poc assigned": [(POC, ("ref",))],
    "contributor added": [(HELPER, ("ref",))],
    "draft sent to poc": [(POC, ("ref",))],
    "response submitted": [(MANAGER, ("ref",))],
    "response sent back": [(POC, ("ref",))],
    "response resubmitted": [(MANAGER, ("ref",))],
    "complaint closed": [(FIRST, ("ref",)), (POC, ("ref",)), (HELPER, ("ref",))],
}


class Mailbox:
    """What the sink received, step by step."""

    def __init__(self, system: System) -> None:
        self.sink = system.mail
        self.seen = 0
        self.reference = ""
        self.log: list[tuple[str, str, str]] = []  # (step, recipient, subject)

    def expect(self, step: str) -> None:
        wanted = EXPECTED[step]

        def arrived() -> list[EmailMessage] | None:
            new = self.sink.messages[self.seen :]
            return new if len(new) >= len(wanted) else None

        new = wait_until(arrived, timeout=60, message=f"the e-mails of '{step}'")
        assert new is not None
        self.seen += len(new)
        got = sorted((recipient(m), str(m["Subject"])) for m in new)
        assert len(new) == len(wanted), f"{step}: {got}"
        for address, words in wanted:
            matching = [m for m in new if recipient(m) == address]
            assert len(matching) == 1, f"{step}: one e-mail to {address} expected, got {got}"
            message = matching[0]
            subject = str(message["Subject"]).lower()
            for word in words:
                if word == "ref":
                    assert self.reference in str(message["Subject"]) + text_of(message), (
                        f"{step}: the e-mail to {address} does not name {self.reference}"
                    )
                else:
                    assert word in subject, f"{step}: {subject!r} lacks {word!r}"
            self.log.append((step, address, str(message["Subject"])))

    def nothing_else(self) -> None:
        messages = self.sink.messages
        assert len(messages) == self.seen
        counts = Counter((recipient(m), str(m["Message-ID"])) for m in messages)
        assert max(counts.values()) == 1


# -- the job aid -------------------------------------------------------------------------------


def new_user(address: str, given: str, family: str) -> NewUser:
    return NewUser(email=address, given_name=given, family_name=family)


def test_the_job_aid_through_the_sdk_with_the_services_as_processes(
    system: System, tmp_path: Path
) -> None:
    mail = Mailbox(system)
    operator_token = bearer(system.settings, Actor.platform_operator("op-acceptance"))
    with system.client(token=operator_token) as operator:
        agency = operator.enrollment.create_agency(
            code="DFS",
            name="Department of Financial Services",
            state_code="NY",
            first_administrator=new_user(ADMIN, "Ada", "Admin"),
        )
    mail.expect("agency created")
    admin = person(system, agency.first_administrator)

    created = admin.enrollment.create_agency_user(
        user=new_user(MANAGER, "Maria", "Manager"), roles=[AgencyRole.COMPLAINT_MANAGER]
    )
    mail.expect("manager created")
    manager = person(system, created.user)

    # -- 1. The agency records a complaint against a company not enrolled yet, sends an IR.
    company = manager.enrollment.register_company(
        legal_name="Acme Mortgage LLC",
        kind=CompanyKind.NMLS_REGISTERED,
        nmls_id="765432",
        address=Address(
            address_lines=("1 Loan Way",), city="Albany", state_code="NY", postal_code="12207"
        ),
    ).company
    assert company is not None
    details = ComplaintDetails(
        complainant=Complainant(given_name="Jane", family_name="Consumer"),
        received_date=eastern_today(datetime.now(UTC)),
        products=("Mortgage servicing",),
        description="A late fee was charged although the payment was on time.",
    )
    complaint = until_known(
        lambda: (
            manager.complaints.create_complaint(
                company_id=company.company_id, details=details
            ).complaint
        ),
        "the company to reach complaints",
    )
    cid = complaint.complaint_id
    mail.reference = complaint.reference_number
    assert mail.reference.startswith("DFS-")
    ir = manager.complaints.add_information_request(
        complaint_id=cid, request_text="Send the payment history and the fee waiver policy."
    ).information_request
    ir_id = ir.information_request_id
    manager.complaints.send_information_requests(complaint_id=cid)

    # -- 2. The agency creates the company's first user and initiates enrollment.
    first_user = manager.enrollment.create_company_user(
        company_id=company.company_id, user=new_user(FIRST, "Fay", "First")
    ).user
    assert first_user is not None
    manager.enrollment.initiate_enrollment(
        company_id=company.company_id, first_user_id=first_user.user_id
    )
    mail.expect("enrollment initiated")

    # -- 3. The first user activates, creates colleagues, is the Contact, completes.
    contact = person(system, first_user)
    manage = CompanyComplaintsPermission.MANAGE
    poc_user = contact.enrollment.create_company_user(
        company_id=company.company_id,
        user=new_user(POC, "Paul", "Poc"),
        complaints_permission=manage,
    ).user
    helper_user = contact.enrollment.create_company_user(
        company_id=company.company_id,
        user=new_user(HELPER, "Cora", "Contributor"),
        complaints_permission=manage,
    ).user
    assert poc_user is not None
    assert helper_user is not None
    mail.expect("colleagues created")
    contact.enrollment.assign_company_contact(
        company_id=company.company_id,
        contact_type=CompanyContactType.SES_COMPLAINTS_CONTACT,
        user_id=first_user.user_id,
    )
    contact.enrollment.complete_enrollment(company_id=company.company_id, company_confirmed=True)
    mail.expect("enrollment completed")  # and the IR held until now reaches the Contact
    poc = person(system, poc_user)
    helper = person(system, helper_user)

    # -- 4. The Contact assigns the Company POC.
    until_known(
        lambda: contact.complaints.assign_company_poc(complaint_id=cid, user_id=poc_user.user_id),
        "the POC to reach complaints",
    )
    mail.expect("poc assigned")

    # -- 5. The POC adds a contributor, who drafts and sends the draft to the POC.
    until_known(
        lambda: poc.complaints.add_contributor(complaint_id=cid, user_id=helper_user.user_id),
        "the contributor to reach complaints",
    )
    mail.expect("contributor added")
    helper.complaints.save_response_draft(
        complaint_id=cid,
        information_request_id=ir_id,
        text="The fee was reversed on 3 March; see the payment history.",
        internal_comment="Check with legal before sending",
    )
    helper.complaints.send_draft_to_poc(complaint_id=cid, information_request_id=ir_id)
    mail.expect("draft sent to poc")

    # The POC adds 30 files (two batches of 25 and 5) and a link, restricted, and submits.
    folder = tmp_path / "scans"
    folder.mkdir()
    paths = []
    for index in range(30):
        path = folder / f"scan-{index:02d}.bin"
        path.write_bytes(f"page {index}\n".encode() * (50 + index))
        paths.append(path)
    saves: list[int] = []
    attached = poc.complaints.attach_files_to_draft(
        complaint_id=cid,
        information_request_id=ir_id,
        paths=paths,
        names=[f"Payment history {index + 1}.pdf" for index in range(30)],
        restricted=True,
        progress=lambda p: saves.append(p.files_attached) if p.file is None else None,
    )
    assert saves == [25, 30]
    poc.complaints.save_response_draft(
        complaint_id=cid, information_request_id=ir_id, add_file_sharing_links=[LINK]
    )
    submitted = poc.complaints.submit_response(
        complaint_id=cid, information_request_id=ir_id, restricted=True
    ).information_request
    assert submitted is not None
    assert submitted.status == InformationRequestStatus.RESPONSE_SENT
    mail.expect("response submitted")

    agency_view = manager.complaints.get_complaint(complaint_id=cid).complaint
    assert agency_view is not None
    (received,) = agency_view.information_requests[0].submitted_responses
    assert received.restricted
    assert [a.file_id for a in received.attachments] == [f.file_id for f in attached.files]
    assert received.file_sharing_links == (LINK,)
    assert received.text.startswith("The fee was reversed")
    helper_view = helper.complaints.get_complaint(complaint_id=cid).complaint
    assert helper_view is not None
    assert helper_view.information_requests[0].submitted_responses == ()  # restricted

    # -- 6. The agency sends the response back; the POC resubmits; the agency closes.
    new_due = OperatingCalendar().add_business_days(eastern_today(datetime.now(UTC)), 5)
    manager.complaints.send_back_response(
        complaint_id=cid,
        information_request_id=ir_id,
        reason="Attach the fee waiver policy too.",
        new_due_date=new_due,
    )
    mail.expect("response sent back")
    poc.complaints.save_response_draft(
        complaint_id=cid,
        information_request_id=ir_id,
        text="Fee reversed on 3 March; the waiver policy is attached too.",
    )
    poc.complaints.submit_response(complaint_id=cid, information_request_id=ir_id)
    mail.expect("response resubmitted")
    closed = manager.complaints.close_complaint(
        complaint_id=cid,
        reason=CloseReason.CLOSED_WITH_NON_MONETARY_RELIEF,
        shared_comments="Thank you; the fee was reversed.",
    ).complaint
    assert closed is not None
    assert closed.status == ComplaintStatus.CLOSED
    mail.expect("complaint closed")
    mail.nothing_else()

    for client in (admin, manager, contact, poc, helper):
        client.close()
