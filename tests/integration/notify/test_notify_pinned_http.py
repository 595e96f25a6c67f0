"""The webhook POST itself (``ses_notify.pinned_http``) against real local sockets."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from ipaddress import ip_address

import pytest

from ses_core.notifications import WebhookTargetPolicy
from ses_core.testing import free_port
from ses_notify.pinned_http import PinnedConnection, post
from ses_notify.webhook_targets import CheckedTarget

pytestmark = pytest.mark.integration

TRIAL = WebhookTargetPolicy(allow_private=True)
TLS = ssl.create_default_context()  # unused by these plain-http targets


@contextmanager
def raw_server(answer: Callable[[socket.socket], None]) -> Iterator[int]:
    """A TCP server on 127.0.0.1 that reads a request and lets ``answer`` write."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        try:
            connection, _ = listener.accept()
        except OSError:
            return  # closed before anyone connected
        with connection:
            connection.recv(65536)
            with suppress(OSError):  # the client hung up: what the tests want
                answer(connection)
            stop.wait(5)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=10)


def _drip(connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 500 Slow\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(100_000):
        connection.sendall(b"x")
        time.sleep(0.05)


def _no_content(connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")


def test_a_receiver_that_drips_its_answer_is_cut_off_at_the_deadline() -> None:
    with raw_server(_drip) as port:
        target = TRIAL.check_url(f"http://127.0.0.1:{port}/slow")
        checked = CheckedTarget(target, (ip_address("127.0.0.1"),))
        # Each byte comes well within the per-operation timeout; only the deadline stops it.
        with pytest.raises(TimeoutError, match="longer than 1 s"):
            post(checked, b"{}", {}, timeout=2.0, deadline=1.0, tls=TLS)


def test_the_deadline_holds_while_the_watchdog_thread_is_still_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The read the cut ended returns while the timer's thread is still in ``cut_off`` (on
    a loaded machine it may not run again for a while): the answer is still too late. A
    check of the thread's liveness returned the dripped excerpt as an answer here."""
    cut_off = PinnedConnection.cut_off

    def cut_off_then_linger(connection: PinnedConnection) -> None:
        cut_off(connection)
        time.sleep(1.0)

    monkeypatch.setattr(PinnedConnection, "cut_off", cut_off_then_linger)
    with raw_server(_drip) as port:
        target = TRIAL.check_url(f"http://127.0.0.1:{port}/slow")
        checked = CheckedTarget(target, (ip_address("127.0.0.1"),))
        with pytest.raises(TimeoutError, match=r"longer than 0\.5 s"):
            post(checked, b"{}", {}, timeout=2.0, deadline=0.5, tls=TLS)


def test_the_checked_addresses_are_tried_in_order_and_none_other() -> None:
    with raw_server(_no_content) as port:
        target = TRIAL.check_url(f"http://receiver.test:{port}/in")
        # 127.0.0.2 is loopback too but nothing listens there: refused, then the next.
        checked = CheckedTarget(target, (ip_address("127.0.0.2"), ip_address("127.0.0.1")))
        answer = post(checked, b"{}", {}, timeout=2.0, deadline=5.0, tls=TLS)
    assert answer.status == 204
    target = TRIAL.check_url(f"http://receiver.test:{free_port('127.0.0.1')}/in")
    only_elsewhere = CheckedTarget(target, (ip_address("127.0.0.2"),))
    with pytest.raises(ConnectionRefusedError):
        post(only_elsewhere, b"{}", {}, timeout=2.0, deadline=5.0, tls=TLS)
