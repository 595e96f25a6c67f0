"""``free_port``: a port a server can bind, which no outgoing connection is handed meanwhile."""

from __future__ import annotations

import socket

from ses_core.platform.messaging.natsserver import _listen_port_range, free_port


def test_ports_are_drawn_below_the_kernels_ephemeral_range() -> None:
    low, high = _listen_port_range()
    ephemeral = socket.socket()
    ephemeral.bind(("127.0.0.1", 0))  # what the kernel would hand a client
    try:
        assert high <= ephemeral.getsockname()[1]
    finally:
        ephemeral.close()
    assert all(low <= free_port() < high for _ in range(50))


def test_one_process_never_hands_out_a_port_twice() -> None:
    ports = [free_port() for _ in range(300)]
    assert len(set(ports)) == len(ports)


def test_the_port_handed_out_can_be_bound() -> None:
    port = free_port()
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()
        assert server.getsockname()[1] == port
