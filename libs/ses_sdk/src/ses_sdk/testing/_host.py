"""``ThreadedHost``: every SES service in this process, as ``ses up`` runs them, for tests.

It runs a ``ServiceHost`` with every service plugin (SQLite databases under ``data_dir``,
the given ``nats-server``, the demo data ``ses up`` seeds) on an event loop of its own in a
background thread, so a test uses the synchronous ``SesClient`` directly, or the asyncio
client in its own loop, over real gRPC on a free port. ``restart()`` stops the host and
starts it again on the same port, so a client sees the server disappear and come back.

``plugins`` replaces the installed service plugins (all of them by default);
:func:`fast_plugins` gives them with cheap password hashing, for tests that sign many
people in.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ses_core.identity import Actor
from ses_core.platform.runtime import ServiceHost, ServicePlugin, select_plugins
from ses_core.platform.settings import Settings
from ses_core.testing.hosting import bearer, host_settings
from ses_enrollment.bootstrap import EnrollmentPlugin
from ses_enrollment.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from ses_enrollment.settings import EnrollmentSettings
from ses_sdk import AsyncSesClient, SesClient

T = TypeVar("T")


def fast_plugins() -> list[ServicePlugin]:
    """Every installed service, the enrollment service hashing passwords cheaply (argon2id
    with 1 pass over 64 KiB: about a millisecond instead of a good part of a second): for a
    test system only, never for one holding real passwords."""
    cheap = EnrollmentSettings(argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)
    return [
        EnrollmentPlugin(cheap) if plugin.name == "enrollment" else plugin
        for plugin in select_plugins()
    ]


class ThreadedHost:
    """A ``ServiceHost`` of every service, on its own loop in a background thread."""

    def __init__(
        self,
        data_dir: Path,
        nats_url: str,
        *,
        plugins: Sequence[ServicePlugin] | None = None,
        **overrides: Any,
    ) -> None:
        self.settings: Settings = host_settings(data_dir, nats_url=nats_url, **overrides)
        self._plugins = list(plugins) if plugins is not None else None
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
        plugins = self._plugins if self._plugins is not None else select_plugins()
        host = ServiceHost(settings, plugins, seed_demo=True)
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

    @property
    def mail_dir(self) -> Path:
        """Where the notify service writes every e-mail (``.eml`` files)."""
        mail_dir = self.settings.notify.mail_dir
        assert mail_dir is not None, "settings name the mail directory once loaded"
        return mail_dir

    def client(self, **options: Any) -> SesClient:
        return SesClient(self.address, insecure=True, **options)

    def async_client(self, **options: Any) -> AsyncSesClient:
        return AsyncSesClient(self.address, insecure=True, **options)

    def token_for(self, actor: Actor) -> str:
        """A token signed by the host's key ring, the actor's authority stated everywhere."""
        return bearer(self.settings, actor)

    def signed_in(self, email: str, **options: Any) -> SesClient:
        """A client signed in as a demo user (each demo user's TOTP code works once)."""
        client = self.client(**options)
        client.sign_in(email=email, password=DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
        return client
