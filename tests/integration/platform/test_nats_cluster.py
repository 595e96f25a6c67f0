"""The three-node JetStream cluster helper, and a client given the cluster's URLs (as
``SES_NATS__URL`` with commas): streams at three replicas keep taking events while the
node the client is connected to is killed, and every replica is current once it is back."""

from __future__ import annotations

import asyncio

import pytest
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.client import JetStreamContext
from nats.js.errors import NoStreamResponseError

from ses_core.platform.messaging import connect, ensure_streams
from ses_core.platform.messaging.jetstream import EVENTS_STREAM
from ses_core.testing import NatsCluster

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_events_survive_the_loss_of_the_node_the_client_uses(tmp_path):
    cluster = await asyncio.to_thread(NatsCluster(tmp_path / "nats").start)
    try:
        client = await connect(cluster.url, name="cluster-test")
        try:
            js = client.jetstream()
            await ensure_streams(js, replicas=3)
            await js.publish("ses.test.v1.before", b"1", stream=EVENTS_STREAM)
            used = next(
                i for i, node in enumerate(cluster.nodes) if node.port == client.connected_url.port
            )
            await asyncio.to_thread(cluster.kill, used)
            # The client moves to another node of its list; the stream keeps a quorum and
            # elects a new leader if it lost its own. Until then a publish finds no
            # responder or times out, and the publisher tries again, as the outbox relay
            # does; the message id makes a retried publish that had landed count once.
            await publish_until_stored(js, "ses.test.v1.during", b"2", msg_id="during-1")
            assert client.connected_url.port != cluster.nodes[used].port
            await asyncio.to_thread(cluster.restart, used)
            await asyncio.to_thread(cluster.wait_until_streams_current, 60)
            info = await js.stream_info(EVENTS_STREAM)
            assert info.state.messages == 2
            assert info.config.num_replicas == 3
        finally:
            await client.close()
    finally:
        await asyncio.to_thread(cluster.stop)


async def publish_until_stored(
    js: JetStreamContext, subject: str, payload: bytes, *, msg_id: str, patience: float = 60.0
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while True:
        try:
            await js.publish(
                subject, payload, stream=EVENTS_STREAM, timeout=5, headers={"Nats-Msg-Id": msg_id}
            )
            return
        except (NoRespondersError, NoStreamResponseError, NatsTimeoutError):
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.2)
