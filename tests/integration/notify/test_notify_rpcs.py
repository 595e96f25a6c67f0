"""The inbox, preferences, delivery log and webhook endpoints over gRPC: rules and bad input.

One host per module (per database); each test uses its own scenario, so sharing is safe.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
from notify_support import (
    OPERATOR,
    EventFeed,
    NotifyClient,
    Scenario,
    SmtpSink,
    fast_plugin,
    notify_host,
    notify_settings,
)

from ses.notify.v1 import notify_pb2 as pb
from ses_core.platform.db import sqlite_url
from ses_core.testing import (
    NatsServerProcess,
    PostgresCluster,
    error_details,
    error_reason,
    eventually,
)
from ses_notify.webhook_targets import HostsResolver

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

DUE = date(2031, 3, 3)
# What webhook hosts resolve to for this module's host (nothing is ever POSTed to them).
WEBHOOK_HOSTS = {
    "hooks.example.org": ["93.184.215.14"],
    "intranet.example.org": ["10.1.2.3"],
    "dual.example.org": ["93.184.215.14", "fd00::7"],
}


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("notify-rpcs")


@pytest.fixture(scope="module")
def module_nats(module_dir: Path) -> Iterator[NatsServerProcess]:
    with NatsServerProcess(module_dir / "nats-store") as server:
        yield server


@pytest.fixture(scope="module")
def module_smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def notify_database(request: pytest.FixtureRequest, module_dir: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(module_dir / f"db-{uuid.uuid4().hex[:8]}", "notify")
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    name = f"notify_{uuid.uuid4().hex[:12]}"
    yield cluster.create_database(name)
    cluster.drop_database(name)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(
    module_dir: Path, module_nats: NatsServerProcess, module_smtp: SmtpSink, notify_database: str
) -> AsyncIterator[NotifyClient]:
    data_dir = module_dir / f"data-{uuid.uuid4().hex[:8]}"
    settings = notify_settings(data_dir, module_nats.url, notify_database, module_smtp.port)
    plugin = fast_plugin(webhook_resolver=HostsResolver(WEBHOOK_HOSTS))
    async with notify_host(settings, plugin) as (_, notify_client):
        yield notify_client


@pytest_asyncio.fixture(loop_scope="module")
async def world(client: NotifyClient, module_nats: NatsServerProcess) -> Scenario:
    """A fresh agency and company with three complaints sent to the company."""
    scenario = Scenario()
    async with EventFeed.connect(module_nats.url) as feed:
        await feed.publish(*scenario.setup_events())
        for number in range(3):
            complaint = scenario.complaint(number)
            await feed.publish(
                *scenario.new_complaint(complaint, f"ir-{scenario.tag}-{number}", DUE)
            )
    contact = scenario.actor(scenario.contact)

    async def three() -> bool:
        return len((await client.inbox(contact)).notifications) == 3

    await eventually(three, message="three notifications for the contact")
    return scenario


async def _error(call: Any) -> grpc.aio.AioRpcError:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return error
    raise AssertionError("the call succeeded, but it should have failed")


def _reason(error: grpc.aio.AioRpcError) -> str | None:
    return error_reason(error)


def violated_fields(error: grpc.aio.AioRpcError) -> list[str]:
    return [violation.field for violation in error_details(error).field_violations]


# -- inbox -------------------------------------------------------------------------------------


async def test_the_inbox_pages_newest_first_and_counts_unread(
    client: NotifyClient, world: Scenario
) -> None:
    md = client.md(world.actor(world.contact))
    first = await client.stub.ListNotifications(
        pb.ListNotificationsRequest(page_size=2), metadata=md
    )
    assert len(first.notifications) == 2
    assert first.unread_count == 3
    second = await client.stub.ListNotifications(
        pb.ListNotificationsRequest(page_size=2, page_token=first.next_page_token),
        metadata=md,
    )
    assert len(second.notifications) == 1
    assert not second.next_page_token
    everything = [*first.notifications, *second.notifications]
    assert len({n.notification_id for n in everything}) == 3
    stamps = [n.created_at.ToDatetime() for n in everything]
    assert stamps == sorted(stamps, reverse=True)

    changed = await _error(
        client.stub.ListNotifications(
            pb.ListNotificationsRequest(unread_only=True, page_token=first.next_page_token),
            metadata=md,
        )
    )
    assert changed.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violated_fields(changed) == ["page_token"]
    garbage = await _error(
        client.stub.ListNotifications(
            pb.ListNotificationsRequest(page_token="not-a-token"), metadata=md
        )
    )
    assert garbage.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violated_fields(garbage) == ["page_token"]
    negative = await _error(
        client.stub.ListNotifications(pb.ListNotificationsRequest(page_size=-1), metadata=md)
    )
    assert negative.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violated_fields(negative) == ["page_size"]


async def test_mark_read_changes_only_the_callers_own_notifications(
    client: NotifyClient, world: Scenario
) -> None:
    contact = world.actor(world.contact)
    inbox = await client.inbox(contact)
    own = inbox.notifications[0].notification_id
    other = world.actor(world.poc)
    ignored = await client.stub.MarkRead(
        pb.MarkReadRequest(notification_ids=[own]), metadata=client.md(other)
    )
    assert ignored.marked_count == 0
    marked = await client.stub.MarkRead(
        pb.MarkReadRequest(notification_ids=[own, own, "no-such-id"]),
        metadata=client.md(contact, key=f"mark-{world.tag}"),
    )
    assert marked.marked_count == 1
    replay = await client.stub.MarkRead(
        pb.MarkReadRequest(notification_ids=[own, own, "no-such-id"]),
        metadata=client.md(contact, key=f"mark-{world.tag}"),
    )
    assert replay.marked_count == 1  # the stored answer of the first call
    unread = await client.inbox(contact, unread_only=True)
    assert own not in {n.notification_id for n in unread.notifications}
    assert unread.unread_count == 2
    rest = await client.stub.MarkRead(pb.MarkReadRequest(all=True), metadata=client.md(contact))
    assert rest.marked_count == 2
    assert (await client.inbox(contact)).unread_count == 0
    empty = await _error(client.stub.MarkRead(pb.MarkReadRequest(), metadata=client.md(contact)))
    assert empty.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _reason(empty) == "notification_ids_missing"


async def test_the_inbox_needs_a_signed_in_user(client: NotifyClient) -> None:
    error = await _error(client.stub.ListNotifications(pb.ListNotificationsRequest()))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


# -- preferences -------------------------------------------------------------------------------


async def test_users_read_and_replace_their_own_preferences(
    client: NotifyClient, world: Scenario
) -> None:
    poc = world.actor(world.poc)
    default = await client.stub.GetPreferences(pb.GetPreferencesRequest(), metadata=client.md(poc))
    assert default.preferences.user_id == world.poc
    assert list(default.preferences.topics) == []
    stored = await client.stub.UpdatePreferences(
        pb.UpdatePreferencesRequest(
            preferences=pb.NotificationPreferences(
                user_id=world.poc,
                topics=[
                    pb.TopicPreference(topic=pb.NOTIFICATION_TOPIC_CONTRIBUTOR_ADDED, in_app=True)
                ],
                additional_emails=[" Poc@Example.NET ", "poc@example.net"],
            )
        ),
        metadata=client.md(poc),
    )
    assert list(stored.preferences.additional_emails) == ["Poc@example.net"]
    again = await client.stub.GetPreferences(pb.GetPreferencesRequest(), metadata=client.md(poc))
    assert again.preferences == stored.preferences


@pytest.mark.parametrize(
    ("preferences", "code", "reason"),
    [
        (
            {"additional_emails": ["not an address"]},
            grpc.StatusCode.INVALID_ARGUMENT,
            "email_invalid",
        ),
        (
            {"topics": [{"topic": pb.NOTIFICATION_TOPIC_ACCOUNT_ACTIVATION, "email": False}]},
            grpc.StatusCode.INVALID_ARGUMENT,
            "preference_mandatory_topic",
        ),
        (
            {"topics": [{"topic": pb.NOTIFICATION_TOPIC_UNSPECIFIED}]},
            grpc.StatusCode.INVALID_ARGUMENT,
            "topic_invalid",
        ),
        (
            {"topics": [{"topic": 5}, {"topic": 5}]},
            grpc.StatusCode.INVALID_ARGUMENT,
            "preference_topic_repeated",
        ),
        (
            {"additional_emails": [f"a{n}@example.org" for n in range(6)]},
            grpc.StatusCode.INVALID_ARGUMENT,
            "too_many_additional_emails",
        ),
    ],
)
async def test_bad_preferences_are_refused_with_a_reason(
    client: NotifyClient,
    world: Scenario,
    preferences: dict[str, Any],
    code: grpc.StatusCode,
    reason: str,
) -> None:
    message = pb.NotificationPreferences(user_id=world.poc, **preferences)
    error = await _error(
        client.stub.UpdatePreferences(
            pb.UpdatePreferencesRequest(preferences=message),
            metadata=client.md(world.actor(world.poc)),
        )
    )
    assert error.code() == code
    assert _reason(error) == reason
    assert error.details()


async def test_preferences_of_others_do_not_exist_for_the_caller(
    client: NotifyClient, world: Scenario
) -> None:
    poc = world.actor(world.poc)
    someone_else = await _error(
        client.stub.UpdatePreferences(
            pb.UpdatePreferencesRequest(
                preferences=pb.NotificationPreferences(user_id=world.contact)
            ),
            metadata=client.md(poc),
        )
    )
    assert someone_else.code() == grpc.StatusCode.NOT_FOUND
    other_company = await _error(
        client.stub.GetPreferences(
            pb.GetPreferencesRequest(company_id="company-of-someone-else"), metadata=client.md(poc)
        )
    )
    assert other_company.code() == grpc.StatusCode.NOT_FOUND
    not_admin = await _error(
        client.stub.GetPreferences(
            pb.GetPreferencesRequest(company_id=world.company), metadata=client.md(poc)
        )
    )
    assert not_admin.code() == grpc.StatusCode.PERMISSION_DENIED
    missing = await _error(
        client.stub.UpdatePreferences(pb.UpdatePreferencesRequest(), metadata=client.md(poc))
    )
    assert missing.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_account_administrators_set_the_company_addresses(
    client: NotifyClient, world: Scenario
) -> None:
    admin = client.md(world.actor(world.contact))
    stored = await client.stub.UpdatePreferences(
        pb.UpdatePreferencesRequest(
            preferences=pb.NotificationPreferences(
                company_id=world.company, additional_emails=["complaints@acme.example.org"]
            )
        ),
        metadata=admin,
    )
    assert stored.preferences.company_id == world.company
    read = await client.stub.GetPreferences(
        pb.GetPreferencesRequest(company_id=world.company), metadata=admin
    )
    assert list(read.preferences.additional_emails) == ["complaints@acme.example.org"]


# -- delivery log ------------------------------------------------------------------------------


async def test_the_delivery_log_filters_and_is_scoped_to_the_callers_organisation(
    client: NotifyClient, world: Scenario
) -> None:
    # The world's notices are in; its e-mails are sent afterwards, by the delivery worker.
    await client.settled()
    everything = await client.deliveries(recipient_user_id=world.contact)
    assert everything
    assert {d.recipient_user_id for d in everything} == {world.contact}
    emails = await client.deliveries(
        recipient_user_id=world.contact,
        channel=pb.CHANNEL_EMAIL,
        statuses=[pb.DELIVERY_STATUS_DELIVERED],
    )
    assert {d.channel for d in emails} == {pb.CHANNEL_EMAIL}
    assert {d.address for d in emails} == {world.email(world.contact)}
    admin = await client.stub.ListDeliveries(
        pb.ListDeliveriesRequest(), metadata=client.md(world.actor(world.contact))
    )
    assert admin.deliveries
    assert {d.recipient_user_id for d in admin.deliveries} <= {
        world.contact,
        world.poc,
        world.contributor,
        world.viewer,
        "",
    }
    supervisor = await client.stub.ListDeliveries(
        pb.ListDeliveriesRequest(recipient_user_id=world.contact),
        metadata=client.md(world.actor(world.supervisor)),
    )
    assert list(supervisor.deliveries) == []  # the company's recipients are not the agency's
    manager = await _error(
        client.stub.ListDeliveries(
            pb.ListDeliveriesRequest(), metadata=client.md(world.actor(world.manager))
        )
    )
    assert manager.code() == grpc.StatusCode.PERMISSION_DENIED
    bad_status = await _error(
        client.stub.ListDeliveries(
            pb.ListDeliveriesRequest(statuses=[99]), metadata=client.md(OPERATOR)
        )
    )
    assert bad_status.code() == grpc.StatusCode.INVALID_ARGUMENT


# -- webhook endpoints -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.org/ses", "webhook_url_not_https"),
        ("https://user:secret@hooks.example.org/ses", "webhook_url_credentials"),
        ("", "webhook_url_invalid"),
        ("ftp://hooks.example.org", "webhook_url_not_https"),
        ("https://nowhere.example.org/", "webhook_host_unresolved"),
    ],
)
async def test_webhook_urls_must_be_https(
    client: NotifyClient, world: Scenario, url: str, reason: str
) -> None:
    error = await _error(
        client.stub.CreateWebhookEndpoint(
            pb.CreateWebhookEndpointRequest(url=url), metadata=client.md(world.actor(world.contact))
        )
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _reason(error) == reason


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        # The list, then the other ranges and spellings of the same addresses.
        ("https://169.254.169.254/latest/meta-data/", "link_local"),
        ("https://10.0.0.7/", "private"),
        ("https://192.168.1.10/", "private"),
        ("https://172.16.5.5/", "private"),
        ("https://127.0.0.1:4222/", "loopback"),
        ("http://localhost:8222/varz", "loopback"),
        ("https://[::1]/", "loopback"),
        ("https://[fe80::1]/", "link_local"),
        ("https://[::ffff:127.0.0.1]/", "loopback"),
        ("https://2130706433/", "loopback"),
        ("https://0.0.0.0/", "unspecified"),
        ("https://0x7f.1/", "loopback"),
        ("https://017700000001/", "loopback"),
        ("https://127.1/", "loopback"),
        ("https://[::127.0.0.1]/", "loopback"),
        ("https://[64:ff9b::a9fe:a9fe]/", "link_local"),
        ("https://[2002:a00:7::]/", "private"),
        ("https://[fd00::1]/", "unique_local"),
        ("https://[ff02::1]/", "multicast"),
        ("https://224.0.0.251/", "multicast"),
        ("https://100.64.0.1/", "shared"),
        ("https://192.0.0.8/", "reserved"),
        ("https://198.18.0.1/", "reserved"),
        ("https://240.0.0.1/", "reserved"),
        ("https://255.255.255.255/", "reserved"),
        ("https://192.0.2.1/", "reserved"),
        ("https://[2001:db8::1]/", "reserved"),
        ("https://[::]/", "unspecified"),
        ("https://intranet.example.org/", "private"),
        ("https://dual.example.org/", "unique_local"),
    ],
)
async def test_webhooks_cannot_be_aimed_inside_the_network(
    client: NotifyClient, world: Scenario, url: str, rule: str
) -> None:
    error = await _error(
        client.stub.CreateWebhookEndpoint(
            pb.CreateWebhookEndpointRequest(url=url), metadata=client.md(world.actor(world.contact))
        )
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _reason(error) == f"webhook_target_{rule}"
    assert (error.details() or "").startswith(("url points at ", "url's host "))


async def test_webhook_endpoints_belong_to_one_organisation(
    client: NotifyClient, world: Scenario
) -> None:
    admin = client.md(world.actor(world.contact))
    created = await client.stub.CreateWebhookEndpoint(
        pb.CreateWebhookEndpointRequest(url="https://hooks.example.org/ses"), metadata=admin
    )
    endpoint = created.webhook_endpoint
    assert endpoint.company_id == world.company
    assert len(created.signing_secret) >= 40
    listed = await client.stub.ListWebhookEndpoints(
        pb.ListWebhookEndpointsRequest(), metadata=admin
    )
    assert [e.webhook_endpoint_id for e in listed.webhook_endpoints] == [
        endpoint.webhook_endpoint_id
    ]

    poc = client.md(world.actor(world.poc))
    not_admin = await _error(
        client.stub.CreateWebhookEndpoint(
            pb.CreateWebhookEndpointRequest(url="https://hooks.example.org/x"), metadata=poc
        )
    )
    assert not_admin.code() == grpc.StatusCode.PERMISSION_DENIED
    foreign = await _error(
        client.stub.DeleteWebhookEndpoint(
            pb.DeleteWebhookEndpointRequest(webhook_endpoint_id=endpoint.webhook_endpoint_id),
            metadata=client.md(world.actor(world.supervisor)),
        )
    )
    assert foreign.code() == grpc.StatusCode.NOT_FOUND
    operator_needs_owner = await _error(
        client.stub.CreateWebhookEndpoint(
            pb.CreateWebhookEndpointRequest(url="https://hooks.example.org/x"),
            metadata=client.md(OPERATOR),
        )
    )
    assert operator_needs_owner.code() == grpc.StatusCode.INVALID_ARGUMENT

    await client.stub.DeleteWebhookEndpoint(
        pb.DeleteWebhookEndpointRequest(webhook_endpoint_id=endpoint.webhook_endpoint_id),
        metadata=admin,
    )
    gone = await client.stub.ListWebhookEndpoints(
        pb.ListWebhookEndpointsRequest(company_id=world.company), metadata=client.md(OPERATOR)
    )
    assert list(gone.webhook_endpoints) == []


async def test_signing_secrets_rotate_through_their_own_rpcs(
    client: NotifyClient, world: Scenario
) -> None:
    admin = client.md(world.actor(world.contact))
    created = await client.stub.CreateWebhookEndpoint(
        pb.CreateWebhookEndpointRequest(url="https://hooks.example.org/rotate"), metadata=admin
    )
    endpoint_id = created.webhook_endpoint.webhook_endpoint_id
    (first,) = created.webhook_endpoint.signing_secrets
    last_only = await _error(
        client.stub.DeleteWebhookSigningSecret(
            pb.DeleteWebhookSigningSecretRequest(
                webhook_endpoint_id=endpoint_id, signing_secret_id=first.signing_secret_id
            ),
            metadata=admin,
        )
    )
    assert last_only.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert _reason(last_only) == "webhook_last_signing_secret"
    added = [
        await client.stub.CreateWebhookSigningSecret(
            pb.CreateWebhookSigningSecretRequest(webhook_endpoint_id=endpoint_id), metadata=admin
        )
        for _ in range(2)
    ]
    assert all(a.signing_secret.startswith("whsec_") for a in added)
    assert len({created.signing_secret, *(a.signing_secret for a in added)}) == 3
    too_many = await _error(
        client.stub.CreateWebhookSigningSecret(
            pb.CreateWebhookSigningSecretRequest(webhook_endpoint_id=endpoint_id), metadata=admin
        )
    )
    assert too_many.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert _reason(too_many) == "too_many_webhook_signing_secrets"
    await client.stub.DeleteWebhookSigningSecret(
        pb.DeleteWebhookSigningSecretRequest(
            webhook_endpoint_id=endpoint_id, signing_secret_id=first.signing_secret_id
        ),
        metadata=admin,
    )
    listed = await client.stub.ListWebhookEndpoints(
        pb.ListWebhookEndpointsRequest(), metadata=admin
    )
    (endpoint,) = [e for e in listed.webhook_endpoints if e.webhook_endpoint_id == endpoint_id]
    assert [s.signing_secret_id for s in endpoint.signing_secrets] == [
        a.signing_secret_id for a in added
    ]
    unknown = await _error(
        client.stub.DeleteWebhookSigningSecret(
            pb.DeleteWebhookSigningSecretRequest(
                webhook_endpoint_id=endpoint_id, signing_secret_id=first.signing_secret_id
            ),
            metadata=admin,
        )
    )
    assert unknown.code() == grpc.StatusCode.INVALID_ARGUMENT
    foreign = await _error(
        client.stub.CreateWebhookSigningSecret(
            pb.CreateWebhookSigningSecretRequest(webhook_endpoint_id=endpoint_id),
            metadata=client.md(world.actor(world.supervisor)),
        )
    )
    assert foreign.code() == grpc.StatusCode.NOT_FOUND
    not_admin = await _error(
        client.stub.CreateWebhookSigningSecret(
            pb.CreateWebhookSigningSecretRequest(webhook_endpoint_id=endpoint_id),
            metadata=client.md(world.actor(world.poc)),
        )
    )
    assert not_admin.code() == grpc.StatusCode.PERMISSION_DENIED
