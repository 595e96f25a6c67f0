"""``ses demo``: play the job aid against a running ``ses up``, or start one for it.

Without ``--start`` it talks to ``--address`` (default ``127.0.0.1:50051``) and reads the
e-mails from ``--mail-dir`` (default: ``$SES_DATA_DIR/mail``, else ``.ses-data/mail``, where
``ses up`` writes them). With ``--start`` it starts ``ses up --workers 1`` on a free port
in a temporary data directory as a child process, plays the job aid and stops it (the
directory is removed unless ``--keep`` is given, so the e-mails can be read afterwards).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ses_cli._context import options
from ses_cli._job_aid import JobAid
from ses_cli._mailbox import Mailbox
from ses_cli._output import console, label
from ses_cli._problems import UsageProblem
from ses_cli._session import DEFAULT_ADDRESS

READY = "SES: ready"
LISTENING = "SES: gRPC listening on "


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    start: Annotated[
        bool, typer.Option(help="start `ses up` in a temporary data directory, stop it after")
    ] = False,
    mail_dir: Annotated[
        Path | None, typer.Option(help="the mail directory of the `ses up` you talk to")
    ] = None,
    keep: Annotated[bool, typer.Option(help="with --start: keep the data directory")] = False,
    timeout: Annotated[
        float, typer.Option(help="seconds to wait for each thing the services do in the background")
    ] = 60.0,
) -> None:
    """Play the job aid on the seeded demo agency and companies, step by step."""
    out = console()
    chosen = options(ctx)
    with tempfile.TemporaryDirectory(prefix="ses-demo-") as scratch:
        work_dir = Path(scratch)
        if start:
            data_dir = Path(tempfile.mkdtemp(prefix="ses-demo-data-"))
            try:
                with started_system(data_dir, timeout=max(timeout, 60.0)) as address:
                    out.print(f"Started `ses up` at {address}, data directory {data_dir}")
                    _play(out, address, chosen.insecure, data_dir / "mail", work_dir, timeout)
            finally:
                if keep:
                    out.print(
                        f"Kept the data directory {data_dir} (e-mails in {data_dir / 'mail'})"
                    )
                else:
                    shutil.rmtree(data_dir, ignore_errors=True)
            return
        data = Path(os.environ.get("SES_DATA_DIR", ".ses-data"))
        mail = mail_dir or data / "mail"
        if not mail.is_dir():
            raise UsageProblem(
                f"No mail directory at {mail}: give --mail-dir (the `ses up` you talk to prints "
                "it), or --start to start a system for the demo."
            )
        _play(out, chosen.address or DEFAULT_ADDRESS, chosen.insecure, mail, work_dir, timeout)


def _play(
    out: Console, address: str, insecure: bool, mail: Path, work: Path, timeout: float
) -> None:
    aid = JobAid(address, insecure, Mailbox(mail), out, work, timeout=timeout)
    try:
        closed = aid.play()
    finally:
        aid.close()
    out.print(f"\nThe job aid is done: {closed.reference_number} is {label(closed.status)}.")


@contextmanager
def started_system(data_dir: Path, *, timeout: float) -> Iterator[str]:
    """``ses up --workers 1`` on a free port in ``data_dir``; its address until stopped."""
    environment = {**os.environ, "SES_DATA_DIR": str(data_dir), "SES_GRPC__PORT": "0"}
    command = [_ses_command(), "up", "--workers", "1"]
    process = subprocess.Popen(
        command,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    lines: list[str] = []
    address: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip())
            if line.startswith(LISTENING):
                address.append(line[len(LISTENING) :].strip())
            if line.startswith(READY):
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, name="ses-up-output", daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + timeout
        while not ready.wait(0.2):
            if time.monotonic() > deadline:
                raise UsageProblem(f"`ses up` did not get ready within {timeout:.0f} s.")
        if process.poll() is not None or not address:
            tail = "; ".join(lines[-3:])
            raise UsageProblem(f"`ses up` stopped before it was ready: {tail}")
        yield address[0]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        reader.join(timeout=5)


def _ses_command() -> str:
    beside = Path(sys.executable).parent / "ses"
    return str(beside) if beside.exists() else "ses"
