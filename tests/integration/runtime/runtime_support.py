"""Helpers for the runtime tests: the embedded setup in-process, ``ses up`` as a process, mail.

* :func:`embedded_settings` — settings for a host that starts its own ``nats-server``
  under the data directory (what ``ses up`` does), on a free gRPC port.
* :class:`SesUp` — ``ses up`` in a child process, its output read line by line, so a test
  can wait for "ready", read what it printed, signal it and see how it ended.
* :func:`quick_notify`, :func:`agency_request` — a notify service with short retries, and
  a committed change it e-mails about (a new agency's administrator gets a link).
* :func:`mail_recipients` — who got the ``.eml`` files of the notify service's maildir.
"""

from __future__ import annotations

import email
import email.policy
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ses.enrollment.v1 import enrollment_pb2 as epb
from ses_core.identity import Actor
from ses_core.platform.settings import Settings
from ses_core.testing.hosting import host_settings
from ses_notify.bootstrap import NotifyPlugin
from ses_notify.worker import DeliveryPolicy

REPO = Path(__file__).resolve().parents[3]
OPERATOR = Actor.platform_operator("op-runtime-tests")


def embedded_settings(data_dir: Path, **overrides: Any) -> Settings:
    """A host that starts its own nats-server (store under ``data_dir``), like ``ses up``."""
    return host_settings(data_dir, nats_url="", **overrides)


def quick_notify() -> NotifyPlugin:
    """Notify with short retry delays, so a test does not wait out production backoffs."""
    policy = DeliveryPolicy(
        max_attempts=3,
        retry_initial=0.2,
        retry_max=1.0,
        outage_initial=0.2,
        outage_max=1.0,
        idle_poll=0.5,
    )
    return NotifyPlugin(policy=policy, network_timeout=5.0)


def agency_request(number: int) -> tuple[epb.CreateAgencyRequest, str]:
    """CreateAgency for agency ``number``; its administrator is e-mailed an activation link."""
    code = f"T-RT{number}"
    address = f"admin.{code.lower()}@agency.example"
    request = epb.CreateAgencyRequest(
        code=code,
        name=f"Runtime Agency {number}",
        state_code="NY",
        first_administrator=epb.NewUser(email=address, given_name="Ada", family_name="Admin"),
    )
    return request, address


def mail_recipients(mail_dir: Path) -> Counter[str]:
    """How many finished ``.eml`` files each address received."""
    recipients: Counter[str] = Counter()
    if not mail_dir.is_dir():
        return recipients
    for path in mail_dir.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        recipients[str(message["To"]).strip("<> ").lower()] += 1
    return recipients


def alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state not in ("Z", "X")


class SesUp:
    """``ses up`` on ``data_dir`` in a child process; ``lines`` is everything it printed.

    ``wrapper`` runs before it, e.g. ``["unshare", "--mount", "sh", "-c", "...; exec \"$0\"
    \"$@\""]`` to prepare a private mount first.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        wrapper: Sequence[str] = (),
        args: Sequence[str] = (),
        **env: str,
    ) -> None:
        self.data_dir = data_dir
        environment = {
            **os.environ,
            "SES_DATA_DIR": str(data_dir),
            "SES_GRPC__PORT": "0",
            "SES_GRPC__SHUTDOWN_GRACE_SECONDS": "2",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        ses = Path(sys.executable).parent / "ses"
        self.process = subprocess.Popen(
            [*wrapper, str(ses), "up", *args],
            cwd=REPO,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self._pumps = [
            threading.Thread(target=self._pump, args=(self.process.stdout, True), daemon=True),
            threading.Thread(target=self._pump, args=(self.process.stderr, False), daemon=True),
        ]
        for pump in self._pumps:
            pump.start()

    def _pump(self, stream: Any, is_stdout: bool) -> None:
        for line in stream:
            if is_stdout:
                self._queue.put(line)
            else:
                self.errors.append(line)

    def wait_for_line(self, text: str, *, timeout: float = 120.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"ses up printed no {text!r} in {timeout:.0f}s:\n{self.output}")
            try:
                line = self._queue.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                if self.process.poll() is not None and self._queue.empty():
                    raise RuntimeError(
                        f"ses up exited ({self.process.returncode}) before {text!r}:\n{self.output}"
                    ) from None
                continue
            self.lines.append(line)
            if text in line:
                return line

    def wait_until_ready(self) -> None:
        self.wait_for_line("SES: ready;")

    @property
    def broker_pid(self) -> int:
        """The embedded nats-server's pid, as ``ses up`` printed it."""
        for line in self.lines:
            found = re.search(r"embedded nats-server pid (\d+)", line)
            if found:
                return int(found.group(1))
        raise AssertionError(f"ses up printed no nats-server pid:\n{self.output}")

    @property
    def output(self) -> str:
        return "".join(self.lines) + "".join(self.errors)

    def finish(self, *, timeout: float = 120.0) -> int:
        """Wait for the process to end by itself and for all it printed; its exit status."""
        status = self.process.wait(timeout=timeout)
        for pump in self._pumps:
            pump.join(timeout=30)
        while not self._queue.empty():
            self.lines.append(self._queue.get_nowait())
        return status

    def interrupt(self, *, timeout: float = 120.0) -> int:
        """Ctrl-C, then wait for a clean stop; its exit status."""
        self.process.send_signal(signal.SIGINT)
        return self.finish(timeout=timeout)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
