"""Webhooks to real HTTP(S) servers: each organisation's view, Standard Webhooks signatures
and secret rotation, targets checked again at delivery (DNS rebinding), TLS checked
against the host name while connecting to the pinned address, retries, dead letters and
the cap on what a receiver's answer may make the service read."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import grpc
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from notify_support import (
    EventFeed,
    HookReceiver,
    NotifyClient,
    ReceivedHook,
    Scenario,
    SmtpSink,
    ThrowawayTls,
    fast_plugin,
    notify_host,
    notify_settings,
    webhooks_trusting,
)
from sqlalchemy import create_engine, select
from standardwebhooks.webhooks import Webhook

from ses.notify.v1 import notify_pb2 as pb
from ses_core.models import complaint_events as ce
from ses_core.platform.authority import authority_metadata
from ses_core.platform.db import platform_metadata
from ses_core.ports import FixedClock
from ses_core.testing import NatsServerProcess, eventually
from ses_notify import tables
from ses_notify.bootstrap import NotifyPlugin
from ses_notify.pinned_http import EXCERPT_CHARS
from ses_notify.webhook_targets import HostsResolver
from ses_sdk import WebhookVerificationFailed, verify_webhook
from ses_sdk._webhooks import webhook_signature

pytestmark = pytest.mark.integration

DUE = date(2031, 3, 3)
# The notify host's clock where a test checks timestamps: a Monday, 12:00 in New York.
AT = datetime(2031, 1, 6, 17, 0, tzinfo=UTC)
# A public address for names that must pass registration (example.org's, never contacted).
PUBLIC = "93.184.215.14"


def _signed_at(hook: ReceivedHook) -> datetime:
    return datetime.fromtimestamp(int(hook.headers["webhook-timestamp"]), UTC)


async def test_organisations_receive_signed_posts_with_only_what_they_may_see(
    tmp_path: Path, nats_server: NatsServerProcess, database_url: str, smtp: SmtpSink
) -> None:
    world = Scenario()
    c = world.complaint(1)
    settings = notify_settings(
        tmp_path / "data",
        nats_server.url,
        database_url,
        smtp.port,
        webhook_allow_private_targets=True,
    )
    sent_back = ce.ResponseSentBack(
        tenant_id=world.agency,
        complaint_id=c,
        company_id=world.company,
        actor_id=world.manager,
        information_request_id="ir-1",
        reason="Restricted detail: the settlement amount.",
        due_date=DUE,
    )
    with HookReceiver() as receiver:
        async with notify_host(settings) as (_, client):
            company_hook = await client.stub.CreateWebhookEndpoint(
                pb.CreateWebhookEndpointRequest(url=receiver.url("/ok/company")),
                metadata=client.md(world.actor(world.contact)),
            )
            agency_hook = await client.stub.CreateWebhookEndpoint(
                pb.CreateWebhookEndpointRequest(url=receiver.url("/ok/agency")),
                metadata=client.md(world.actor(world.supervisor)),
            )
            async with EventFeed.connect(nats_server.url) as feed:
                await feed.publish(*world.setup_events(), *world.new_complaint(c, "ir-1", DUE))
                await feed.publish(world.assign_poc(c), world.submit(c, "ir-1", restricted=True))
                await feed.publish(sent_back)
                await eventually(
                    lambda: (
                        len(receiver.at("/ok/company")) >= 3 and len(receiver.at("/ok/agency")) >= 2
                    ),
                    message="the webhook posts",
                )
                await client.settled()

    company_posts = receiver.at("/ok/company")
    agency_posts = receiver.at("/ok/agency")
    for hook, secret in (
        *((post, company_hook.signing_secret) for post in company_posts),
        *((post, agency_hook.signing_secret) for post in agency_posts),
    ):
        verify_webhook(hook.headers, hook.body, secret, now=_signed_at(hook))
    company_topics = sorted(json.loads(post.body)["topic"] for post in company_posts)
    assert company_topics == [
        "company_poc_assigned",
        "information_requests_sent",
        "response_sent_back",
    ]
    agency_topics = sorted(json.loads(post.body)["topic"] for post in agency_posts)
    assert agency_topics == ["enrollment_completed", "response_submitted"]
    (company_sent_back,) = [
        json.loads(p.body) for p in company_posts if b"response_sent_back" in p.body
    ]
    # The response was restricted: the company's integrator gets the notice, not its content.
    assert "send_back_reason" not in company_sent_back["facts"]
    assert b"settlement amount" not in b"".join(post.body for post in company_posts)
    assert company_sent_back["organization"] == {"kind": "company", "id": world.company}
    (submitted,) = [json.loads(p.body) for p in agency_posts if b"response_submitted" in p.body]
    assert submitted["facts"]["restricted"] is True
    assert submitted["facts"]["file_count"] == 2
    # The POC, who may see restricted content, got the reason by e-mail.
    (mail,) = [m for m in smtp.to(world.email(world.poc)) if "sent back" in str(m["Subject"])]
    assert "settlement amount" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_failing_endpoints_are_retried_then_dead_lettered_and_visible(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    url = f"sqlite+pysqlite:///{tmp_path / 'notify.db'}"
    settings = notify_settings(
        tmp_path / "data", nats_server.url, url, smtp.port, webhook_allow_private_targets=True
    )
    with HookReceiver() as receiver:
        async with notify_host(settings) as (_, client):
            for path in ("/fail", "/gone"):
                await client.stub.CreateWebhookEndpoint(
                    pb.CreateWebhookEndpointRequest(url=receiver.url(path)),
                    metadata=client.md(world.actor(world.supervisor)),
                )
            async with EventFeed.connect(nats_server.url) as feed:
                await feed.publish(*world.setup_events())
                await feed.applied()
                deliveries = await client.settled()
            admin_view = await client.stub.ListDeliveries(
                pb.ListDeliveriesRequest(channel=pb.CHANNEL_WEBHOOK),
                metadata=client.md(world.actor(world.supervisor)),
            )
            with pytest.raises(grpc.aio.AioRpcError) as company_view:
                await client.stub.ListDeliveries(
                    pb.ListDeliveriesRequest(), metadata=client.md(world.actor(world.poc))
                )
    hooks = {d.address: d for d in deliveries if d.channel == pb.CHANNEL_WEBHOOK}
    failing, gone = hooks[receiver.url("/fail")], hooks[receiver.url("/gone")]
    assert failing.status == pb.DELIVERY_STATUS_DEAD_LETTERED
    assert failing.attempts == 3  # the test policy's max_attempts
    assert "HTTP 500" in failing.last_error
    assert len(receiver.at("/fail")) == 3
    assert gone.status == pb.DELIVERY_STATUS_DEAD_LETTERED
    assert gone.attempts == 1  # 410 cannot get better: no retry
    assert len(receiver.at("/gone")) == 1
    # The agency's administrators see their organisation's deliveries; a plain company user none.
    assert {d.address for d in admin_view.deliveries} == set(hooks)
    assert company_view.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def _register(
    client: NotifyClient, world: Scenario, url: str
) -> pb.CreateWebhookEndpointResponse:
    created = await client.stub.CreateWebhookEndpoint(
        pb.CreateWebhookEndpointRequest(url=url),
        metadata=client.md(world.actor(world.supervisor)),
    )
    return created


async def test_a_delivery_over_https_to_the_checked_address_is_signed_as_standard_webhooks_says(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    tls = ThrowawayTls.for_names("hooks.example.test")
    # Only this table knows the name: the POST can only have gone to the address checked.
    resolver = HostsResolver({"hooks.example.test": ["127.0.0.1"]})
    url = f"sqlite+pysqlite:///{tmp_path / 'notify.db'}"
    settings = notify_settings(
        tmp_path / "data",
        nats_server.url,
        url,
        smtp.port,
        webhook_allowed_targets=["hooks.example.test"],
    )
    plugin = fast_plugin(webhook_resolver=resolver, channel_factories=webhooks_trusting(tls.client))
    with HookReceiver(tls.server) as receiver:
        async with notify_host(settings, plugin, clock=FixedClock(AT)) as (_, client):
            created = await _register(
                client, world, receiver.url("/ok/agency", host="hooks.example.test")
            )
            async with EventFeed.connect(nats_server.url) as feed:
                await feed.publish(*world.setup_events())
                await eventually(lambda: receiver.at("/ok/agency"), message="the webhook POST")
    (post,) = receiver.at("/ok/agency")
    secret = created.signing_secret
    assert secret.startswith("whsec_")
    assert post.headers["host"] == f"hooks.example.test:{receiver.port}"
    assert post.headers["webhook-timestamp"] == str(int(AT.timestamp()))
    # The reference library's own algorithm signs the same bytes to the same value.
    reference = Webhook(secret).sign(post.headers["webhook-id"], AT, post.body.decode())
    assert post.headers["webhook-signature"] == reference
    payload = verify_webhook(post.headers, post.body, secret, now=AT + timedelta(minutes=4))
    assert payload["delivery_id"] == post.headers["webhook-id"]
    assert payload["topic"] == "enrollment_completed"
    assert post.headers["x-ses-topic"] == "enrollment_completed"
    assert "x-ses-signature" not in post.headers
    # The same delivery replayed six minutes later is refused.
    with pytest.raises(WebhookVerificationFailed) as replayed:
        verify_webhook(post.headers, post.body, secret, now=AT + timedelta(minutes=6))
    assert replayed.value.reason == "webhook_timestamp_too_old"


async def test_a_new_secret_signs_beside_the_old_one_until_the_old_one_is_deleted(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    c = world.complaint(1)
    url = f"sqlite+pysqlite:///{tmp_path / 'notify.db'}"
    settings = notify_settings(
        tmp_path / "data", nats_server.url, url, smtp.port, webhook_allow_private_targets=True
    )
    with HookReceiver() as receiver:
        async with notify_host(settings, clock=FixedClock(AT)) as (_, client):
            admin = client.md(world.actor(world.supervisor))
            created = await _register(client, world, receiver.url("/ok/agency"))
            endpoint_id = created.webhook_endpoint.webhook_endpoint_id
            (old_id,) = [s.signing_secret_id for s in created.webhook_endpoint.signing_secrets]
            rotated = await client.stub.CreateWebhookSigningSecret(
                pb.CreateWebhookSigningSecretRequest(webhook_endpoint_id=endpoint_id),
                metadata=admin,
            )
            # Both created at the same (fixed) instant: listed in an order of their ids then.
            assert {s.signing_secret_id for s in rotated.webhook_endpoint.signing_secrets} == {
                old_id,
                rotated.signing_secret_id,
            }
            async with EventFeed.connect(nats_server.url) as feed:
                await feed.publish(*world.setup_events())
                await eventually(lambda: receiver.at("/ok/agency"), message="the first POST")
                remaining = await client.stub.DeleteWebhookSigningSecret(
                    pb.DeleteWebhookSigningSecretRequest(
                        webhook_endpoint_id=endpoint_id, signing_secret_id=old_id
                    ),
                    metadata=admin,
                )
                await feed.publish(*world.new_complaint(c, "ir-1", DUE))
                await feed.publish(world.assign_poc(c), world.submit(c, "ir-1"))
                await eventually(
                    lambda: len(receiver.at("/ok/agency")) >= 2, message="the second POST"
                )
    old, new = created.signing_secret, rotated.signing_secret
    assert [s.signing_secret_id for s in remaining.webhook_endpoint.signing_secrets] == [
        rotated.signing_secret_id
    ]
    during, after = receiver.at("/ok/agency")
    entries = during.headers["webhook-signature"].split(" ")
    assert sorted(entries) == sorted(
        Webhook(secret).sign(during.headers["webhook-id"], AT, during.body.decode())
        for secret in (old, new)
    )
    for secret in (old, new):
        verify_webhook(during.headers, during.body, secret, now=AT)
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    verify_webhook(after.headers, after.body, new, now=AT)
    with pytest.raises(WebhookVerificationFailed) as old_secret:
        verify_webhook(after.headers, after.body, old, now=AT)
    assert old_secret.value.reason == "webhook_signature_mismatch"


async def test_a_host_that_resolves_inside_at_delivery_is_refused_and_never_contacted(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    tls = ThrowawayTls.for_names("rebind.example.test")
    resolver = HostsResolver({"rebind.example.test": [PUBLIC]})
    url = f"sqlite+pysqlite:///{tmp_path / 'notify.db'}"
    settings = notify_settings(tmp_path / "data", nats_server.url, url, smtp.port)
    plugin = fast_plugin(webhook_resolver=resolver, channel_factories=webhooks_trusting(tls.client))
    with HookReceiver(tls.server) as receiver:
        async with notify_host(settings, plugin) as (_, client):
            target = receiver.url("/ok/agency", host="rebind.example.test")
            await _register(client, world, target)
            # DNS rebinding: the name answers with a public address, then with this machine.
            resolver.point("rebind.example.test", "127.0.0.1")
            async with EventFeed.connect(nats_server.url) as feed:
                await feed.publish(*world.setup_events())
                deliveries = await client.settled()
    (hook,) = [d for d in deliveries if d.channel == pb.CHANNEL_WEBHOOK]
    assert hook.status == pb.DELIVERY_STATUS_DEAD_LETTERED
    assert hook.attempts == 1  # the policy refuses it: retrying cannot help
    assert "rebind.example.test, which resolves to 127.0.0.1, a loopback address" in (
        hook.last_error
    )
    assert receiver.at("/ok/agency") == []


async def test_the_certificate_must_name_the_host_although_the_address_is_pinned(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    tls = ThrowawayTls.for_names("hooks.example.test")
    resolver = HostsResolver({"other.example.test": ["127.0.0.1"]})
    url = f"sqlite+pysqlite:///{tmp_path / 'notify.db'}"
    settings = notify_settings(
        tmp_path / "data",
        nats_server.url,
        url,
        smtp.port,
        webhook_allowed_targets=["other.example.test"],
    )
    plugin = fast_plugin(webhook_resolver=resolver, channel_factories=webhooks_trusting(tls.client))
    with HookReceiver(tls.server) as receiver:
        async with notify_host(settings, plugin) as (_, client):
            await _register(client, world, receiver.url("/ok/agency", host="other.example.test"))
            async with EventFeed.connect(nats_server.url) as feed:
                await feed.publish(*world.setup_events())
                deliveries = await client.settled()
    (hook,) = [d for d in deliveries if d.channel == pb.CHANNEL_WEBHOOK]
    assert hook.status == pb.DELIVERY_STATUS_DEAD_LETTERED
    assert hook.attempts == 3  # a TLS failure may be fixed by the receiver: retried
    assert "certificate verify failed" in hook.last_error
    assert receiver.at("/ok/agency") == []


async def test_an_endless_answer_is_read_only_up_to_the_cap(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    url = f"sqlite+pysqlite:///{tmp_path / 'notify.db'}"
    settings = notify_settings(
        tmp_path / "data", nats_server.url, url, smtp.port, webhook_allow_private_targets=True
    )
    with HookReceiver() as receiver:
        async with notify_host(settings) as (_, client):
            await _register(client, world, receiver.url("/endless"))
            async with EventFeed.connect(nats_server.url) as feed:
                await feed.publish(*world.setup_events())
                deliveries = await client.settled()
    (hook,) = [d for d in deliveries if d.channel == pb.CHANNEL_WEBHOOK]
    assert hook.status == pb.DELIVERY_STATUS_DEAD_LETTERED
    assert hook.attempts == 3
    assert len(receiver.at("/endless")) == 3
    said = hook.last_error.split("answered HTTP 500: ", 1)[1]
    assert said.startswith("upstream exploded xxxx")
    assert len(said) == EXCERPT_CHARS


def test_the_migration_keeps_each_endpoints_key_in_whsec_form_and_back(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite+pysqlite:///{tmp_path / 'notify.db'}")
    config = Config()
    config.set_main_option("script_location", str(NotifyPlugin().migrations))
    legacy = sa.table(
        "webhook_endpoints",
        *(sa.column(name) for name in ("webhook_endpoint_id", "organization_kind")),
        *(sa.column(name) for name in ("organization_id", "url", "secret", "created_at")),
    )
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
            connection.execute(
                legacy.insert().values(
                    webhook_endpoint_id="w-1",
                    organization_kind="agency",
                    organization_id="agency-1",
                    url="https://hooks.example.org/",
                    secret="legacy-secret-of-43-url-safe-characters-xyz",
                    created_at=AT,
                )
            )
            command.upgrade(config, "head")
        with engine.connect() as connection:
            secrets = connection.execute(select(tables.webhook_signing_secrets)).mappings().all()
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(
                context, [tables.metadata, platform_metadata, authority_metadata]
            )
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
            downgraded = connection.execute(select(legacy.c.secret)).scalars().all()
    finally:
        engine.dispose()
    assert differences == []
    (secret,) = secrets
    assert downgraded == [secret["secret"]]
    assert secret["webhook_endpoint_id"] == "w-1"
    # The same HMAC key as before: the old secret's bytes, now as whsec_<base64>.
    body = b'{"topic":"x"}'
    legacy_key = b"legacy-secret-of-43-url-safe-characters-xyz"
    expected = hmac.new(legacy_key, b"d-1.1700000000." + body, hashlib.sha256).digest()
    assert webhook_signature(secret["secret"], "d-1", 1700000000, body) == (
        "v1," + base64.b64encode(expected).decode()
    )
