"""Helpers for the notify tests: a real SMTP server, an event feed into JetStream, a scenario.

* :class:`SmtpSink` — the real SMTP server of :mod:`ses_core.testing.smtp`.
* :class:`EventFeed` — publishes domain events to ``SES_EVENTS`` the way an outbox relay
  does (subject, ``Nats-Msg-Id``, ``ses-tenant``, protobuf payload).
* :class:`Scenario` — an agency, an enrolled company and their people, with unique ids,
  and builders for the events the complaints service would publish.
* :class:`HookReceiver` — a real HTTP(S) server receiving webhooks; :class:`ThrowawayTls`
  and :func:`webhooks_trusting` give it a certificate the webhook channel trusts.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
import threading
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import grpc.aio
import trustme
from nats.aio.client import Client as NatsClient
from nats.js import JetStreamContext

from ses.notify.v1 import notify_pb2 as pb
from ses.notify.v1 import notify_pb2_grpc
from ses_core.accounts import (
    AgencyCreated,
    CompanyContactAssigned,
    CompanyContactType,
    CompanyKind,
    CompanyRegistered,
    CompanySource,
    UserCreated,
)
from ses_core.events import DomainEvent
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.lifecycle import ComplaintStatus
from ses_core.models import complaint_events as ce
from ses_core.models.enrollment_events import EnrollmentCompleted, EnrollmentInitiated
from ses_core.platform.messaging import ProtobufEventCodec, connect, ensure_streams
from ses_core.platform.runtime import ServiceHost
from ses_core.platform.settings import Settings
from ses_core.testing import eventually, publish_events
from ses_core.testing.hosting import host_settings, hosted, metadata_for
from ses_core.testing.smtp import SmtpSink
from ses_notify.bootstrap import NotifyPlugin
from ses_notify.channels import ChannelFactory, builtin_factories, webhook
from ses_notify.consumers import DURABLE_NAME
from ses_notify.worker import DeliveryPolicy

CODEC = ProtobufEventCodec()
OPERATOR = Actor.platform_operator("u-operator")
FAST_POLICY = DeliveryPolicy(
    max_attempts=3,
    retry_initial=0.2,
    retry_max=1.0,
    outage_initial=0.2,
    outage_max=1.0,
    idle_poll=0.5,
)


# -- SMTP --------------------------------------------------------------------------------------


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


# -- events ------------------------------------------------------------------------------------


class EventFeed:
    def __init__(self, nats: NatsClient) -> None:
        self.nats = nats
        self.js: JetStreamContext = nats.jetstream()

    @classmethod
    @asynccontextmanager
    async def connect(cls, url: str) -> AsyncIterator[EventFeed]:
        client = await connect(url, name="notify-test-feed")
        try:
            feed = cls(client)
            await ensure_streams(feed.js)
            yield feed
        finally:
            await client.drain()

    async def publish(self, *events: DomainEvent) -> None:
        """Publish as the other services' relays would; the notify service applies them later."""
        await publish_events(self.js, events, codec=CODEC)

    async def caught_up(self) -> bool:
        """The notify consumer was handed, and acknowledged, everything in the stream."""
        stream = await self.js.stream_info("SES_EVENTS")
        try:
            consumer = await self.js.consumer_info("SES_EVENTS", DURABLE_NAME)
        except Exception:  # not created yet, or deleted for a replay
            return False
        return (
            consumer.delivered.stream_seq >= stream.state.last_seq
            and consumer.num_pending == 0
            and consumer.num_ack_pending == 0
        )

    async def applied(self, *, what: str = "every published event") -> None:
        """Wait until the notify service has applied (and so recorded the deliveries of)
        everything published so far: ``NotifyClient.settled`` alone would also accept a
        moment when the events are not applied yet and no delivery exists."""
        await eventually(self.caught_up, message=f"the notify consumer to apply {what}")


# -- a scenario --------------------------------------------------------------------------------


def _id(prefix: str, tag: str) -> str:
    return f"{prefix}-{tag}"


@dataclass
class Scenario:
    """One agency and one enrolled company with their people; ids are unique per scenario."""

    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    # E-mail addresses other than ``<user id>@example.org``, by user id.
    emails: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        t = self.tag
        self.agency = _id("agency", t)
        self.supervisor = _id("u-supervisor", t)
        self.manager = _id("u-manager", t)  # the Agency POC of the complaints
        self.company = _id("company", t)
        self.contact = _id("u-contact", t)  # SES Complaints Contact, Account Administrator
        self.poc = _id("u-poc", t)
        self.contributor = _id("u-contrib", t)
        self.viewer = _id("u-viewer", t)

    def email(self, user_id: str) -> str:
        return self.emails.get(user_id, f"{user_id}@example.org")

    def actor(self, user_id: str) -> Actor:
        if user_id in (self.supervisor, self.manager):
            role = (
                AgencyRole.COMPLAINT_SUPERVISOR
                if user_id == self.supervisor
                else AgencyRole.COMPLAINT_MANAGER
            )
            return Actor.agency_user(user_id, self.agency, role)
        return Actor.company_user(
            user_id,
            self.company,
            ComplaintsPermission.MANAGE,
            account_admin=user_id == self.contact,
            complaints_contact=user_id == self.contact,
        )

    # -- setup -----------------------------------------------------------------------------

    def setup_events(self) -> list[DomainEvent]:
        """Agency, company, users, enrollment: everything before the first complaint."""
        a, c = self.agency, self.company
        events: list[DomainEvent] = [
            AgencyCreated(
                tenant_id=a, agency_id=a, code="NY", name="NY Department", state_code="NY"
            ),
            self._agency_user(self.supervisor, AgencyRole.COMPLAINT_SUPERVISOR),
            self._agency_user(self.manager, AgencyRole.COMPLAINT_MANAGER),
            CompanyRegistered(
                company_id=c,
                legal_name=f"Acme Lending {self.tag}",
                kind=CompanyKind.NMLS_REGISTERED,
                source=CompanySource.IMPORT,
                tenant_id="",
            ),
            EnrollmentInitiated(
                tenant_id=a,
                company_id=c,
                actor_id=self.manager,
                invited_user_id=self.contact,
                expires_at=datetime.now(UTC) + timedelta(days=7),
            ),
        ]
        for user in (self.contact, self.poc, self.contributor, self.viewer):
            events.append(self._company_user(user))
        events += [
            CompanyContactAssigned(
                tenant_id=a,
                company_id=c,
                contact_type=CompanyContactType.SES_COMPLAINTS_CONTACT,
                user_id=self.contact,
            ),
            EnrollmentCompleted(
                tenant_id=a,
                company_id=c,
                actor_id=self.contact,
                user_id=self.contact,
                complaints_contact_id=self.contact,
            ),
        ]
        return events

    def _agency_user(self, user_id: str, role: AgencyRole) -> UserCreated:
        return UserCreated(
            tenant_id=self.agency,
            user_id=user_id,
            agency_id=self.agency,
            email=self.email(user_id),
            given_name="Agency",
            family_name=user_id,
            agency_roles=[role],
        )

    def _company_user(self, user_id: str) -> UserCreated:
        permission = (
            ComplaintsPermission.VIEW if user_id == self.viewer else ComplaintsPermission.MANAGE
        )
        return UserCreated(
            tenant_id=self.agency,
            user_id=user_id,
            company_id=self.company,
            email=self.email(user_id),
            given_name="Company",
            family_name=user_id,
            complaints_permission=permission,
            account_administrator=user_id == self.contact,
        )

    # -- complaints ------------------------------------------------------------------------

    def complaint(self, number: int) -> str:
        """A complaint id that reads like a reference: these events carry it as both."""
        return f"NY-2026-{self.tag}-{number:04d}"

    def _base(self, complaint_id: str, actor: str = "") -> dict[str, Any]:
        return {
            "tenant_id": self.agency,
            "complaint_id": complaint_id,
            "reference_number": complaint_id,
            "company_id": self.company,
            "actor_id": actor,
        }

    def new_complaint(self, complaint_id: str, ir_id: str, due: date) -> list[DomainEvent]:
        base = self._base(complaint_id, self.manager)
        return [
            ce.ComplaintCreated(
                **base,
                status=ComplaintStatus.OPEN,
                received_date=date(2026, 11, 2),
                agency_poc_id=self.manager,
            ),
            ce.InformationRequestAdded(**base, information_request_id=ir_id, due_date=due),
            ce.InformationRequestSent(**base, information_request_id=ir_id, due_date=due),
        ]

    def assign_poc(self, complaint_id: str) -> ce.CompanyPocAssigned:
        return ce.CompanyPocAssigned(
            **self._base(complaint_id, self.contact), company_poc_id=self.poc
        )

    def submit(
        self, complaint_id: str, ir_id: str, *, restricted: bool = False
    ) -> ce.ResponseSubmitted:
        return ce.ResponseSubmitted(
            **self._base(complaint_id, self.poc),
            information_request_id=ir_id,
            restricted=restricted,
            submission_number=1,
            file_count=2,
        )


# -- hosting -----------------------------------------------------------------------------------


def notify_settings(
    data_dir: Path, nats_url: str, database_url: str, smtp_port: int, **notify: Any
) -> Settings:
    """``notify`` adds notify settings, e.g. ``webhook_allow_private_targets=True``."""
    return host_settings(
        data_dir,
        nats_url=nats_url,
        database_urls={"notify": database_url},
        notify={
            "mail_transport": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_port,
            **notify,
        },
    )


def fast_plugin(**overrides: Any) -> NotifyPlugin:
    return NotifyPlugin(
        policy=overrides.pop("policy", FAST_POLICY), network_timeout=5.0, **overrides
    )


@dataclass
class NotifyClient:
    """The NotifyService stub with calls acting as one actor at a time."""

    settings: Settings
    stub: notify_pb2_grpc.NotifyServiceStub

    def md(self, actor: Actor, key: str | None = None) -> tuple[tuple[str, str], ...]:
        return metadata_for(self.settings, actor, idempotency_key=key)

    async def deliveries(self, **filters: Any) -> list[pb.Delivery]:
        request = pb.ListDeliveriesRequest(page_size=200, **filters)
        found: list[pb.Delivery] = []
        while True:
            response = await self.stub.ListDeliveries(request, metadata=self.md(OPERATOR))
            found.extend(response.deliveries)
            if not response.next_page_token:
                return found
            request.page_token = response.next_page_token

    async def settled(self, *, timeout: float = 60.0) -> list[pb.Delivery]:  # noqa: ASYNC109
        """Every delivery recorded so far has reached a final state; returns them all."""

        async def final() -> list[pb.Delivery] | None:
            deliveries = await self.deliveries()
            waiting = (pb.DELIVERY_STATUS_PENDING, pb.DELIVERY_STATUS_RETRYING)
            return None if any(d.status in waiting for d in deliveries) else deliveries

        settled: list[pb.Delivery] = await eventually(
            final, timeout=timeout, message="every delivery in a final state"
        )
        return settled

    async def inbox(
        self, actor: Actor, *, unread_only: bool = False
    ) -> pb.ListNotificationsResponse:
        request = pb.ListNotificationsRequest(unread_only=unread_only, page_size=200)
        return await self.stub.ListNotifications(request, metadata=self.md(actor))


@asynccontextmanager
async def notify_host(
    settings: Settings, plugin: NotifyPlugin | None = None, **options: Any
) -> AsyncIterator[tuple[ServiceHost, NotifyClient]]:
    async with (
        hosted(settings, [plugin or fast_plugin()], **options) as host,
        grpc.aio.insecure_channel(host.address) as channel,
    ):
        yield host, NotifyClient(settings, notify_pb2_grpc.NotifyServiceStub(channel))


async def wait_for_messages(
    sink: SmtpSink,
    count: int,
    *,
    timeout: float = 90.0,  # noqa: ASYNC109 - a deadline to poll to
) -> None:
    await eventually(
        lambda: sink.count() >= count,
        timeout=timeout,
        message=f"{count} e-mails at the SMTP server (have {sink.count()})",
    )


def subjects(messages: Iterable[EmailMessage]) -> list[str]:
    return sorted(str(m["Subject"]) for m in messages)


def delivered(deliveries: Sequence[pb.Delivery]) -> list[pb.Delivery]:
    return [d for d in deliveries if d.status == pb.DELIVERY_STATUS_DELIVERED]


# -- webhook receiver --------------------------------------------------------------------------


@dataclass
class ReceivedHook:
    path: str
    headers: dict[str, str]
    body: bytes


class HookReceiver:
    """A real HTTP server (``http.server`` in a thread) on 127.0.0.1, HTTPS when given a
    server-side ``tls`` context: ``/ok…`` answers 204, ``/fail…`` 500, ``/gone…`` 410,
    ``/endless…`` 500 with a body that never ends; it records every request it receives."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        import http.server

        received: list[ReceivedHook] = []
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with lock:
                    received.append(
                        ReceivedHook(
                            self.path, {k.lower(): v for k, v in self.headers.items()}, body
                        )
                    )
                if self.path.startswith("/endless"):
                    self._answer_forever()
                    return
                status = 204 if self.path.startswith("/ok") else 500
                if self.path.startswith("/gone"):
                    status = 410
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _answer_forever(self) -> None:
                self.send_response(500)
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                self.wfile.write(b"upstream exploded\n")
                with contextlib.suppress(OSError):  # until the client hangs up
                    while True:
                        self.wfile.write(b"x" * 65536)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._lock = lock
        self._received = received
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def __enter__(self) -> HookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def at(self, path: str) -> list[ReceivedHook]:
        with self._lock:
            return [hook for hook in self._received if hook.path == path]


@dataclass(frozen=True)
class ThrowawayTls:
    """A throwaway certificate authority: a server context for ``names``, a client one
    that trusts it (and nothing else)."""

    server: ssl.SSLContext
    client: ssl.SSLContext

    @classmethod
    def for_names(cls, *names: str) -> ThrowawayTls:
        authority = trustme.CA()
        server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        authority.issue_cert(*names).configure_cert(server)
        client = ssl.create_default_context()
        authority.configure_trust(client)
        return cls(server, client)


def webhooks_trusting(tls: ssl.SSLContext) -> dict[str, ChannelFactory]:
    """The built-in channels, the webhook one trusting ``tls``'s authority."""
    return {**builtin_factories(), "webhook": functools.partial(webhook.build, tls=tls)}
