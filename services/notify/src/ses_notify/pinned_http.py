"""One HTTP(S) POST to addresses decided beforehand: no name is resolved here.

:class:`PinnedConnection` is the standard library's ``http.client.HTTPConnection`` with
its documented ``connect()`` replaced: the socket goes to one of the checked addresses
(in order, the next one when a connection is refused), and for ``https`` TLS is then
negotiated with the URL's host name as SNI and checked against it, so the certificate
must name the host exactly as it would without pinning. The request line and ``Host``
header are the URL's. ``http.client`` follows no redirect; proxies from the environment
are not used (a proxy would resolve the name again).

Only the first :data:`MAX_RESPONSE_BYTES` of an answer's body are ever read (a receiver
that streams forever cannot hold a worker), and only for an answer that is not 2xx, to
show operators what the receiver said. ``timeout`` bounds each network operation and
``deadline`` the whole exchange: a receiver that drips its answer a byte at a time is
cut off when the deadline passes.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from ses_core.notifications import IPAddress
from ses_notify.webhook_targets import CheckedTarget

MAX_RESPONSE_BYTES = 4096
EXCERPT_CHARS = 200


@dataclass(frozen=True)
class Answer:
    status: int
    # The start of the body of an answer that is not 2xx, printable characters only.
    excerpt: str = ""


class PinnedConnection(http.client.HTTPConnection):
    def __init__(
        self,
        checked: CheckedTarget,
        *,
        timeout: float,
        tls: ssl.SSLContext | None,
    ) -> None:
        target = checked.target
        super().__init__(target.host, target.port, timeout=timeout)
        # So that the Host header names the port only when it is not the scheme's.
        self.default_port = 443 if target.tls else 80
        self._addresses = checked.addresses
        self._tls = tls

    def connect(self) -> None:
        sock = _connect_to_first(self._addresses, self.port, self.timeout)
        if self._tls is not None:
            try:
                sock = self._tls.wrap_socket(sock, server_hostname=self.host)
            except BaseException:
                sock.close()
                raise
        self.sock = sock

    def cut_off(self) -> None:
        """Make a read or write blocked on the connection return at once (any thread)."""
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def post(
    checked: CheckedTarget,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float,
    deadline: float,
    tls: ssl.SSLContext,
) -> Answer:
    """POST ``body`` to the checked target; raises ``OSError`` (``ssl.SSLError`` and
    ``TimeoutError`` included) or ``http.client.HTTPException`` when no whole answer came
    within ``deadline`` seconds."""
    connection = PinnedConnection(checked, timeout=timeout, tls=tls if checked.target.tls else None)
    # Set before the connection is cut, so a read the cut ended always sees it (the timer's
    # thread may still be alive then: its liveness says nothing).
    deadline_passed = threading.Event()

    def cut_off() -> None:
        deadline_passed.set()
        connection.cut_off()

    watchdog = threading.Timer(deadline, cut_off)
    watchdog.daemon = True
    watchdog.start()
    too_late = f"the answer took longer than {deadline:g} s"
    try:
        try:
            connection.request("POST", checked.target.request_target, body=body, headers=headers)
            response = connection.getresponse()
            if 200 <= response.status < 300:
                return Answer(response.status)
            excerpt = response.read(MAX_RESPONSE_BYTES)
        except (OSError, http.client.HTTPException) as error:
            if deadline_passed.is_set():
                raise TimeoutError(too_late) from error
            raise
        if deadline_passed.is_set():
            raise TimeoutError(too_late)
        return Answer(response.status, _excerpt(excerpt))
    finally:
        watchdog.cancel()
        connection.close()


def _connect_to_first(
    addresses: tuple[IPAddress, ...], port: int, timeout: float | None
) -> socket.socket:
    last_error: OSError | None = None
    for address in addresses:
        family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect((str(address), port))
        except OSError as error:
            sock.close()
            last_error = error
            continue
        return sock
    assert last_error is not None, "a checked target has at least one address"
    raise last_error


def _excerpt(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    printable = "".join(char if char.isprintable() else " " for char in text)
    return " ".join(printable.split())[:EXCERPT_CHARS]
