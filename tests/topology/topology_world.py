"""The people of the topology test, made as the job aid makes them (enrollment RPCs,
activation links, passwords, TOTP): one agency with a Complaint Manager, and a few enrolled
companies, each with its SES Complaints Contact, a Company POC and a contributor.

Their tokens are the ones sign-in gives; the flows then only use the complaints service.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import grpc.aio
import pyotp
from sqlalchemy import Engine, select

from ses.common.v1 import common_pb2 as common
from ses.enrollment.v1 import enrollment_pb2 as epb
from ses.enrollment.v1 import enrollment_pb2_grpc as epb_grpc
from ses_core.accounts import ActivationLinkIssued, UserCreated
from ses_core.platform.db import outbox_table
from ses_core.platform.messaging import ProtobufEventCodec

PASSWORD = "a long pass phrase for the topology"
CODEC = ProtobufEventCodec()
MANAGE = common.COMPANY_COMPLAINTS_PERMISSION_MANAGE


@dataclass(frozen=True)
class Person:
    user_id: str
    email: str
    token: str


@dataclass(frozen=True)
class Company:
    company_id: str
    contact: Person
    poc: Person
    helper: Person


@dataclass(frozen=True)
class World:
    manager: Person
    companies: list[Company]


def _unique(prefix: str) -> str:
    return f"{prefix}{random.randrange(10**9):09d}"


def _new_user(email: str) -> epb.NewUser:
    return epb.NewUser(email=email, given_name="Topo", family_name=email.split("@")[0])


class _Maker:
    def __init__(self, channel: grpc.aio.Channel, enrollment_db: Engine) -> None:
        self.enrollment = epb_grpc.EnrollmentServiceStub(channel)
        self.auth = epb_grpc.AuthServiceStub(channel)
        self.enrollment_db = enrollment_db

    def link_of(self, user_id: str) -> str:
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

    async def signed_in(self, user: epb.User) -> Person:
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

    async def manager(self, operator_md: tuple[tuple[str, str], ...]) -> Person:
        code = _unique("T")[:10]
        created = await self.enrollment.CreateAgency(
            epb.CreateAgencyRequest(
                code=code,
                name=f"Agency {code}",
                state_code="NY",
                first_administrator=_new_user(f"admin.{code.lower()}@agency.example"),
            ),
            metadata=operator_md,
        )
        admin = await self.signed_in(created.first_administrator)
        user = await self.enrollment.CreateAgencyUser(
            epb.CreateAgencyUserRequest(
                user=_new_user(f"{_unique('manager')}@agency.example"),
                roles=[common.AGENCY_ROLE_COMPLAINT_MANAGER],
            ),
            metadata=_md(admin),
        )
        return await self.signed_in(user.user)

    async def company(self, manager: Person) -> Company:
        company = (
            await self.enrollment.RegisterCompany(
                epb.RegisterCompanyRequest(
                    nmls_id=str(random.randrange(10**6, 10**7)),
                    legal_name=f"Company {_unique('C')} LLC",
                    kind=epb.COMPANY_KIND_NMLS_REGISTERED,
                    address=common.Address(
                        address_lines=["1 Loan Way"],
                        city="Albany",
                        state_code="NY",
                        postal_code="12207",
                    ),
                ),
                metadata=_md(manager),
            )
        ).company
        company_id = company.company_id
        first_user = (
            await self.enrollment.CreateCompanyUser(
                epb.CreateCompanyUserRequest(
                    company_id=company_id, user=_new_user(f"{_unique('contact')}@company.example")
                ),
                metadata=_md(manager),
            )
        ).user
        await self.enrollment.InitiateEnrollment(
            epb.InitiateEnrollmentRequest(company_id=company_id, first_user_id=first_user.user_id),
            metadata=_md(manager),
        )
        contact = await self.signed_in(first_user)
        await self.enrollment.AssignCompanyContact(
            epb.AssignCompanyContactRequest(
                company_id=company_id,
                contact_type=common.COMPANY_CONTACT_TYPE_SES_COMPLAINTS_CONTACT,
                user_id=contact.user_id,
            ),
            metadata=_md(contact),
        )
        await self.enrollment.CompleteEnrollment(
            epb.CompleteEnrollmentRequest(company_id=company_id, company_confirmed=True),
            metadata=_md(contact),
        )
        poc, helper = [
            await self.signed_in(
                (
                    await self.enrollment.CreateCompanyUser(
                        epb.CreateCompanyUserRequest(
                            company_id=company_id,
                            user=_new_user(f"{_unique(role)}@company.example"),
                            complaints_permission=MANAGE,
                        ),
                        metadata=_md(contact),
                    )
                ).user
            )
            for role in ("poc", "helper")
        ]
        return Company(company_id, contact, poc, helper)


def _md(person: Person) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {person.token}"),)


async def make_world(
    address: str,
    enrollment_db: Engine,
    operator_md: tuple[tuple[str, str], ...],
    *,
    companies: int,
) -> World:
    async with grpc.aio.insecure_channel(address) as channel:
        maker = _Maker(channel, enrollment_db)
        manager = await maker.manager(operator_md)
        made = await asyncio.gather(*(maker.company(manager) for _ in range(companies)))
        return World(manager, list(made))
