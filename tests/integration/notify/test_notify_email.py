"""The e-mail channel: the embedded mail directory, and what SMTP refusals do to a delivery."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from notify_support import EventFeed, Scenario, SmtpSink, notify_host, notify_settings

from ses.notify.v1 import notify_pb2 as pb
from ses_core.testing import NatsServerProcess
from ses_core.testing.hosting import host_settings

pytestmark = pytest.mark.integration


async def test_the_embedded_default_writes_eml_files_and_says_where(
    tmp_path: Path, nats_server: NatsServerProcess
) -> None:
    world = Scenario()
    settings = host_settings(tmp_path / "data", nats_url=nats_server.url)
    mail_dir = (tmp_path / "data" / "mail").resolve()
    async with notify_host(settings) as (host, client), EventFeed.connect(nats_server.url) as feed:
        (service,) = host.services
        assert service.parts is not None
        assert any(str(mail_dir) in line for line in service.parts.ready_messages)
        await feed.publish(*world.setup_events())
        await feed.applied()
        deliveries = await client.settled()
    files = sorted(mail_dir.glob("*.eml"))  # all of them, now that every delivery settled
    assert len(files) == 2  # enrollment completed: the initiating manager and the supervisor
    assert not list(mail_dir.glob("*.partial"))
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["From"] == "SES Notifications <no-reply@ses.local>"
    assert message["Subject"] == f"Acme Lending {world.tag} completed enrollment in SES"
    assert message.get_content_type() == "multipart/alternative"
    emailed = {d.delivery_id for d in deliveries if d.channel == pb.CHANNEL_EMAIL}
    assert {f.stem for f in files} == emailed  # one file per delivery, named after it


async def test_refused_recipients_are_dead_lettered_permanent_at_once_temporary_after_retries(
    tmp_path: Path, nats_server: NatsServerProcess, smtp: SmtpSink
) -> None:
    world = Scenario()
    world.emails[world.supervisor] = "reject-supervisor@example.org"  # 550 from the server
    world.emails[world.manager] = "busy-manager@example.org"  # 451 from the server
    url = f"sqlite+pysqlite:///{tmp_path / 'notify.db'}"
    settings = notify_settings(tmp_path / "data", nats_server.url, url, smtp.port)
    async with notify_host(settings) as (_, client), EventFeed.connect(nats_server.url) as feed:
        await feed.publish(*world.setup_events())
        await feed.applied()
        deliveries = await client.settled()
        dead = await client.deliveries(statuses=[pb.DELIVERY_STATUS_DEAD_LETTERED])
    emails = {d.address: d for d in deliveries if d.channel == pb.CHANNEL_EMAIL}
    rejected = emails["reject-supervisor@example.org"]
    assert rejected.status == pb.DELIVERY_STATUS_DEAD_LETTERED
    assert rejected.attempts == 1
    assert "550" in rejected.last_error
    busy = emails["busy-manager@example.org"]
    assert busy.status == pb.DELIVERY_STATUS_DEAD_LETTERED
    assert busy.attempts == 3  # the test policy's max_attempts
    assert "451" in busy.last_error
    assert {d.delivery_id for d in dead} >= {rejected.delivery_id, busy.delivery_id}
    assert smtp.count() == 0
    # The inbox entries of the same notice were delivered regardless.
    inbox = [d for d in deliveries if d.channel == pb.CHANNEL_IN_APP]
    assert {d.status for d in inbox} == {pb.DELIVERY_STATUS_DELIVERED}
