"""Demo data for ``ses up``: an agency, its users and three companies, ready to sign in.

Seeded once, when ``ses up`` starts on a database without any agency (never by
``ses serve``). Everything goes through the domain, so the usual events are published
and the other services learn the demo data like any other. The demo users are active
from the start with a fixed password and TOTP secret, printed at start; a real
installation never has such users (they exist only when ``seed_demo`` is on).

- agency ``DEMO`` (Demo State Agency, NY): Complaint Manager ``manager@demo-agency.example``
  and Agency Account Administrator ``admin@demo-agency.example``;
- Demo Mortgage Company (NMLS 1000001) and Sample Servicing LLC (NMLS 1000002), both
  enrolled, each with an Account Administrator who is its SES Complaints Contact
  (``owner@demo-mortgage.example``, ``owner@sample-servicing.example``);
- Unenrolled Lending Inc. (NMLS 1000003), not enrolled: try enrolling it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from ses_core.accounts import (
    Address,
    Agency,
    AgencyUser,
    Company,
    CompanyAccount,
    CompanyKind,
    CompanyProfile,
    CompanySource,
    ContactPerson,
    format_company_id,
)
from ses_core.identity import AgencyRole, ComplaintsPermission, Side
from ses_core.models import CompanyEnrollment
from ses_enrollment.handlers.common import Deps
from ses_enrollment.scopes import agency_scope
from ses_enrollment.unit_of_work import EnrollmentUnitOfWork

DEMO_AGENCY_CODE = "DEMO"
DEMO_MANAGER_EMAIL = "manager@demo-agency.example"
DEMO_ADMIN_EMAIL = "admin@demo-agency.example"
DEMO_COMPANY_EMAIL = "owner@demo-mortgage.example"
DEMO_PASSWORD = "demo-password-2025"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SEEDED_BY = "ses-demo"

_COMPANIES = (
    ("1000001", "Demo Mortgage Company", DEMO_COMPANY_EMAIL, ("Casey", "Owner")),
    ("1000002", "Sample Servicing LLC", "owner@sample-servicing.example", ("Sam", "Servicer")),
    ("1000003", "Unenrolled Lending Inc.", None, None),
)


def seed_demo(deps: Deps) -> bool:
    """Seed the demo when no agency exists yet; True when it seeded."""
    now = deps.now()
    with deps.unit_of_work(agency_scope("demo")) as uow:
        if uow.lookups.any_agency():
            return False
        password_hash = deps.passwords.hash(DEMO_PASSWORD)
        agency = Agency.create(
            code=DEMO_AGENCY_CODE, name="Demo State Agency", state_code="NY", now=now, by=SEEDED_BY
        )
        uow.agencies(agency.id).add(agency)
        for email, names, role in (
            (DEMO_MANAGER_EMAIL, ("Dana", "Manager"), AgencyRole.COMPLAINT_MANAGER),
            (DEMO_ADMIN_EMAIL, ("Alex", "Admin"), AgencyRole.AGENCY_ACCOUNT_ADMIN),
        ):
            user = AgencyUser.create(
                agency_id=agency.id,
                email=email,
                given_name=names[0],
                family_name=names[1],
                role=role,
                now=now,
                by=SEEDED_BY,
            )
            user.record_activation(now)
            uow.agency_users(agency.id).add(user)
            _activated_credential(uow, user.id, email, Side.AGENCY, agency.id, password_hash, now)
        numbers = iter(uow.identity.reserve_numbers(len(_COMPANIES)))
        for nmls_id, name, owner_email, owner_names in _COMPANIES:
            company = Company.register(
                format_company_id(next(numbers)),
                _profile(nmls_id, name),
                source=CompanySource.MANUAL,
                now=now,
                by=SEEDED_BY,
            )
            uow.directory.add(company)
            if owner_email and owner_names:
                _enroll(uow, agency, company, owner_email, owner_names, password_hash, now)
        uow.commit()
    return True


def demo_instructions(address: str) -> list[str]:
    """What ``ses up`` prints: how a newcomer signs in to the demo."""
    code = f".venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\""
    return [
        f"demo agency {DEMO_AGENCY_CODE}: sign in as its Complaint Manager with",
        f"  e-mail {DEMO_MANAGER_EMAIL}  password {DEMO_PASSWORD}  TOTP secret {DEMO_TOTP_SECRET}",
        f"  current TOTP code: {code}",
        "  access token: .venv/bin/ses signin --email "
        f"{DEMO_MANAGER_EMAIL} --password {DEMO_PASSWORD} --totp-secret {DEMO_TOTP_SECRET} "
        f"--address {address}",
        f"  (Agency Account Administrator {DEMO_ADMIN_EMAIL}; company Account Administrator "
        f"{DEMO_COMPANY_EMAIL}; same password and secret; each code works once)",
    ]


def _profile(nmls_id: str, name: str) -> CompanyProfile:
    slug = name.split()[0].lower()
    return CompanyProfile(
        nmls_id=nmls_id,
        legal_name=name,
        address=Address(
            street="1 Main Street", city="Albany", state_code="NY", postal_code="12207"
        ),
        business_types=("Mortgage Lender", "Mortgage Servicer"),
        kind=CompanyKind.NMLS_REGISTERED,
        nmls_contact_person=ContactPerson(full_name="Pat Contact", email=f"contact@{slug}.example"),
        nmls_complaints_contact=ContactPerson(
            full_name="Chris Complaints", email=f"complaints@{slug}.example"
        ),
    )


def _enroll(
    uow: EnrollmentUnitOfWork,
    agency: Agency,
    company: Company,
    email: str,
    names: tuple[str, str],
    password_hash: str,
    now: datetime,
) -> None:
    company_id = company.company_id
    account = CompanyAccount.open(company_id)
    owner = account.add_user(
        email=email,
        given_name=names[0],
        family_name=names[1],
        now=now,
        by=SEEDED_BY,
        permission=ComplaintsPermission.MANAGE,
        tenant_id=agency.id,
    )
    account.record_activation(owner.id, now)
    account.assign_contact(owner.id, now=now, by=owner.id)
    enrollment = CompanyEnrollment.for_company(company_id)
    token_hash = hashlib.sha256(f"demo-{company_id}".encode()).hexdigest()
    enrollment.initiate(
        agency_id=agency.id,
        invited_user_id=owner.id,
        token_hash=token_hash,
        expires_at=now + timedelta(days=14),
        now=now,
        by=SEEDED_BY,
    )
    enrollment.activate(token_hash, now)
    account.finish_enrollment(owner.id, now=now)
    enrollment.complete(now, by=owner.id, complaints_contact_id=owner.id)
    uow.accounts(company_id).add(account)
    uow.enrollments(company_id).add(enrollment)
    _activated_credential(uow, owner.id, email, Side.COMPANY, company_id, password_hash, now)


def _activated_credential(
    uow: EnrollmentUnitOfWork,
    user_id: str,
    email: str,
    side: Side,
    organization_id: str,
    password_hash: str,
    now: datetime,
) -> None:
    credential = uow.identity.claim_email(
        user_id=user_id, email=email, side=side, organization_id=organization_id, now=now
    )
    credential.activate(password_hash=password_hash, totp_secret=DEMO_TOTP_SECRET, now=now)
    uow.identity.save(credential)
