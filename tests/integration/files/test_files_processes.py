"""Interrupted uploads with real processes: ``ses serve files`` and an SDK client process.

The client is killed mid-stream and started again; the server is killed (SIGKILL) mid-
upload and started again. Either way the upload resumes where the server's committed
offset says and the stored file is byte-identical to the original.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from files_support import ALICE, MIB
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ses.files.v1 import files_pb2, files_pb2_grpc
from ses_core.platform.grants import FileGrantAction, GrantSigner, load_or_create_grant_secret
from ses_core.platform.settings import Settings, load_settings
from ses_core.testing import NatsServerProcess, wait_until
from ses_core.testing.hosting import bearer, state_actor

pytestmark = [pytest.mark.integration, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
CHUNK = 256 * 1024
LISTENING = re.compile(r"SES: gRPC listening on 127\.0\.0\.1:(\d+)$", re.MULTILINE)


@dataclass
class FilesServer:
    """``ses serve files`` in a child process, restartable on the same port and data.

    The first start asks for port 0 and reads the port the server took from its log, so no
    other process can take it in between; restarts ask for that port again, as the
    client's next attempt goes to the same address.
    """

    data_dir: Path
    nats_url: str
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / "files-server.log"

    def start(self) -> None:
        env = {
            **os.environ,
            "SES_DATA_DIR": str(self.data_dir),
            "SES_NATS__URL": self.nats_url,
            "SES_GRPC__PORT": str(self.port),
            "SES_GRPC__SHUTDOWN_GRACE_SECONDS": "2",
        }
        log = self.log_path.open("ab")
        command = [sys.executable, "-m", "ses_core.platform.runtime.cli", "serve", "files"]
        self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        if not self.port:
            self.port = wait_until(self._announced_port, timeout=120, message="the files port")
        wait_until(self._serving, timeout=120, message="the files service to serve")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def _announced_port(self) -> int | None:
        self._check_running()
        found = LISTENING.search(self.log_path.read_text(errors="replace"))
        return int(found.group(1)) if found else None

    def _check_running(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"the files service exited with {self.process.returncode}")

    def _serving(self) -> bool:
        self._check_running()
        with grpc.insecure_channel(self.address) as channel:
            try:
                reply = health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(service="ses.files.v1.FilesService"), timeout=1
                )
            except grpc.RpcError:
                return False
        return reply.status == health_pb2.HealthCheckResponse.SERVING


class ClientProcess:
    """``files_upload_client.py`` in a child process; its lines arrive through a queue."""

    def __init__(
        self, server: FilesServer, token_file: Path, path: Path, journal: Path, pause: float
    ):
        command = [
            sys.executable,
            str(HERE / "files_upload_client.py"),
            server.address,
            str(token_file),
            str(path),
            str(journal),
            str(pause),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()  # None: the client's output ended
        self.progress: list[int] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    def wait_for(self, wanted: Callable[[str], bool], timeout: float = 120.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(
                    f"the client printed no matching line in {timeout:.0f}s"
                ) from None
            if line is None:
                raise RuntimeError(
                    f"the client exited with {self.process.wait(30)} before printing a "
                    "matching line (its traceback is in the captured stderr)"
                )
            if line.startswith("progress "):
                self.progress.append(int(line.split()[1]))
            if wanted(line):
                return line

    def wait_for_progress(self, at_least: int) -> None:
        self.wait_for(
            lambda line: line.startswith("progress ") and int(line.split()[1]) >= at_least
        )

    def finished(self) -> tuple[str, str]:
        line = self.wait_for(lambda line: line.startswith("done "))
        assert self.process.wait(30) == 0
        _, file_id, sha256_hex = line.split()
        return file_id, sha256_hex

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)


@dataclass
class Scene:
    server: FilesServer
    settings: Settings
    token_file: Path
    original: Path
    journal: Path

    def client(self, pause: float) -> ClientProcess:
        return ClientProcess(self.server, self.token_file, self.original, self.journal, pause)

    def stub(self, channel: grpc.Channel) -> files_pb2_grpc.FilesServiceStub:
        return files_pb2_grpc.FilesServiceStub(channel)

    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", self.token_file.read_text().strip()),)

    def committed(self, upload_id: str) -> int:
        with grpc.insecure_channel(self.server.address) as channel:
            request = files_pb2.GetUploadStatusRequest(upload_id=upload_id)
            upload = self.stub(channel).GetUploadStatus(request, metadata=self.metadata()).upload
        return upload.files[0].committed_offset

    def download(self, file_id: str) -> bytes:
        path = self.settings.files.grant_secret_path
        assert path is not None
        token, _ = GrantSigner(load_or_create_grant_secret(path)).issue_for(
            file_id=file_id,
            action=FileGrantAction.DOWNLOAD,
            user_id=ALICE.user_id,
            tenant_id="agency-a",
            now=datetime.now(UTC),
            ttl=timedelta(minutes=5),
        )
        request = files_pb2.DownloadFileRequest(file_id=file_id, grant_token=token)
        with grpc.insecure_channel(self.server.address) as channel:
            stream = self.stub(channel).DownloadFile(request, metadata=self.metadata())
            return b"".join(message.data for message in stream)


@pytest.fixture
def scene(tmp_path: Path, nats_server: NatsServerProcess) -> Iterator[Scene]:
    data_dir = tmp_path / "ses-data"
    settings = load_settings(data_dir=data_dir, nats={"url": nats_server.url})
    token_file = tmp_path / "token"
    token_file.write_text(bearer(settings, ALICE))  # creates the key ring the server loads
    original = tmp_path / "evidence.zip"
    original.write_bytes(os.urandom(8 * MIB + 12345))
    server = FilesServer(data_dir, nats_server.url)
    server.start()
    # The token proves who Alice is; what she may do is read from the files service's
    # directory, which exists once the server has migrated its database.
    assert state_actor(settings, ALICE) == ["files"]
    try:
        yield Scene(server, settings, token_file, original, tmp_path / "upload.journal")
    finally:
        server.stop()


def test_a_killed_client_resumes_from_the_committed_offset(scene: Scene):
    first = scene.client(pause=0.02)
    first.wait_for_progress(2 * MIB)
    first.kill()
    last_handed_over = first.progress[-1]
    upload_id = json.loads(scene.journal.read_text())["upload_id"]
    wait_until(lambda: scene.committed(upload_id) > 0, timeout=30, message="a committed offset")

    second = scene.client(pause=0)
    file_id, sha256_hex = second.finished()

    resumed_at = second.progress[0] - CHUNK
    assert resumed_at >= last_handed_over - CHUNK  # at most one chunk is sent twice
    assert resumed_at > 0  # resumed, not started over
    assert not scene.journal.exists()
    assert sha256_hex == hashlib.sha256(scene.original.read_bytes()).hexdigest()
    assert scene.download(file_id) == scene.original.read_bytes()


@pytest.mark.parametrize("stop", ["SIGKILL", "SIGTERM"])
def test_an_upload_survives_the_server_being_stopped_and_restarted(scene: Scene, stop: str):
    client = scene.client(pause=0.02)
    client.wait_for_progress(3 * MIB)
    declared = json.loads(scene.journal.read_text())["files"][0]["file_id"]

    if stop == "SIGKILL":
        scene.server.kill()  # a crash: only what was synced and recorded survives
    else:
        scene.server.stop()  # a rolling restart: in-flight chunks are committed first
    scene.server.start()
    file_id, sha256_hex = client.finished()

    assert file_id == declared  # the same upload went on
    assert sha256_hex == hashlib.sha256(scene.original.read_bytes()).hexdigest()
    assert scene.download(file_id) == scene.original.read_bytes()
