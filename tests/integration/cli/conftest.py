"""The people commands against the whole system in-process: one host per test module.

The host is the SDK suites' ``ThreadedHost`` (``tests/integration/sdk/sdk_support.py``:
every service as ``ses up`` runs it, the demo agency and companies seeded). Each demo
user has a config directory of its own (``XDG_CONFIG_HOME``), so a test runs a command
"as" someone by pointing the environment at theirs; sessions are signed in once per
module and user, because a TOTP code works once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sdk"))

from sdk_support import ThreadedHost

from ses_core.testing import NatsServerProcess


@pytest.fixture(scope="module")
def cli_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def cli_nats(cli_dir: Path) -> Iterator[NatsServerProcess]:
    with NatsServerProcess(cli_dir / "nats-store") as server:
        yield server


@pytest.fixture(scope="module")
def ses(cli_dir: Path, cli_nats: NatsServerProcess) -> Iterator[ThreadedHost]:
    host = ThreadedHost(cli_dir / "data", cli_nats.url)
    try:
        host.start()
        yield host
    finally:
        host.close()
