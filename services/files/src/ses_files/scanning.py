"""The optional malware scan: clamd's INSTREAM protocol, when ``SES_FILES__CLAMD_ADDRESS`` is set.

``clamd_address`` is ``host:port`` (TCP) or a path to clamd's Unix socket. A completed
file is ``pending`` until a background loop has streamed its bytes to clamd: ``clean``,
or ``infected`` (never downloadable; the signature name is kept). A file larger than
clamd's ``StreamMaxLength`` is marked ``unscanned`` and stays downloadable, as it would
be without a scanner; raise that limit in clamd.conf to scan large files. When clamd
cannot be reached the file stays pending and is retried on the next pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from ses_files.dependencies import FilesDependencies
from ses_files.model import ScanStatus
from ses_files.repositories import files_awaiting_scan

_log = logging.getLogger(__name__)

BATCH = 20
_SOCKET_TIMEOUT = 60.0


@dataclass(frozen=True)
class Verdict:
    status: ScanStatus
    detail: str = ""


class ScannerUnavailable(RuntimeError):
    pass


class ClamdScanner:
    def __init__(self, address: str, *, timeout: float = _SOCKET_TIMEOUT) -> None:
        self.address = address
        self.timeout = timeout

    def scan(self, chunks: Iterable[bytes]) -> Verdict:
        try:
            with self._connect() as connection:
                connection.sendall(b"zINSTREAM\0")
                for chunk in chunks:
                    for start in range(0, len(chunk), 1 << 20):
                        piece = chunk[start : start + (1 << 20)]
                        connection.sendall(struct.pack("!L", len(piece)) + piece)
                connection.sendall(struct.pack("!L", 0))
                reply = _read_reply(connection)
        except OSError as error:
            if isinstance(error, BrokenPipeError | ConnectionResetError):
                # clamd hangs up on a stream over its StreamMaxLength; ask it why.
                return Verdict(ScanStatus.UNSCANNED, "too large for the scanner")
            raise ScannerUnavailable(f"clamd at {self.address}: {error}") from error
        return _verdict(reply)

    def _connect(self) -> socket.socket:
        if self.address.startswith("/"):
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            connection.settimeout(self.timeout)
            connection.connect(self.address)
            return connection
        host, _, port = self.address.removeprefix("tcp://").rpartition(":")
        return socket.create_connection((host.strip("[]"), int(port)), timeout=self.timeout)


def _read_reply(connection: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0"):
        piece = connection.recv(4096)
        if not piece:
            break
        reply += piece
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def _verdict(reply: str) -> Verdict:
    body = reply.partition(": ")[2] if ": " in reply else reply
    if body.endswith("FOUND"):
        return Verdict(ScanStatus.INFECTED, body.removesuffix("FOUND").strip()[:255])
    if body == "OK":
        return Verdict(ScanStatus.CLEAN)
    if "size limit exceeded" in body.lower():
        return Verdict(ScanStatus.UNSCANNED, "too large for the scanner")
    raise ScannerUnavailable(f"clamd answered {reply!r}")


def scan_pending(deps: FilesDependencies, scanner: ClamdScanner) -> int:
    """Scan what is pending; returns how many files got a verdict."""
    judged = 0
    for scope, file_id in files_awaiting_scan(deps.engine, BATCH):
        with deps.unit_of_work(scope) as uow:
            file = uow.files.find(file_id)
        if file is None:
            continue
        try:
            verdict = scanner.scan(deps.store.read(file.blob_id, 0, deps.chunk_bytes))
        except ScannerUnavailable:
            _log.warning("malware scanner unavailable; %s stays pending", file_id, exc_info=True)
            break
        except Exception:
            _log.exception("could not scan file %s; it stays pending", file_id)
            continue
        with deps.unit_of_work(scope) as uow:
            file = uow.files.get(file_id)
            file.record_scan(verdict.status, verdict.detail, deps.now())
            uow.commit()
        judged += 1
    return judged


async def run_scanner(
    deps: FilesDependencies, scanner: ClamdScanner, wake: asyncio.Event, interval: float
) -> None:
    """The background loop: a pass when a completion asks for one, else every ``interval``."""
    while True:
        wake.clear()
        try:
            await asyncio.to_thread(scan_pending, deps, scanner)
        except Exception:  # the database is away: try again on the next pass
            _log.exception("malware scan pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), interval)
