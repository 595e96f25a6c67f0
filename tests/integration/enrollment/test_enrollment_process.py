"""``ses serve enrollment`` as a real process: starts alone, stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ses_enrollment.bootstrap import plugin

pytestmark = [pytest.mark.integration]

REPO = Path(__file__).resolve().parents[3]


def test_the_plugin_offers_its_commands() -> None:
    assert {command.name for command in plugin.commands} == {
        "tenants",
        "operators",
        "signin",
        "authority",
        "audit",
    }


@pytest.mark.slow
def test_ses_serve_enrollment_runs_alone_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SES_DATA_DIR": str(tmp_path / "data"),
        "SES_GRPC__PORT": "0",
        "PYTHONUNBUFFERED": "1",
    }
    ses = Path(sys.executable).parent / "ses"
    process = subprocess.Popen(
        [str(ses), "serve", "enrollment"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []
    reader = threading.Thread(target=_read_lines, args=(process, lines), daemon=True)
    reader.start()
    try:
        _read_until(lines, seen, "ready; Ctrl-C stops everything", timeout=120)
        assert any("SES: gRPC listening on 127.0.0.1:" in line for line in seen), "".join(seen)
        # `ses` installs its Ctrl-C handler before it starts anything, so "ready" is late
        # enough to send the signal.
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        reader.join(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    while not lines.empty():
        seen.append(lines.get_nowait())
    output = "".join(seen)
    assert process.returncode == 0, output
    assert "SES: stopped." in output
    assert "demo agency" not in output  # only `ses up` seeds the demo


def _read_lines(process: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)


def _read_until(lines: queue.Queue[str], seen: list[str], text: str, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no line with {text!r} after {timeout:.0f}s:\n{''.join(seen)}")
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        seen.append(line)
        if text in line:
            return
