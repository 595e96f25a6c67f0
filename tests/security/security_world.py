"""The world the security suites act in: one host with all four services, people of every
role of DESIGN §4, and complaints, companies, users and uploads in every state the
authorization matrix distinguishes.

Everything is made the way a person would make it, through the services' own RPCs over
real gRPC (SQLite, a real ``nats-server``): the operator creates the agencies, their
administrators create the agency users, a Complaint Manager registers the companies and
creates their first users, each first user activates (password and TOTP) and enrols its
company. So every service learns of people, companies and enrolments from the enrollment
service's events, as in production, and each person's authority is what the directory
says. Tokens are signed with the host's key ring for a person's identity only
(:func:`token_for`): a token proves who calls, never what they may do.

``World.state(name)`` returns the shared copy of a state (built once); ``fresh=True``
builds a new copy for a call that would change it. ``World.settle()`` waits until every
event written so far was published and handled by every consumer.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import grpc
import grpc.aio
import pyotp
from complaint_states import ComplaintStates
from made import Made
from sqlalchemy import Engine, func, select

from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as cpb
from ses.complaints.v1 import complaints_pb2_grpc as cpb_grpc
from ses.enrollment.v1 import enrollment_pb2 as epb
from ses.enrollment.v1 import enrollment_pb2_grpc as epb_grpc
from ses.files.v1 import files_pb2 as fpb
from ses.files.v1 import files_pb2_grpc as fpb_grpc
from ses.notify.v1 import notify_pb2 as npb
from ses.notify.v1 import notify_pb2_grpc as npb_grpc
from ses_complaints.bootstrap import plugin as complaints_plugin
from ses_core.accounts import ActivationLinkIssued, UserCreated
from ses_core.calendar import OperatingCalendar
from ses_core.identity import Identity, Side
from ses_core.lifecycle import eastern_today
from ses_core.platform.db import create_database_engine, outbox_table
from ses_core.platform.identity import KeyRing, TokenIssuer
from ses_core.platform.messaging import ProtobufEventCodec
from ses_core.platform.runtime import ServiceHost
from ses_core.platform.settings import SERVICES, Settings
from ses_core.ports import FixedClock
from ses_core.testing import eventually
from ses_enrollment.bootstrap import EnrollmentPlugin
from ses_enrollment.cli import OperatorsCommand
from ses_enrollment.settings import EnrollmentSettings
from ses_files.bootstrap import plugin as files_plugin
from ses_notify.bootstrap import plugin as notify_plugin

PASSWORD = "a long pass phrase for the security suites"
# Cheap password hashing keeps world building fast; production keeps the defaults.
FAST_HASHING = EnrollmentSettings(argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)
STREAM = "SES_EVENTS"
_CODEC = ProtobufEventCodec()

# The roles of DESIGN §4 and the outsiders, in the order the expectation table lists them.
ROLES: tuple[str, ...] = (
    "agency_supervisor",
    "agency_manager",
    "agency_viewer",
    "agency_account_admin",
    "agency_poc",
    "company_account_admin",
    "company_manage_user",
    "company_view_user",
    "ses_complaints_contact",
    "company_poc",
    "contributor",
    "unenrolled_company_user",
    "other_agency_user",
    "other_company_user",
    "platform_operator",
    "no_token",
)
NO_TOKEN = "no_token"

MANAGE = common.COMPANY_COMPLAINTS_PERMISSION_MANAGE
VIEW = common.COMPANY_COMPLAINTS_PERMISSION_VIEW
SES_CONTACT = common.COMPANY_CONTACT_TYPE_SES_COMPLAINTS_CONTACT

COMPLAINT_STATES: tuple[str, ...] = (
    "pending_review",
    "open",
    "referral_pending",
    "ir_sent",
    "ir_sent_restricted_draft",
    "response_received",
    "response_received_restricted",
    "sent_back",
    "ir_completed",
    "ir_canceled",
    "closed",
    "canceled",
    "company_not_enrolled_ir_sent",
)
OTHER_STATES: tuple[str, ...] = (
    "-",
    "company_enrolled",
    "company_invited",
    "company_not_enrolled",
    "agency_user",
    "company_user",
    "agency",
    "agency_webhook",
    "company_webhook",
    "upload_open",
    "upload_written",
    "upload_completed",
)
STATES = COMPLAINT_STATES + OTHER_STATES


def token_for(settings: Settings, identity: Identity) -> str:
    """An access token proving ``identity``, signed with the host's key ring (what sign-in
    returns). It states nothing about authority: the services read that from their
    directory."""
    path = settings.identity.signing_key_path
    assert path is not None
    issuer = TokenIssuer(KeyRing.load_or_create(path), settings.identity.issuer)
    # Long-lived: a fuzzing campaign outlasts a real token (expiry is tested in grpckit).
    return issuer.issue_access(identity, settings.identity.audience, ttl=timedelta(hours=12)).token


@dataclass
class World:
    host: ServiceHost
    settings: Settings
    channel: grpc.aio.Channel
    clock: FixedClock
    enrollment_db: Engine
    people: dict[str, Identity] = field(default_factory=dict)
    agencies: dict[str, str] = field(default_factory=dict)
    companies: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    """Every person's e-mail address, by user id."""
    _tokens: dict[Identity, str] = field(default_factory=dict)
    _kept_endpoints: set[str] = field(default_factory=set)
    _engines: dict[str, Engine] = field(default_factory=dict)
    _shared: dict[str, Made] = field(default_factory=dict)
    _serial: Iterator[int] = field(default_factory=itertools.count)

    # -- talking to the services ---------------------------------------------------------

    @property
    def enrollment(self) -> epb_grpc.EnrollmentServiceStub:
        return epb_grpc.EnrollmentServiceStub(self.channel)

    @property
    def auth(self) -> epb_grpc.AuthServiceStub:
        return epb_grpc.AuthServiceStub(self.channel)

    @property
    def complaints(self) -> cpb_grpc.ComplaintsServiceStub:
        return cpb_grpc.ComplaintsServiceStub(self.channel)

    @property
    def files(self) -> fpb_grpc.FilesServiceStub:
        return fpb_grpc.FilesServiceStub(self.channel)

    @property
    def notify(self) -> npb_grpc.NotifyServiceStub:
        return npb_grpc.NotifyServiceStub(self.channel)

    def identity(self, role: str, made: Made | None = None) -> Identity | None:
        """Who plays ``role`` in ``made`` (None: no token)."""
        if role == NO_TOKEN:
            return None
        if made is not None and role in made.people:
            return made.people[role]
        return self.people[role]

    def metadata(self, role: str, made: Made | None = None) -> tuple[tuple[str, str], ...]:
        identity = self.identity(role, made)
        return () if identity is None else self._metadata_of(identity)

    def md(self, role: str, made: Made | None = None) -> dict[str, Any]:
        return {"metadata": self.metadata(role, made), "timeout": 60}

    def serial(self) -> int:
        return next(self._serial)

    def today(self) -> date:
        return eastern_today(self.clock.now())

    def business_days_ahead(self, n: int) -> date:
        return OperatingCalendar().add_business_days(self.today(), n)

    # -- waiting for events ----------------------------------------------------------------

    async def settle(self, what: str = "every event to be handled") -> None:
        """Wait until every outbox is published and every durable consumer has handled
        (acknowledged) every message of the stream."""
        await eventually(self._settled, timeout=60, message=what)

    async def _settled(self) -> bool:
        before = await self._stream_idle()
        if before is None or not self._outboxes_published():
            return False
        return await self._stream_idle() == before

    async def _stream_idle(self) -> int | None:
        assert self.host.nats is not None
        js = self.host.nats.jetstream()
        stream = await js.stream_info(STREAM)
        for consumer in await js.consumers_info(STREAM):
            if consumer.num_pending or consumer.num_ack_pending:
                return None
        return int(stream.state.last_seq)

    def _outboxes_published(self) -> bool:
        for service in SERVICES:
            engine = self._engines.get(service)
            if engine is None:
                engine = self._engines[service] = create_database_engine(
                    self.settings.database.url_for(service)
                )
            with engine.connect() as connection:
                pending = connection.execute(
                    select(func.count())
                    .select_from(outbox_table)
                    .where(outbox_table.c.published_at.is_(None))
                ).scalar_one()
            if pending:
                return False
        return True

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self.enrollment_db.dispose()

    # -- people ------------------------------------------------------------------------------

    def activation_link(self, user_id: str) -> str:
        """The latest activation link sent to the user (from the enrollment outbox, where
        the notify service finds it)."""
        kinds: dict[str, Any] = {
            UserCreated.subject(): UserCreated,
            ActivationLinkIssued.subject(): ActivationLinkIssued,
        }
        with self.enrollment_db.connect() as connection:
            rows = connection.execute(
                select(outbox_table.c.subject, outbox_table.c.payload).order_by(outbox_table.c.seq)
            ).all()
        links = []
        for subject, payload in rows:
            kind = kinds.get(subject)
            if kind is None:
                continue
            event = _CODEC.decode(kind, bytes(payload))
            if event.user_id == user_id and event.activation_link:
                links.append(event.activation_link)
        assert links, f"no activation link was sent to {user_id}"
        return str(links[-1])

    async def activate(self, user_id: str) -> None:
        """Activation link → password → authenticator code, as the person would."""
        link = self.activation_link(user_id)
        first = await self.auth.ActivateAccount(
            epb.ActivateAccountRequest(activation_token=link, password=PASSWORD), timeout=60
        )
        code = pyotp.TOTP(first.totp_secret).at(self.clock.now())
        done = await self.auth.ActivateAccount(
            epb.ActivateAccountRequest(activation_token=link, password=PASSWORD, totp_code=code),
            timeout=60,
        )
        assert done.activated

    def new_user(self, label: str) -> epb.NewUser:
        n = self.serial()
        return epb.NewUser(
            email=f"{label}-{n}@people.example.org", given_name=label.title(), family_name=f"N{n}"
        )

    async def agency_user(self, admin_role: str, agency_id: str, label: str, role: int) -> Identity:
        created = await self.enrollment.CreateAgencyUser(
            epb.CreateAgencyUserRequest(user=self.new_user(label), roles=[role]),  # type: ignore[list-item]
            **self.md(admin_role),
        )
        self.emails[created.user.user_id] = created.user.email
        return Identity(user_id=created.user.user_id, side=Side.AGENCY, organization_id=agency_id)

    async def company_user(
        self, admin: Identity, company_id: str, label: str, permission: int
    ) -> Identity:
        created = await self.enrollment.CreateCompanyUser(
            epb.CreateCompanyUserRequest(
                company_id=company_id,
                user=self.new_user(label),
                complaints_permission=permission,  # type: ignore[arg-type]
            ),
            metadata=self._metadata_of(admin),
            timeout=60,
        )
        self.emails[created.user.user_id] = created.user.email
        return Identity(user_id=created.user.user_id, side=Side.COMPANY, organization_id=company_id)

    def _metadata_of(self, identity: Identity) -> tuple[tuple[str, str], ...]:
        if identity not in self._tokens:
            self._tokens[identity] = token_for(self.settings, identity)
        return (("authorization", f"Bearer {self._tokens[identity]}"),)

    # -- companies ---------------------------------------------------------------------------

    async def register_company(self, label: str) -> str:
        n = self.serial()
        created = await self.enrollment.RegisterCompany(
            epb.RegisterCompanyRequest(
                nmls_id=str(700000 + n),
                legal_name=f"{label} Lending {n} LLC",
                kind=epb.COMPANY_KIND_NMLS_REGISTERED,
                address=common.Address(
                    address_lines=[f"{n} Loan Way"],
                    city="Albany",
                    state_code="NY",
                    postal_code="12207",
                ),
            ),
            **self.md("agency_manager"),
        )
        return str(created.company.company_id)

    async def first_user(self, company_id: str, label: str) -> Identity:
        """The company's first user, created by the agency (Manage Complaints)."""
        created = await self.enrollment.CreateCompanyUser(
            epb.CreateCompanyUserRequest(company_id=company_id, user=self.new_user(label)),
            **self.md("agency_manager"),
        )
        self.emails[created.user.user_id] = created.user.email
        return Identity(user_id=created.user.user_id, side=Side.COMPANY, organization_id=company_id)

    async def invited_company(self, label: str) -> tuple[str, Identity]:
        """A company whose first user activated and was named SES Complaints Contact, and
        that has not completed enrollment (INVITED)."""
        company_id = await self.register_company(label)
        first = await self.first_user(company_id, f"{label}-first")
        await self.enrollment.InitiateEnrollment(
            epb.InitiateEnrollmentRequest(company_id=company_id, first_user_id=first.user_id),
            **self.md("agency_manager"),
        )
        await self.activate(first.user_id)
        await self.enrollment.AssignCompanyContact(
            epb.AssignCompanyContactRequest(
                company_id=company_id, contact_type=SES_CONTACT, user_id=first.user_id
            ),
            metadata=self._metadata_of(first),
            timeout=60,
        )
        return company_id, first

    async def complete_enrollment(self, company_id: str, admin: Identity) -> None:
        await self.enrollment.CompleteEnrollment(
            epb.CompleteEnrollmentRequest(company_id=company_id, company_confirmed=True),
            metadata=self._metadata_of(admin),
            timeout=60,
        )

    # -- states ------------------------------------------------------------------------------

    async def state(self, name: str, *, fresh: bool = False) -> Made:
        """The shared copy of state ``name``, or a new one (``fresh``) to change."""
        if fresh:
            made = await self._build(name, shared=False)
            await self.settle(f"the fresh {name} state to reach every service")
            return made
        if name not in self._shared:
            self._shared[name] = await self._build(name, shared=True)
            await self.settle(f"the {name} state to reach every service")
        return self._shared[name]

    def shared_states(self) -> list[Made]:
        """The shared copies built so far."""
        return list(self._shared.values())

    def forget(self, name: str) -> None:
        """Drop the shared copy of a state (a call changed it); the next use builds it anew."""
        self._shared.pop(name, None)

    async def _build(self, name: str, *, shared: bool) -> Made:
        if name in COMPLAINT_STATES:
            return await ComplaintStates(self, with_files=shared).build(name)
        builders: dict[str, Callable[[], Awaitable[Made]]] = {
            "-": _nothing,
            "company_enrolled": self._company_enrolled,
            "company_invited": self._company_invited,
            "company_not_enrolled": self._company_not_enrolled,
            "agency_user": self._target_agency_user,
            "company_user": self._target_company_user,
            "agency": _nothing,
            "agency_webhook": lambda: self._webhook("agency_account_admin", shared=shared),
            "company_webhook": lambda: self._webhook("company_account_admin", shared=shared),
            "upload_open": lambda: self._upload("open"),
            "upload_written": lambda: self._upload("written"),
            "upload_completed": lambda: self._upload("completed"),
        }
        return await builders[name]()

    async def _company_enrolled(self) -> Made:
        return Made(company_id=self.companies["acme"])

    async def _company_invited(self) -> Made:
        company_id, first = await self.invited_company("Invited")
        return Made(company_id=company_id, people={"unenrolled_company_user": first})

    async def _company_not_enrolled(self) -> Made:
        company_id = await self.register_company("Newco")
        first = await self.first_user(company_id, "newco-first")
        return Made(company_id=company_id, user_id=first.user_id)

    async def _target_agency_user(self) -> Made:
        target = await self.agency_user(
            "agency_account_admin",
            self.agencies["ny"],
            "target",
            common.AGENCY_ROLE_COMPLAINT_VIEWER,
        )
        return Made(user_id=target.user_id)

    async def _target_company_user(self) -> Made:
        admin = self.people["company_account_admin"]
        target = await self.company_user(admin, self.companies["acme"], "target", MANAGE)
        return Made(user_id=target.user_id, company_id=self.companies["acme"])

    async def _webhook(self, admin_role: str, *, shared: bool) -> Made:
        """An endpoint of the admin's organisation with two signing secrets. An organisation
        has at most ten endpoints: the ones fresh copies made are deleted first."""
        company_id = self.companies["acme"] if admin_role.startswith("company") else ""
        listed = await self.notify.ListWebhookEndpoints(
            npb.ListWebhookEndpointsRequest(), **self.md(admin_role)
        )
        for old in listed.webhook_endpoints:
            if old.webhook_endpoint_id not in self._kept_endpoints:
                await self.notify.DeleteWebhookEndpoint(
                    npb.DeleteWebhookEndpointRequest(webhook_endpoint_id=old.webhook_endpoint_id),
                    **self.md(admin_role),
                )
        # Port 9 (discard) on this machine: deliveries fail, which no test here looks at.
        created = await self.notify.CreateWebhookEndpoint(
            npb.CreateWebhookEndpointRequest(url=f"http://127.0.0.1:9/hook-{self.serial()}"),
            **self.md(admin_role),
        )
        endpoint = created.webhook_endpoint
        if shared:
            self._kept_endpoints.add(endpoint.webhook_endpoint_id)
        second = await self.notify.CreateWebhookSigningSecret(
            npb.CreateWebhookSigningSecretRequest(webhook_endpoint_id=endpoint.webhook_endpoint_id),
            **self.md(admin_role),
        )
        return Made(
            company_id=company_id,
            webhook_endpoint_id=endpoint.webhook_endpoint_id,
            signing_secret_id=second.signing_secret_id,
        )

    async def _upload(self, stage: str) -> Made:
        data = f"evidence {self.serial()}\n".encode()
        made = await self.start_upload("company_poc", data)
        if stage == "open":
            return made
        await self.write_chunks("company_poc", made)
        if stage == "written":
            return made
        await self.complete_upload("company_poc", made)
        return made

    # -- files ---------------------------------------------------------------------------

    async def start_upload(
        self,
        role: str,
        data: bytes,
        kind: int = common.ATTACHMENT_KIND_RESPONSE,
        name: str = "",
    ) -> Made:
        started = await self.files.StartUpload(
            fpb.StartUploadRequest(
                kind=kind,  # type: ignore[arg-type]
                files=[
                    fpb.DeclaredFile(
                        name=name or f"evidence-{self.serial()}.pdf",
                        size_bytes=len(data),
                        sha256_hex=hashlib.sha256(data).hexdigest(),
                    )
                ],
            ),
            **self.md(role),
        )
        (declared,) = started.upload.files
        return Made(upload_id=started.upload.upload_id, file_id=declared.file_id, data=data)

    async def write_chunks(self, role: str, made: Made) -> None:
        chunk = fpb.UploadChunksRequest(
            upload_id=made.upload_id, file_id=made.file_id, offset=0, data=made.data
        )
        await self.files.UploadChunks(iter([chunk]), **self.md(role))

    async def complete_upload(self, role: str, made: Made) -> str:
        """Complete the upload; the attach grant of its file."""
        done = await self.files.CompleteUpload(
            fpb.CompleteUploadRequest(upload_id=made.upload_id), **self.md(role)
        )
        (file,) = done.files
        return str(file.attach_grant_token)

    async def uploaded_file(
        self, role: str, kind: int = common.ATTACHMENT_KIND_RESPONSE, name: str = ""
    ) -> Any:
        """A file ``role`` uploaded and may attach: a ``cpb.AttachedFile``."""
        data = f"attachment {self.serial()}\n".encode()
        made = await self.start_upload(role, data, kind, name)
        await self.write_chunks(role, made)
        grant = await self.complete_upload(role, made)
        await self.settle("the complaints service to learn of an upload")
        return cpb.AttachedFile(file_id=made.file_id, attach_grant_token=grant)


async def _nothing() -> Made:
    return Made()


async def build_world(host: ServiceHost, clock: FixedClock) -> World:
    """Agencies NY (with every agency role) and NJ; companies ACME (enrolled, every company
    role), GLOBEX (enrolled, another company) and PENDING (invited: its first user
    activated, enrollment not completed); a platform operator."""
    settings = host.settings
    channel = grpc.aio.insecure_channel(host.address)
    world = World(
        host=host,
        settings=settings,
        channel=channel,
        clock=clock,
        enrollment_db=create_database_engine(settings.database.url_for("enrollment")),
    )
    world.people["platform_operator"] = _create_operator(settings)
    await world.settle("the operator to be known")
    for key, code, name, state in (
        ("ny", "NYDFS", "New York DFS", "NY"),
        ("nj", "NJDOBI", "New Jersey DOBI", "NJ"),
    ):
        created = await world.enrollment.CreateAgency(
            epb.CreateAgencyRequest(
                code=code,
                name=name,
                state_code=state,
                first_administrator=world.new_user(f"{key}-admin"),
            ),
            **world.md("platform_operator"),
        )
        agency_id = created.agency.agency_id
        world.agencies[key] = agency_id
        admin = Identity(
            user_id=created.first_administrator.user_id,
            side=Side.AGENCY,
            organization_id=agency_id,
        )
        world.people[f"{key}_admin"] = admin
        world.emails[admin.user_id] = created.first_administrator.email
    world.people["agency_account_admin"] = world.people["ny_admin"]
    ny = world.agencies["ny"]
    for role, label, agency_role in (
        ("agency_supervisor", "supervisor", common.AGENCY_ROLE_COMPLAINT_SUPERVISOR),
        ("agency_manager", "manager", common.AGENCY_ROLE_COMPLAINT_MANAGER),
        ("agency_viewer", "viewer", common.AGENCY_ROLE_COMPLAINT_VIEWER),
        ("agency_poc", "poc", common.AGENCY_ROLE_COMPLAINT_MANAGER),
    ):
        world.people[role] = await world.agency_user("agency_account_admin", ny, label, agency_role)
    world.people["other_agency_user"] = await _nj_manager(world)
    await world.settle("the agency users to be known")

    acme, acme_admin = await world.invited_company("Acme")
    world.companies["acme"] = acme
    world.people["company_account_admin"] = acme_admin
    for role, label, permission in (
        ("company_manage_user", "manage", MANAGE),
        ("company_view_user", "view", VIEW),
        ("ses_complaints_contact", "contact", MANAGE),
        ("company_poc", "poc", MANAGE),
        ("contributor", "contributor", MANAGE),
    ):
        world.people[role] = await world.company_user(acme_admin, acme, label, permission)
    await world.enrollment.AssignCompanyContact(
        epb.AssignCompanyContactRequest(
            company_id=acme,
            contact_type=SES_CONTACT,
            user_id=world.people["ses_complaints_contact"].user_id,
        ),
        metadata=world._metadata_of(acme_admin),
        timeout=60,
    )
    await world.complete_enrollment(acme, acme_admin)
    globex, globex_first = await world.invited_company("Globex")
    await world.complete_enrollment(globex, globex_first)
    world.companies["globex"] = globex
    world.people["other_company_user"] = globex_first
    pending, pending_first = await world.invited_company("Pending")
    world.companies["pending"] = pending
    world.people["unenrolled_company_user"] = pending_first
    await world.settle("the companies and their people to be known")
    return world


async def _nj_manager(world: World) -> Identity:
    return await world.agency_user(
        "nj_admin", world.agencies["nj"], "nj-manager", common.AGENCY_ROLE_COMPLAINT_MANAGER
    )


def _create_operator(settings: Settings) -> Identity:
    """A platform operator, made as ``ses operators create`` makes one (writing to the
    enrollment database; the running host publishes the statement of authority)."""
    import argparse

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = OperatorsCommand().run(
            argparse.Namespace(
                email="ola.ops@platform.example.org", given_name="Ola", family_name="Ops"
            ),
            settings,
        )
    assert status == 0, out.getvalue()
    first_line = out.getvalue().splitlines()[0]
    user_id = first_line.rpartition("(user id ")[2].rstrip(").")
    return Identity(user_id=user_id, side=Side.PLATFORM)


def host_plugins() -> list[Any]:
    return [EnrollmentPlugin(FAST_HASHING), complaints_plugin, files_plugin, notify_plugin]


def fixed_clock() -> FixedClock:
    """The services' clock: the time the suite starts, moved only when a test says so."""
    return FixedClock(datetime.now(UTC))
