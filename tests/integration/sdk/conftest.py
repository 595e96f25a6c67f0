"""The SDK against the whole system in-process: one ``ThreadedHost`` per test module.

* ``ses``: every service hosted as ``ses up`` does (SQLite, the module's ``nats-server``,
  the demo agency and companies seeded, their users signing in with the demo password
  and TOTP secret), in a background thread, so tests call the synchronous client
  directly. Each demo user signs in once per module at most: a TOTP code works once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sdk_support import ThreadedHost

from ses_core.testing import NatsServerProcess


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
