"""Signed webhooks to a real HTTP server: each organisation's view, retries, dead letters."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import grpc
import pytest
from notify_support import (
    EventFeed,
    HookReceiver,
    Scenario,
    SmtpSink,
    notify_host,
    notify_settings,
)

from ses.notify.v1 import notify_pb2 as pb
from ses_core.models import complaint_events as ce
from ses_core.notifications import SIGNATURE_HEADER, signature_matches
from ses_core.testing import NatsServerProcess, eventually

pytestmark = pytest.mark.integration

DUE = date(2031, 3, 3)


async def test_organisations_receive_signed_posts_with_only_what_they_may_see(
    tmp_path: Path, nats_server: NatsServerProcess, database_url: str, smtp: SmtpSink
) -> None:
    world = Scenario()
    c = world.complaint(1)
    settings = notify_settings(tmp_path / "data", nats_server.url, database_url, smtp.port)
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
        assert signature_matches(secret, hook.body, hook.headers[SIGNATURE_HEADER.lower()])
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
    settings = notify_settings(tmp_path / "data", nats_server.url, url, smtp.port)
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
