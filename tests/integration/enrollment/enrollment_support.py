"""Driving the hosted enrollment service over real gRPC, as any actor.

``World`` holds the channel, the stubs, the host's settings (to sign tokens for any actor
with ``ses_core.testing.hosting.bearer``) and a clock the test can move. Activation links
are read where the notify service would get them: from the events the service wrote to
its outbox (``UserCreated.activation_link``, ``ActivationLinkIssued.activation_link``).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import grpc
import grpc.aio
import pyotp
from sqlalchemy import Engine, select

from ses.common.v1 import common_pb2
from ses.enrollment.v1 import enrollment_pb2 as pb
from ses.enrollment.v1 import enrollment_pb2_grpc as pb_grpc
from ses_core.accounts import ActivationLinkIssued, UserCreated
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.platform.db import outbox_table
from ses_core.platform.messaging import ProtobufEventCodec
from ses_core.platform.runtime import ServiceHost
from ses_core.platform.settings import Settings
from ses_core.testing import error_reason
from ses_core.testing.hosting import metadata_for
from ses_enrollment.settings import EnrollmentSettings

T = TypeVar("T")

PASSWORD = "a long pass phrase for tests"
OPERATOR = Actor.platform_operator("op-tests")
CODEC = ProtobufEventCodec()

# Cheap hashing keeps the suite fast; production keeps argon2-cffi's defaults.
FAST_SETTINGS = EnrollmentSettings(
    argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1, expiry_sweep_seconds=0.2
)


class OffsetClock:
    """The wall clock plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@dataclass(frozen=True)
class AgencyHandle:
    agency_id: str
    code: str
    admin_id: str
    admin_email: str

    @property
    def admin(self) -> Actor:
        return Actor.agency_user(self.admin_id, self.agency_id, AgencyRole.AGENCY_ACCOUNT_ADMIN)

    def manager(self, user_id: str = "u-manager") -> Actor:
        return Actor.agency_user(
            f"{user_id}-{self.code}", self.agency_id, AgencyRole.COMPLAINT_MANAGER
        )

    def viewer(self) -> Actor:
        return Actor.agency_user(
            f"u-viewer-{self.code}", self.agency_id, AgencyRole.COMPLAINT_VIEWER
        )


def company_admin(company_id: str, user_id: str = "") -> Actor:
    # One user id per company: a user belongs to one organisation, and services read it from
    # the directory (a token naming another one is refused).
    return Actor.company_user(
        user_id or f"u-admin-of-{company_id}",
        company_id,
        ComplaintsPermission.MANAGE,
        account_admin=True,
    )


def new_user(email: str, given: str = "Test", family: str = "User") -> pb.NewUser:
    return pb.NewUser(email=email, given_name=given, family_name=family)


def address() -> common_pb2.Address:
    return common_pb2.Address(
        address_lines=["1 Test Street"], city="Albany", state_code="NY", postal_code="12207"
    )


@dataclass
class World:
    settings: Settings
    channel: grpc.aio.Channel
    clock: OffsetClock
    engine: Engine
    host: ServiceHost
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def enrollment(self) -> pb_grpc.EnrollmentServiceStub:
        return pb_grpc.EnrollmentServiceStub(self.channel)

    @property
    def auth(self) -> pb_grpc.AuthServiceStub:
        return pb_grpc.AuthServiceStub(self.channel)

    def md(self, actor: Actor, key: str | None = None) -> tuple[tuple[str, str], ...]:
        return metadata_for(self.settings, actor, idempotency_key=key)

    def unique(self, prefix: str = "x") -> str:
        return f"{prefix}{next(self._names)}"

    def nmls_id(self) -> str:
        return str(random.randint(10_000_000, 9_999_999_999))

    # -- setting up ---------------------------------------------------------------------

    async def create_agency(self) -> AgencyHandle:
        code = f"T-{self.unique('A')}"
        email = f"admin.{code.lower()}@agency.example"
        response = await self.enrollment.CreateAgency(
            pb.CreateAgencyRequest(
                code=code,
                name=f"Agency {code}",
                state_code="NY",
                first_administrator=new_user(email, "Ada", "Admin"),
            ),
            metadata=self.md(OPERATOR),
        )
        return AgencyHandle(
            response.agency.agency_id, code, response.first_administrator.user_id, email
        )

    async def register_company(
        self, actor: Actor, name: str | None = None, **fields: Any
    ) -> pb.Company:
        values: dict[str, Any] = {
            "nmls_id": self.nmls_id(),
            "legal_name": name or f"Company {self.unique('C')} LLC",
            "kind": pb.COMPANY_KIND_NMLS_REGISTERED,
            "address": address(),
        }
        values.update(fields)
        response = await self.enrollment.RegisterCompany(
            pb.RegisterCompanyRequest(**values), metadata=self.md(actor)
        )
        return response.company

    async def register_company_with(self, metadata: Any) -> pb.Company:
        """Register a new company with the given call metadata (e.g. a token already held)."""
        response = await self.enrollment.RegisterCompany(
            pb.RegisterCompanyRequest(
                nmls_id=self.nmls_id(),
                legal_name=f"Company {self.unique('C')} LLC",
                kind=pb.COMPANY_KIND_NMLS_REGISTERED,
                address=address(),
            ),
            metadata=metadata,
        )
        return response.company

    async def first_user(self, agency: AgencyHandle, company_id: str) -> pb.User:
        email = f"{self.unique('first')}@company.example"
        response = await self.enrollment.CreateCompanyUser(
            pb.CreateCompanyUserRequest(
                company_id=company_id, user=new_user(email, "Fay", "First")
            ),
            metadata=self.md(agency.manager()),
        )
        return response.user

    async def invited_company(self, agency: AgencyHandle) -> tuple[pb.Company, pb.User]:
        company = await self.register_company(agency.manager())
        user = await self.first_user(agency, company.company_id)
        await self.enrollment.InitiateEnrollment(
            pb.InitiateEnrollmentRequest(company_id=company.company_id, first_user_id=user.user_id),
            metadata=self.md(agency.manager()),
        )
        return company, user

    # -- links, activation, sign-in ------------------------------------------------------

    def links_of(self, user_id: str) -> list[str]:
        """Every activation link sent to the user, oldest first (from the outbox)."""
        table = outbox_table
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(table.c.subject, table.c.payload).order_by(table.c.seq)
            ).all()
        links = []
        for subject, payload in rows:
            event: UserCreated | ActivationLinkIssued
            if subject == UserCreated.subject():
                event = CODEC.decode(UserCreated, bytes(payload))
            elif subject == ActivationLinkIssued.subject():
                event = CODEC.decode(ActivationLinkIssued, bytes(payload))
            else:
                continue
            if event.user_id == user_id and event.activation_link:
                links.append(event.activation_link)
        return links

    def link_of(self, user_id: str) -> str:
        links = self.links_of(user_id)
        assert links, f"no activation link was sent to {user_id}"
        return links[-1]

    def code(self, secret: str) -> str:
        """A code for a new time step (each code is accepted once)."""
        self.clock.advance(timedelta(seconds=30))
        return pyotp.TOTP(secret).at(self.clock.now())

    async def activate(self, user_id: str, password: str = PASSWORD) -> str:
        """Activate from the latest link; returns the TOTP secret."""
        link = self.link_of(user_id)
        first = await self.auth.ActivateAccount(
            pb.ActivateAccountRequest(activation_token=link, password=password)
        )
        done = await self.auth.ActivateAccount(
            pb.ActivateAccountRequest(
                activation_token=link,
                password=password,
                totp_code=pyotp.TOTP(first.totp_secret).at(self.clock.now()),
            )
        )
        assert done.activated
        return first.totp_secret

    async def sign_in(self, email: str, secret: str, password: str = PASSWORD) -> pb.SignInResponse:
        return await self.auth.SignIn(
            pb.SignInRequest(email=email, password=password, totp_code=self.code(secret))
        )


StartWorld = Callable[..., AbstractAsyncContextManager["World"]]
"""The ``start_world`` fixture: ``async with start_world(...) as world``."""


async def rpc_error(call: Awaitable[Any]) -> grpc.aio.AioRpcError:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return error
    raise AssertionError("the call succeeded but was expected to fail")


def reason_of(error: grpc.aio.AioRpcError) -> str:
    return error_reason(error) or ""


async def refused(
    call: Awaitable[Any], code: grpc.StatusCode, reason: str | None = None, says: str = ""
) -> grpc.aio.AioRpcError:
    """Assert ``call`` fails with ``code`` (and ``reason``), its message mentioning ``says``."""
    error = await rpc_error(call)
    assert error.code() == code, (error.code(), error.details())
    if reason is not None:
        assert reason_of(error) == reason, (reason_of(error), error.details())
    assert says.lower() in (error.details() or "").lower(), error.details()
    return error
