"""``ses_core.testing.services.ServeProcess``: a ``ses serve`` that cannot start is reported
with its own last words, not after the start-up deadline."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ses_core.testing.services import ServeProcess, serve_environment

pytestmark = pytest.mark.integration


def test_a_process_that_exits_while_starting_is_reported_with_its_last_line(
    tmp_path: Path,
) -> None:
    environment = serve_environment(data_dir=tmp_path / "data", nats_url="nats://127.0.0.1:1")
    process = ServeProcess("no-such-service", environment, tmp_path / "serve.log")
    began = time.monotonic()
    with pytest.raises(RuntimeError, match=r"no-such-service exited with [1-9]\d*: .*\S"):
        process.start(timeout=120)
    assert time.monotonic() - began < 60  # the exit ended the wait, not the deadline
    process.stop()
