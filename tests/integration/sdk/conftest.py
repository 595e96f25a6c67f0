"""The SDK against the whole system in-process: one ``ThreadedHost`` per test module.

* ``ses``: every service hosted as ``ses up`` does (SQLite, the module's ``nats-server``,
  the demo agency and companies seeded, their users signing in with the demo password
  and TOTP secret), in a background thread, so tests call the synchronous client
  directly. Each demo user signs in once per module at most: a TOTP code works once.
* ``ses_system`` / ``ses_clients``: the SDK's testing fixtures (a system of their own).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sdk_support import ThreadedHost

from ses_core.testing import NatsServerProcess

# The SDK's own pytest fixtures (ses_sdk.testing.plugin), as an integrator gets them:
# ses_system (every service in-process, session-wide) and ses_clients (a signed-in client
# per role of the job aid). Imported here once, so the whole directory shares one system.
from ses_sdk.testing.plugin import ses_clients, ses_system  # noqa: F401


@pytest.fixture(scope="module")
def sdk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sdk")


@pytest.fixture(scope="module")
def sdk_nats(sdk_dir: Path) -> Iterator[NatsServerProcess]:
    with NatsServerProcess(sdk_dir / "nats-store") as server:
        yield server


@pytest.fixture(scope="module")
def ses(sdk_dir: Path, sdk_nats: NatsServerProcess) -> Iterator[ThreadedHost]:
    host = ThreadedHost(sdk_dir / "data", sdk_nats.url)
    try:
        host.start()
        yield host
    finally:
        host.close()
