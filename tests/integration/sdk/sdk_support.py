"""The whole system in-process, as ``ses up`` runs it, for the SDK's tests.

``ThreadedHost`` runs a ``ServiceHost`` with every service plugin (SQLite databases, the
test's ``nats-server``, the demo data ``ses up`` seeds) on an event loop of its own, in a
background thread: a test then uses the synchronous ``SesClient`` directly, or the
asyncio client in its own loop, over real gRPC. ``restart()`` stops the host and starts
it again on the same port, so a client sees the server disappear and come back.

``Recorder`` is a plain gRPC client interceptor that notes every attempt (method,
idempotency key, status, trailing ``ses-idempotent-replay``); ``lose_first_answer`` makes
it drop the first answer of a method after the server committed it, as a cut connection
would, so the SDK's retry meets the server's replay.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import grpc

from ses_core.identity import Actor
from ses_core.platform.runtime import ServiceHost, select_plugins
from ses_core.platform.settings import Settings
from ses_core.testing.hosting import bearer, host_settings
from ses_enrollment.demo import (
    DEMO_ADMIN_EMAIL,
    DEMO_COMPANY_EMAIL,
    DEMO_MANAGER_EMAIL,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
)
from ses_sdk import AsyncSesClient, SesClient

T = TypeVar("T")

__all__ = [
    "DEMO_ADMIN_EMAIL",
    "DEMO_COMPANY_EMAIL",
    "DEMO_MANAGER_EMAIL",
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRET",
    "OPERATOR",
    "Attempt",
    "LostAnswer",
    "Recorder",
    "ThreadedHost",
]

OPERATOR = Actor.platform_operator("op-sdk-tests")
REPLAY_HEADER = "ses-idempotent-replay"


class ThreadedHost:
    """A ``ServiceHost`` of every service, on its own loop in a background thread."""

    def __init__(self, data_dir: Path, nats_url: str, **overrides: Any) -> None:
        self.settings: Settings = host_settings(data_dir, nats_url=nats_url, **overrides)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="ses-host")
        self._host: ServiceHost | None = None
        self.port = 0

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=120)

    def start(self) -> None:
        if not self._thread.is_alive():
            self._thread.start()
        settings = self.settings
        if self.port:  # the same port as before, as a restarted server would have
            settings = settings.model_copy(
                update={"grpc": settings.grpc.model_copy(update={"port": self.port})}
            )
        host = ServiceHost(settings, select_plugins(), seed_demo=True)
        self._run(host.start())
        self._host = host
        self.port = int(host.address.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self._host is not None:
            self._run(self._host.stop())
            self._host = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=60)
        self._loop.close()

    @property
    def host(self) -> ServiceHost:
        assert self._host is not None, "the host is stopped"
        return self._host

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client(self, **options: Any) -> SesClient:
        return SesClient(self.address, insecure=True, **options)

    def async_client(self, **options: Any) -> AsyncSesClient:
        return AsyncSesClient(self.address, insecure=True, **options)

    def token_for(self, actor: Actor) -> str:
        """A token signed by the host's key ring, the actor's authority stated everywhere."""
        return bearer(self.settings, actor)

    def signed_in(self, email: str, **options: Any) -> SesClient:
        client = self.client(**options)
        client.sign_in(email=email, password=DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
        return client


@dataclass(frozen=True)
class Attempt:
    method: str
    idempotency_key: str | None
    code: grpc.StatusCode
    replayed: bool


class LostAnswer(grpc.RpcError, grpc.Call):  # type: ignore[misc]
    """What a client sees when the connection is cut after the server answered."""

    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNAVAILABLE

    def details(self) -> str:
        return "connection reset after the request was sent (simulated by the test)"

    def initial_metadata(self) -> tuple[()]:
        return ()

    def trailing_metadata(self) -> tuple[()]:
        return ()

    def is_active(self) -> bool:
        return False

    def time_remaining(self) -> None:
        return None

    def cancel(self) -> bool:
        return False

    def add_callback(self, callback: Callable[[], None]) -> bool:
        return False


@dataclass
class Recorder(grpc.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Notes every unary attempt; may drop the first answer of ``lose_first_answer``."""

    lose_first_answer: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    _lost: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def intercept_unary_unary(
        self, continuation: Callable[..., Any], details: grpc.ClientCallDetails, request: Any
    ) -> Any:
        outcome = continuation(details, request)
        method = details.method.decode() if isinstance(details.method, bytes) else details.method
        sent = dict(details.metadata or ())
        code = outcome.code()
        trailing = dict(outcome.trailing_metadata() or ())
        with self._lock:
            self.attempts.append(
                Attempt(
                    method,
                    sent.get("idempotency-key"),
                    code,
                    trailing.get(REPLAY_HEADER) == "true",
                )
            )
            lose = (
                method.endswith(f"/{self.lose_first_answer}")
                and code == grpc.StatusCode.OK
                and not self._lost
            )
            if lose:
                self._lost = True
        if lose:
            raise LostAnswer()
        return outcome

    def of(self, method: str) -> list[Attempt]:
        with self._lock:
            return [attempt for attempt in self.attempts if attempt.method.endswith(f"/{method}")]


def in_thread(function: Callable[[], T]) -> Future[T]:
    """Run ``function`` in a thread of its own; the future holds its result."""
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(function())
        except BaseException as error:
            future.set_exception(error)

    threading.Thread(target=run, name="sdk-call", daemon=True).start()
    return future


def iterate(items: Iterator[T]) -> list[T]:
    return list(items)
