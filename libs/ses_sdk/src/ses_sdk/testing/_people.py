"""The people of the job aid, created and activated the way real users are.

Starting from the demo ``ses up`` seeds (agency ``DEMO`` with its Complaint Manager and
Account Administrator; Demo Mortgage Company, enrolled, whose Account Administrator is its
SES Complaints Contact), the agency's administrator creates a Supervisor and a Viewer, and
the company's administrator creates an Account Administrator, a POC and a contributor (both
with the Manage permission: only they may be POC or contributor) and a View user. Each new
user activates with the link of the welcome e-mail the notify service sent, sets the
password :data:`TESTING_PASSWORD`, enrols an authenticator (its secret is kept on the
:class:`Person`) and signs in. Nothing is written behind the services' backs.

TOTP codes are single-use per time step; a person's activation uses the code of the
previous step (the server accepts one step of drift) so the sign-in that follows has a step
of its own without waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ses_core.testing import wait_until
from ses_enrollment.demo import (
    DEMO_ADMIN_EMAIL,
    DEMO_COMPANY_EMAIL,
    DEMO_MANAGER_EMAIL,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
)
from ses_sdk import SesClient, totp_code
from ses_sdk.common import AgencyRole, CompanyComplaintsPermission
from ses_sdk.enrollment import NewUser, User
from ses_sdk.testing._host import ThreadedHost
from ses_sdk.testing._mail import activation_link, addressed_to, read_maildir

TESTING_PASSWORD = "testing pass phrase for SES integrators"
_STEP = timedelta(seconds=30)


@dataclass(frozen=True)
class Person:
    """Who signs in: e-mail, password and the TOTP secret of the authenticator."""

    email: str
    password: str
    totp_secret: str
    user_id: str


@dataclass
class JobAidClients:
    """A signed-in client (refreshing its session) for each role of the job aid."""

    agency_manager: SesClient
    agency_supervisor: SesClient
    agency_viewer: SesClient
    agency_admin: SesClient
    company_contact: SesClient
    company_admin: SesClient
    company_poc: SesClient
    company_contributor: SesClient
    company_viewer: SesClient
    agency_id: str
    company_id: str
    people: dict[str, Person] = field(default_factory=dict)

    def close(self) -> None:
        for client in (
            self.agency_manager,
            self.agency_supervisor,
            self.agency_viewer,
            self.agency_admin,
            self.company_contact,
            self.company_admin,
            self.company_poc,
            self.company_contributor,
            self.company_viewer,
        ):
            client.close()


def _now() -> datetime:
    return datetime.now(UTC)


def activate(
    host: ThreadedHost, user: User, *, password: str = TESTING_PASSWORD, timeout: float = 60
) -> Person:
    """Activate ``user`` from the link in the welcome e-mail (polled from the mail
    directory): set the password, enrol an authenticator, confirm it with a code."""

    def link() -> str | None:
        for message in reversed(addressed_to(read_maildir(host.mail_dir), user.email)):
            if found := activation_link(message):
                return found
        return None

    token = wait_until(link, timeout=timeout, message=f"the welcome e-mail to {user.email}")
    assert token is not None  # wait_until returns only what is truthy
    with host.client() as client:
        secret = activate_with_link(client, token, password)
    return Person(user.email, password, secret, user.user_id)


def activate_with_link(client: SesClient, link: str, password: str) -> str:
    """Activate the account of an activation ``link`` as a person would: choose the
    password, enrol an authenticator, confirm it with a code; its TOTP secret. The code is
    the previous time step's, so the person's first sign-in has a step of its own."""
    enrolment = client.auth.activate_account(activation_token=link, password=password)
    secret = enrolment.totp_secret
    client.auth.activate_account(
        activation_token=link, password=password, totp_code=totp_code(secret, _now() - _STEP)
    )
    return secret


def sign_in(host: ThreadedHost, person: Person, clock: Callable[[], datetime] = _now) -> SesClient:
    client = host.client(clock=clock)
    client.sign_in(email=person.email, password=person.password, totp_secret=person.totp_secret)
    return client


def job_aid_clients(host: ThreadedHost, *, tag: str = "") -> JobAidClients:
    """Create the job aid's people on a host seeded with the demo and sign each in.
    ``tag`` makes the e-mail addresses unique when called more than once per host."""
    demo = {
        email: Person(email, DEMO_PASSWORD, DEMO_TOTP_SECRET, "")
        for email in (DEMO_MANAGER_EMAIL, DEMO_ADMIN_EMAIL, DEMO_COMPANY_EMAIL)
    }
    agency_admin = sign_in(host, demo[DEMO_ADMIN_EMAIL])
    contact = sign_in(host, demo[DEMO_COMPANY_EMAIL])
    manager = sign_in(host, demo[DEMO_MANAGER_EMAIL])
    agency_user_signed_in = agency_admin.session.user if agency_admin.session else None
    company_user_signed_in = contact.session.user if contact.session else None
    assert agency_user_signed_in is not None
    assert company_user_signed_in is not None
    agency_id = agency_user_signed_in.agency_id or ""
    company_id = company_user_signed_in.company_id or ""

    def agency_user(name: str, role: AgencyRole) -> User:
        email = f"{name}{tag}@demo-agency.example"
        new = NewUser(email=email, given_name=name.title(), family_name="Agency")
        created = agency_admin.enrollment.create_agency_user(user=new, roles=[role]).user
        assert created is not None
        return created

    def company_user(
        name: str, permission: CompanyComplaintsPermission, *, administrator: bool = False
    ) -> User:
        email = f"{name}{tag}@demo-mortgage.example"
        new = NewUser(email=email, given_name=name.title(), family_name="Company")
        created = contact.enrollment.create_company_user(
            company_id=company_id,
            user=new,
            complaints_permission=permission,
            account_administrator=administrator,
        ).user
        assert created is not None
        return created

    manage, view = CompanyComplaintsPermission.MANAGE, CompanyComplaintsPermission.VIEW
    created = {
        "agency_supervisor": agency_user("supervisor", AgencyRole.COMPLAINT_SUPERVISOR),
        "agency_viewer": agency_user("viewer", AgencyRole.COMPLAINT_VIEWER),
        "company_admin": company_user("administrator", view, administrator=True),
        "company_poc": company_user("poc", manage),
        "company_contributor": company_user("contributor", manage),
        "company_viewer": company_user("viewer", view),
    }
    people = {role: activate(host, user) for role, user in created.items()}
    clients = {role: sign_in(host, person) for role, person in people.items()}
    return JobAidClients(
        agency_manager=manager,
        agency_supervisor=clients["agency_supervisor"],
        agency_viewer=clients["agency_viewer"],
        agency_admin=agency_admin,
        company_contact=contact,
        company_admin=clients["company_admin"],
        company_poc=clients["company_poc"],
        company_contributor=clients["company_contributor"],
        company_viewer=clients["company_viewer"],
        agency_id=agency_id,
        company_id=company_id,
        people={
            "agency_manager": demo[DEMO_MANAGER_EMAIL],
            "agency_admin": demo[DEMO_ADMIN_EMAIL],
            "company_contact": demo[DEMO_COMPANY_EMAIL],
            **people,
        },
    )
