"""The job aid "Your First Complaint in SES", played through the SDK for ``ses demo``.

Against a ``ses up`` that seeded its demo (agency ``DEMO``; the companies of
``ses_enrollment.demo``): the Complaint Manager records a complaint against the company
that is not enrolled and sends an IR; creates the company's first user and initiates
enrollment; that user activates from the e-mail in the mail directory, creates a POC and a
contributor (who activate the same way), names themself SES Complaints Contact and
completes enrollment; the Contact assigns the POC; the POC adds the contributor, who
drafts with a link; the POC attaches files and submits the response restricted; the agency
sends it back; the POC resubmits; the agency closes. Each step prints who did it, what
each side now sees, and the e-mails written meanwhile (their paths).

Runs again on the same system: when the seeded company is enrolled already, a new company
is registered for the run; new users get addresses unique to the run. Each TOTP code
works once, so a user who signed in within the last 30 s signs in with the next step's
code (the server accepts one step of drift), and a freshly activated user does the same.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from rich.console import Console

from ses_cli._dates import eastern_today
from ses_cli._mailbox import Mail, Mailbox
from ses_cli._output import label, person
from ses_cli._session import open_client
from ses_sdk import (
    NotFound,
    PermissionDenied,
    SesClient,
    SesError,
    Unauthenticated,
    totp_code,
)
from ses_sdk.common import CompanyComplaintsPermission, CompanyContactType
from ses_sdk.complaints import (
    CloseReason,
    Complainant,
    Complaint,
    ComplaintDetails,
    InformationRequest,
)
from ses_sdk.enrollment import CompanyKind, EnrollmentStatus, NewUser

# What `ses up` seeds (ses_enrollment.demo); the CLI may not import the services.
DEMO_MANAGER_EMAIL = "manager@demo-agency.example"
DEMO_PASSWORD = "demo-password-2025"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
UNENROLLED_COMPANY = "Unenrolled Lending Inc."
NEW_USER_PASSWORD = "a long pass phrase for the demo"

T = TypeVar("T")


@dataclass
class Person:
    name: str
    email: str
    client: SesClient
    user_id: str = ""


@dataclass
class JobAid:
    address: str
    insecure: bool
    mailbox: Mailbox
    out: Console
    work_dir: Path
    timeout: float = 60.0
    people: list[Person] = field(default_factory=list)
    step_number: int = 0

    # -- the story -----------------------------------------------------------------------------

    def play(self) -> Complaint:
        run = secrets.token_hex(3)
        manager = self.sign_in(
            "Dana Manager (Complaint Manager, DEMO)", DEMO_MANAGER_EMAIL, DEMO_TOTP_SECRET
        )
        company_id, company_name = self.unenrolled_company(manager, run)

        self.step(manager, f"records a complaint against {company_name} (not enrolled)")
        complaint = self.eventually(lambda: self.create_complaint(manager, company_id))
        cid = complaint.complaint_id
        self.says(f"{complaint.reference_number} is {label(complaint.status)}")

        self.step(manager, "adds an information request and sends it")
        today = eastern_today()
        manager.client.complaints.add_information_request(
            complaint_id=cid,
            request_text="Send the payment history and the fee waiver policy.",
            due_date=today + timedelta(days=14),
        )
        sent = manager.client.complaints.send_information_requests(complaint_id=cid).complaint
        assert sent is not None
        self.says(f"agency sees: {self.irs(sent)}")

        self.step(manager, "creates the company's first user and initiates enrollment")
        first_email = f"fay.{run}@unenrolled.example"
        created = manager.client.enrollment.create_company_user(
            company_id=company_id,
            user=NewUser(email=first_email, given_name="Fay", family_name="First"),
        ).user
        assert created is not None
        manager.client.enrollment.initiate_enrollment(
            company_id=company_id, first_user_id=created.user_id
        )
        first = self.activate("Fay First (first company user)", first_email)

        self.step(
            first,
            "creates a POC and a contributor, becomes SES Complaints Contact, completes enrollment",
        )
        colleagues = {}
        for given, family in (("Paul", "Poc"), ("Cora", "Contributor")):
            email = f"{given.lower()}.{run}@unenrolled.example"
            made = first.client.enrollment.create_company_user(
                company_id=company_id,
                user=NewUser(email=email, given_name=given, family_name=family),
                complaints_permission=CompanyComplaintsPermission.MANAGE,
            ).user
            assert made is not None
            colleagues[given] = (email, made.user_id)
        first.client.enrollment.assign_company_contact(
            company_id=company_id,
            contact_type=CompanyContactType.SES_COMPLAINTS_CONTACT,
            user_id=first.user_id,
        )
        first.client.enrollment.complete_enrollment(company_id=company_id, company_confirmed=True)
        self.says(f"{company_name} is enrolled; every agency may now work with it")
        poc = self.activate("Paul Poc (Company POC)", colleagues["Paul"][0])
        helper = self.activate("Cora Contributor", colleagues["Cora"][0])

        self.step(
            first, "sees the complaint (the IR sent before enrollment too) and assigns the POC"
        )
        seen = self.eventually(lambda: self.get(first, cid))
        self.says(
            f"company sees: {seen.reference_number}, {self.irs(seen)}; "
            "no complainant e-mail or phone"
        )
        self.eventually(
            lambda: first.client.complaints.assign_company_poc(
                complaint_id=cid, user_id=poc.user_id
            ),
            also=(PermissionDenied,),
        )
        self.says(f"agency sees: Company POC {person(self.get(manager, cid).company_poc)}")

        self.step(
            poc,
            "adds Cora as contributor; Cora drafts with a file-sharing link, sends it to the POC",
        )
        poc.client.complaints.add_contributor(complaint_id=cid, user_id=helper.user_id)
        ir_id = self.ir(self.get(poc, cid)).information_request_id
        self.eventually(
            lambda: helper.client.complaints.save_response_draft(
                complaint_id=cid,
                information_request_id=ir_id,
                text="The fee was reversed on 3 March; see the payment history.",
                add_file_sharing_links=["https://share.example/history.zip"],
                internal_comment="Check with legal before sending",
            ),
            also=(PermissionDenied,),
        )
        helper.client.complaints.send_draft_to_poc(complaint_id=cid, information_request_id=ir_id)
        agency_ir = self.ir(self.get(manager, cid))
        self.says(
            f"agency sees: {'a draft' if agency_ir.draft else 'no draft'} "
            "(drafts stay with the company)"
        )

        self.step(poc, "attaches two files and submits the response, restricted")
        files = self.sample_files()

        poc.client.complaints.attach_files_to_draft(
            complaint_id=cid,
            information_request_id=ir_id,
            paths=files,
            restricted=True,
            journal=self.work_dir / "attach.journal",
        )
        poc.client.complaints.submit_response(
            complaint_id=cid, information_request_id=ir_id, restricted=True
        )
        agency_ir = self.ir(self.get(manager, cid))
        self.says(
            f"agency sees: IR {label(agency_ir.status)}, "
            f"{len(agency_ir.submitted_responses[-1].attachments)} files, restricted"
        )
        self.says(f"POC sees: IR {label(self.ir(self.get(poc, cid)).status)}")
        self.says(
            "contributor sees: "
            f"{len(self.ir(self.get(helper, cid)).submitted_responses)} submitted responses "
            "(restricted)"
        )

        self.step(manager, "sends the response back: attach the fee waiver policy too")
        manager.client.complaints.send_back_response(
            complaint_id=cid,
            information_request_id=ir_id,
            reason="Attach the fee waiver policy too.",
            new_due_date=today + timedelta(days=7),
        )
        self.says(f"POC sees: IR {label(self.ir(self.get(poc, cid)).status)}")

        self.step(poc, "edits the draft and resubmits, unrestricted")
        poc.client.complaints.save_response_draft(
            complaint_id=cid,
            information_request_id=ir_id,
            text="Fee reversed on 3 March; our waiver policy is linked.",
            add_file_sharing_links=["https://share.example/policy.pdf"],
        )
        poc.client.complaints.submit_response(
            complaint_id=cid, information_request_id=ir_id, restricted=False
        )
        agency_ir = self.ir(self.get(manager, cid))
        self.says(
            f"agency sees: {len(agency_ir.submitted_responses)} responses, "
            f"IR {label(agency_ir.status)}"
        )

        self.step(manager, "closes the complaint with non-monetary relief")
        closed = manager.client.complaints.close_complaint(
            complaint_id=cid,
            reason=CloseReason.CLOSED_WITH_NON_MONETARY_RELIEF,
            shared_comments="Thank you; the fee was reversed.",
            notes="Look at the servicer's fee practice at the next exam.",
        ).complaint
        assert closed is not None
        company_view = self.get(first, cid)
        self.says(f"agency sees: {label(closed.status)}, {self.irs(closed)}")
        closure = company_view.closure
        self.says(
            f"company sees: {label(company_view.status)}: "
            f'"{closure.shared_comments if closure else ""}" '
            "(the agency's notes stay with the agency)"
        )
        self.closure_mail()
        return closed

    # -- people --------------------------------------------------------------------------------

    def sign_in(self, name: str, email: str, secret: str) -> Person:
        ses = open_client(self.address, insecure=self.insecure)
        now = datetime.now(UTC)
        for at in (now, now + timedelta(seconds=30)):
            try:
                session = ses.sign_in(
                    email=email, password=self.password_of(email), totp_code=totp_code(secret, at)
                )
                break
            except Unauthenticated as error:
                if error.reason != "totp_code_already_used" or at != now:
                    raise
        found = Person(name, email, ses, session.user.user_id if session.user else "")
        self.people.append(found)
        self.out.print(f"  [dim]{name} signed in as {email}[/dim]")
        return found

    @staticmethod
    def password_of(email: str) -> str:
        return DEMO_PASSWORD if email == DEMO_MANAGER_EMAIL else NEW_USER_PASSWORD

    def activate(self, name: str, email: str) -> Person:
        link, path = self.mailbox.activation_link(email, timeout=self.timeout)
        # One line whatever the terminal's width: a wrapped path cannot be copied.
        self.out.print(f"  e-mail to {email} with the activation link: {path}", soft_wrap=True)
        with open_client(self.address, insecure=self.insecure) as anonymous:
            first = anonymous.auth.activate_account(
                activation_token=link, password=NEW_USER_PASSWORD
            )
            anonymous.auth.activate_account(
                activation_token=link,
                password=NEW_USER_PASSWORD,
                totp_code=totp_code(first.totp_secret, datetime.now(UTC)),
            )
        self.out.print(f"  {name} set a password and an authenticator (TOTP) and activated")
        # The activation used this step's code: sign in with the next step's.
        ses = open_client(self.address, insecure=self.insecure)
        session = ses.sign_in(
            email=email,
            password=NEW_USER_PASSWORD,
            totp_code=totp_code(first.totp_secret, datetime.now(UTC) + timedelta(seconds=30)),
        )
        found = Person(name, email, ses, session.user.user_id if session.user else "")
        self.people.append(found)
        return found

    def close(self) -> None:
        for one in self.people:
            one.client.close()

    # -- helpers -------------------------------------------------------------------------------

    def unenrolled_company(self, manager: Person, run: str) -> tuple[str, str]:
        for company in manager.client.enrollment.iter_companies(
            query=UNENROLLED_COMPANY, enrollment_status=EnrollmentStatus.NOT_ENROLLED
        ):
            return company.company_id, company.legal_name
        name = f"Demo Run {run} Lending"
        registered = manager.client.enrollment.register_company(
            legal_name=name,
            kind=CompanyKind.NMLS_REGISTERED,
            nmls_id=str(int(run, 16) % 900000 + 100000),
        ).company
        assert registered is not None
        self.out.print(
            f"  ({UNENROLLED_COMPANY} is enrolled already: registered {name} for this run)"
        )
        return registered.company_id, registered.legal_name

    @staticmethod
    def create_complaint(manager: Person, company_id: str) -> Complaint:
        created = manager.client.complaints.create_complaint(
            company_id=company_id,
            details=ComplaintDetails(
                complainant=Complainant(
                    given_name="Jane",
                    family_name="Consumer",
                    email="jane@example.com",
                    phone="5185550100",
                ),
                received_date=eastern_today(),
                products=("Mortgage servicing",),
                categories=("escrow",),
                desired_outcome="Refund of the late fee",
                description="A late fee was charged although the payment was on time.",
            ),
        ).complaint
        assert created is not None
        return created

    @staticmethod
    def get(who: Person, complaint_id: str) -> Complaint:
        found = who.client.complaints.get_complaint(complaint_id=complaint_id).complaint
        assert found is not None
        return found

    @staticmethod
    def ir(found: Complaint) -> InformationRequest:
        return sorted(found.information_requests, key=lambda r: r.number)[-1]

    @staticmethod
    def irs(found: Complaint) -> str:
        return ", ".join(f"IR {r.number} {label(r.status)}" for r in found.information_requests)

    def sample_files(self) -> list[Path]:
        folder = self.work_dir / "files"
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, content in (
            ("payment-history.csv", "date,amount\n2026-03-01,1250.00\n"),
            ("fee-reversal.txt", "The late fee of 3 March was reversed.\n"),
        ):
            path = folder / name
            path.write_text(content, encoding="utf-8")
            written.append(path)
        return written

    def eventually(self, attempt: Callable[[], T], *, also: tuple[type[SesError], ...] = ()) -> T:
        """``attempt()`` once the services have learned what it needs (events take a moment
        between them): NotFound (and ``also``) are retried until the timeout."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return attempt()
            except SesError as error:
                if not isinstance(error, (NotFound, *also)):
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    # -- printing ------------------------------------------------------------------------------

    def step(self, who: Person, what: str) -> None:
        self.mail_since_last_step()
        self.step_number += 1
        self.out.print(f"\n[bold]{self.step_number}. {who.name}[/bold] {what}")

    def says(self, line: str) -> None:
        self.out.print(f"  {line}")

    def mail_since_last_step(self) -> None:
        self.print_mail(self.mailbox.new())

    def print_mail(self, mails: list[Mail]) -> None:
        for mail in mails:
            self.out.print(f"  [dim]e-mail to {mail.to}: {mail.subject} -> {mail.path}[/dim]")

    def closure_mail(self) -> None:
        """The e-mails the closure causes (the company is told) are written a moment after
        it: wait for the first of them, ten seconds at most, then print what came."""
        deadline = time.monotonic() + min(self.timeout, 10.0)
        while not (mails := self.mailbox.new()) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.print_mail(mails)
