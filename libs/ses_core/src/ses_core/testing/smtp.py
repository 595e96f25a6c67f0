"""A real SMTP server for tests: ``aiosmtpd`` on a free port, keeping every accepted message.

:class:`SmtpSink` can be stopped and started again on the same port (an outage), and told
to hold (never accept) messages after the n-th, so a test can stop it at a point where no
accepted message is in flight. Recipients starting with ``reject`` are refused for good
(550), those starting with ``busy`` for now (451).

Import it from here (``ses_core.testing.smtp``): ``aiosmtpd`` is a test dependency, not one
of the platform's.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from collections import Counter
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from ses_core.platform.messaging.natsserver import free_port


class _Collector:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[EmailMessage] = []
        self.hold_after: int | None = None
        self.holding = threading.Event()

    async def handle_RCPT(  # noqa: N802 - aiosmtpd calls handlers by the SMTP verb
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        # Addresses that make the server refuse: permanently (5xx) or for now (4xx).
        if address.startswith("reject"):
            return "550 5.1.1 No such mailbox here"
        if address.startswith("busy"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd calls handlers by the SMTP verb
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        with self.lock:
            hold = self.hold_after is not None and len(self.messages) >= self.hold_after
        if hold:
            self.holding.set()
            await asyncio.Event().wait()  # never accepted; cancelled when the server stops
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self) -> None:
        # Chosen once, not port 0: the outage tests stop and start the sink on the same
        # address, and aiosmtpd's readiness probe connects to the port it was given.
        self.port = free_port("127.0.0.1")
        self._collector = _Collector()
        self._controller: Controller | None = None

    def start(self) -> SmtpSink:
        self._collector.hold_after = None
        self._collector.holding.clear()
        # aiosmtpd gives its thread 5 s to come up by default: not enough on a loaded machine.
        self._controller = Controller(
            self._collector, hostname="127.0.0.1", port=self.port, ready_timeout=60
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def hold_after(self, count: int) -> threading.Event:
        """Stop accepting once ``count`` messages are in; returns an event set when one waits."""
        self._collector.hold_after = count
        return self._collector.holding

    @property
    def messages(self) -> list[EmailMessage]:
        with self._collector.lock:
            return list(self._collector.messages)

    def count(self) -> int:
        return len(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if str(m["To"]).strip("<> ").lower() == address.lower()]

    def message_id_counts(self) -> Counter[str]:
        return Counter(str(m["Message-ID"]) for m in self.messages)
