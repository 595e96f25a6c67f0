"""Upload throughput and memory of the files service (issue 7).

    .venv/bin/python -m bench upload               # 100 MiB and 1 GiB, chunks 64 KiB-1 MiB
    .venv/bin/python -m bench upload --quick       # 100 MiB only
    .venv/bin/python -m bench upload --size 512MiB --chunk 1MiB --repeat 3

For each file size and chunk size, in the same run and on the same bytes (a random file
in a temporary directory, read from the page cache):

(a) a bare gRPC client stream of the file's chunks into a server process that discards
    them (the same UploadChunks method and message limits as the files service);
(b) hashlib SHA-256 over the file, read in the same chunks, in one thread;
(c) the real upload: the SDK's asyncio helper (``upload_files_async``: it hashes while
    sending) to ``ses serve files`` in its own process, storing on local disk, with its
    own nats-server; timed from StartUpload to CompleteUpload.

It prints each throughput, the ratio of (c) to the slower of (a) and (b) (target 0.8),
and the files service's peak RSS during (c) above its idle RSS (target at most 100 MiB,
the same for every file size). Because client and service share the machine's cores,
it also prints the CPU both processes spent per MiB in (a) and (c), and (c) against the
ceiling that CPU cost allows (cores ÷ CPU per byte): the ratio to (a) cannot exceed
CPU(a) ÷ CPU(c) once the cores are saturated. Each measurement is the best of
``--repeat`` runs, because a 2-core machine is noisy; the last column is the machine's
1-minute load average when the row was done (other work shares the cores). Not a
test: nothing asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import grpc
import grpc.aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ses.files.v1 import files_pb2, files_pb2_grpc

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
UNITS = {"b": 1, "kib": KIB, "mib": MIB, "gib": GIB, "kb": 1000, "mb": 1000**2, "gb": 1000**3}
SERVICE = "ses.files.v1.FilesService"


def parse_size(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]*)\s*", text)
    if not match or match.group(2).lower() not in {**UNITS, "": 1}:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 100MiB or 1GiB")
    return int(match.group(1)) * UNITS.get(match.group(2).lower(), 1)


def shown(size: int) -> str:
    for unit, factor in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} B"


# -- (a) the discarding server and the bare client ---------------------------------------------


class DiscardingServicer(files_pb2_grpc.FilesServiceServicer):
    async def UploadChunks(  # noqa: N802 - gRPC method name
        self, request_iterator: AsyncIterator[files_pb2.UploadChunksRequest], context: object
    ) -> files_pb2.UploadChunksResponse:
        received = 0
        async for request in request_iterator:
            received += len(request.data)
        return files_pb2.UploadChunksResponse(
            files=[files_pb2.FileProgress(committed_offset=received)]
        )


async def serve_discarding(port: int) -> None:
    server = grpc.aio.server(options=[("grpc.max_receive_message_length", 4 * MIB)])
    files_pb2_grpc.add_FilesServiceServicer_to_server(DiscardingServicer(), server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


def size_of(path: Path) -> int:
    return path.stat().st_size


def read_chunks(path: Path, chunk: int) -> Iterator[bytes]:
    with path.open("rb", buffering=0) as handle:
        while data := handle.read(chunk):
            yield data


async def bare_stream(address: str, path: Path, chunk: int) -> float:
    async def requests() -> AsyncIterator[files_pb2.UploadChunksRequest]:
        offset = 0
        for data in read_chunks(path, chunk):  # from the page cache: cheaper than a thread hop
            yield files_pb2.UploadChunksRequest(
                upload_id="u", file_id="f", offset=offset, data=data
            )
            offset += len(data)

    async with grpc.aio.insecure_channel(address) as channel:
        stub = files_pb2_grpc.FilesServiceStub(channel)
        started = time.perf_counter()
        response = await stub.UploadChunks(requests())
        elapsed = time.perf_counter() - started
    assert response.files[0].committed_offset == size_of(path)
    return elapsed


# -- (b) hashing -------------------------------------------------------------------------------


def hash_file(path: Path, chunk: int) -> float:
    started = time.perf_counter()
    digest = hashlib.sha256()
    for data in read_chunks(path, chunk):
        digest.update(data)
    digest.hexdigest()
    return time.perf_counter() - started


# -- (c) the files service in its own process --------------------------------------------------


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Timed:
    seconds: float
    client_cpu: float
    server_cpu: float
    peak_rss: int = 0


async def timed(pid: int, run: Callable[[], Awaitable[object]]) -> Timed:
    """Wall time of ``run`` and the CPU this process and process ``pid`` spent meanwhile."""
    server, client = process_cpu_seconds(pid), time.process_time()
    started = time.perf_counter()
    await run()
    elapsed = time.perf_counter() - started
    return Timed(elapsed, time.process_time() - client, process_cpu_seconds(pid) - server)


class RssMonitor:
    """Samples a process's resident set size; also resets and reads the kernel's peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def rss(self) -> int:
        return self._status_kib("VmRSS") * KIB

    def _status_kib(self, field: str) -> int:
        text = Path(f"/proc/{self.pid}/status").read_text()
        match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
        return int(match.group(1)) if match else 0

    def __enter__(self) -> RssMonitor:
        with contextlib.suppress(OSError):  # reset VmHWM (needs the right to write clear_refs)
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        self.peak = self.rss()
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()
        self.peak = max(self.peak, self._status_kib("VmHWM") * KIB)

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.rss())


@dataclass
class FilesProcess:
    process: subprocess.Popen[bytes]
    address: str
    token: str
    blob_dir: Path


@contextlib.contextmanager
def files_service(workdir: Path) -> Iterator[FilesProcess]:
    from ses_core.identity import Actor, AgencyRole
    from ses_core.platform.settings import load_settings
    from ses_core.testing import NatsServerProcess, free_port
    from ses_core.testing.hosting import bearer, state_actor

    data_dir = workdir / "ses-data"
    port = free_port()
    with NatsServerProcess(workdir / "nats") as nats:
        env = {
            **os.environ,
            "SES_DATA_DIR": str(data_dir),
            "SES_NATS__URL": nats.url,
            "SES_GRPC__PORT": str(port),
        }
        settings = load_settings(data_dir=data_dir, nats={"url": nats.url})
        actor = Actor.agency_user("bench-user", "bench-agency", AgencyRole.COMPLAINT_MANAGER)
        token = bearer(settings, actor)  # creates the key ring the service will load
        command = [sys.executable, "-m", "ses_core.platform.runtime.cli", "serve", "files"]
        log = (workdir / "files-service.log").open("wb")
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            address = f"127.0.0.1:{port}"
            wait_serving(address, process)
            state_actor(settings, actor)  # the service reads what the actor may do from its DB
            assert settings.files.blob_dir is not None
            yield FilesProcess(process, address, token, settings.files.blob_dir)
        finally:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(30)
            if process.poll() is None:
                process.kill()
            log.close()


def wait_serving(address: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the files service exited with status {process.returncode}")
            with contextlib.suppress(grpc.RpcError):
                reply = health.Check(health_pb2.HealthCheckRequest(service=SERVICE), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            time.sleep(0.1)
    raise TimeoutError("the files service did not start serving in time")


async def sdk_upload(service: FilesProcess, path: Path, chunk: int) -> Timed:
    """The upload's time, CPU and the service's peak RSS meanwhile."""
    from ses_sdk import upload_files_async

    async def upload() -> None:
        async with grpc.aio.insecure_channel(service.address) as channel:
            (uploaded,) = await upload_files_async(channel, service.token, [path], chunk_size=chunk)
        assert uploaded.size_bytes == size_of(path)

    with RssMonitor(service.process.pid) as monitor:
        result = await timed(service.process.pid, upload)
    result.peak_rss = monitor.peak
    for stored in (service.blob_dir / "objects").glob("*/*"):  # keep the disk tidy
        stored.unlink()
    return result


# -- the run -----------------------------------------------------------------------------------


@dataclass
class Row:
    size: int
    chunk: int
    bare: Timed
    hashing: float
    upload: Timed
    idle_rss: int
    peak_rss: int
    load: float = 0.0

    def rate(self, seconds: float) -> float:
        return self.size / seconds / 1e6

    @property
    def ratio(self) -> float:
        return self.rate(self.upload.seconds) / min(self.rate(self.bare.seconds), self.hashing)

    def cpu_per_mib(self, run: Timed) -> str:
        mib = self.size / MIB
        return f"{run.client_cpu / mib * 1000:.1f} + {run.server_cpu / mib * 1000:.1f}"

    @property
    def cpu_ceiling(self) -> float:
        """MB/s the upload could reach if it had every core to itself: cores ÷ CPU per byte."""
        cpu = self.upload.client_cpu + self.upload.server_cpu
        return (os.cpu_count() or 1) * self.size / cpu / 1e6


def mb_per_s(size: int, seconds: float) -> float:
    return size / seconds / 1e6


def make_file(path: Path, size: int) -> None:
    with path.open("wb") as handle:
        remaining = size
        while remaining:
            block = os.urandom(min(remaining, 16 * MIB))
            handle.write(block)
            remaining -= len(block)


async def measure(
    sizes: Sequence[int], chunks: Sequence[int], repeat: int, workdir: Path
) -> list[Row]:
    port = free_port_number()
    discard = start_discarding_server(port)
    rows: list[Row] = []
    try:
        bare_address = f"127.0.0.1:{port}"
        ready = grpc.channel_ready_future(grpc.insecure_channel(bare_address))
        await asyncio.to_thread(ready.result, 30)
        with files_service(workdir) as service:
            warm = workdir / "warm-up.bin"
            make_file(warm, 4 * MIB)
            await sdk_upload(service, warm, MIB)
            idle = RssMonitor(service.process.pid).rss()
            print(f"files service idle RSS after a warm-up upload: {idle / MIB:.0f} MiB")
            for size in sizes:
                path = workdir / f"data-{size}.bin"
                make_file(path, size)
                hash_file(path, MIB)  # into the page cache
                for chunk in chunks:
                    bare_run = functools.partial(bare_stream, bare_address, path, chunk)
                    bares = [await timed(discard.pid, bare_run) for _ in range(repeat)]
                    hashing = min(hash_file(path, chunk) for _ in range(repeat))
                    uploads = [await sdk_upload(service, path, chunk) for _ in range(repeat)]
                    row = Row(
                        size,
                        chunk,
                        min(bares, key=lambda run: run.seconds),
                        mb_per_s(size, hashing),
                        min(uploads, key=lambda run: run.seconds),
                        idle,
                        max(run.peak_rss for run in uploads),
                        os.getloadavg()[0],
                    )
                    rows.append(row)
                    print_row(row, flush=True)
                path.unlink()
    finally:
        discard.terminate()
        discard.wait(30)
    return rows


def start_discarding_server(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bench", "upload", "--serve-discard", str(port)]
    return subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent)


def free_port_number() -> int:
    from ses_core.testing import free_port

    return free_port()


HEADER = (
    "| file | chunk | (a) bare gRPC MB/s | (b) SHA-256 MB/s | (c) upload MB/s "
    "| (c) / min(a, b) | CPU ms/MiB (a) | CPU ms/MiB (c) | (c) / CPU ceiling "
    "| service RSS idle → peak | load |\n"
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
)


def print_row(row: Row, *, flush: bool = False) -> None:
    delta = (row.peak_rss - row.idle_rss) / MIB
    print(
        f"| {shown(row.size)} | {shown(row.chunk)} | {row.rate(row.bare.seconds):,.0f} "
        f"| {row.hashing:,.0f} | {row.rate(row.upload.seconds):,.0f} | {row.ratio:.2f} "
        f"| {row.cpu_per_mib(row.bare)} | {row.cpu_per_mib(row.upload)} "
        f"| {row.rate(row.upload.seconds) / row.cpu_ceiling:.2f} "
        f"| {row.idle_rss / MIB:.0f} → {row.peak_rss / MIB:.0f} MiB (+{delta:.0f}) "
        f"| {row.load:.1f} |",
        flush=flush,
    )


def main(argv: Sequence[str]) -> int:
    summary = (__doc__ or "").split("\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench upload", description=summary)
    parser.add_argument("--size", type=parse_size, action="append", help="file size (repeatable)")
    parser.add_argument("--chunk", type=parse_size, action="append", help="chunk size (repeatable)")
    parser.add_argument("--quick", action="store_true", help="100 MiB only")
    parser.add_argument("--repeat", type=int, default=2, help="runs per measurement (best kept)")
    parser.add_argument("--workdir", type=Path, help="where the data and the service live")
    parser.add_argument("--serve-discard", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_discard:
        asyncio.run(serve_discarding(args.serve_discard))
        return 0
    sizes = args.size or ([100 * MIB] if args.quick else [100 * MIB, GIB])
    chunks = args.chunk or [64 * KIB, 256 * KIB, MIB]
    print(f"upload benchmark: {os.cpu_count()} cores, sizes {', '.join(map(shown, sizes))}")
    print(
        f"best of {args.repeat} runs; CPU ms/MiB: client + server process per MiB; CPU "
        "ceiling: cores / (client + server CPU per byte) of the upload"
    )
    print(HEADER, flush=True)
    with contextlib.ExitStack() as stack:
        workdir = args.workdir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        asyncio.run(measure(sizes, chunks, max(1, args.repeat), workdir))
    return 0
