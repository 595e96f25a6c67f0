"""Throughput and tails of the complaints API against a bare gRPC echo server (issue 13).

    .venv/bin/python -m bench api --quick          # = make bench BENCH=api BENCH_ARGS=--quick
    .venv/bin/python -m bench api --rows 10000,1000000 --databases sqlite --workers 1,2

For each database (SQLite file, or a database of a throwaway PostgreSQL cluster made as
the tests make one), each ``--rows`` count and each ``--workers`` count, the bench:

1. seeds the complaints service's database (migrated by its own Alembic scripts) with
   ``--rows`` valid complaints inserted in bulk (as ``complaints_list_bench`` does;
   PostgreSQL by ``COPY``), 90 % of them in the measured agency;
2. starts ``ses serve complaints [--workers N]`` in its own process(es), on a fresh
   ``nats-server``, and states the bench's agency, company and users through the
   enrollment events the services consume (as ``notify_latency_bench`` does);
3. starts a bare ``grpc.aio`` echo server (the same number of processes, sharing the
   port with ``SO_REUSEPORT``) and measures it from this process: the baseline;
4. measures, from this process (one ``grpc.aio`` client, ``--in-flight`` calls at once
   spread over ``--channels`` connections, for ``--seconds`` each): GetComplaint of
   random seeded complaints, ListComplaints (OPEN, 50 a page), CreateComplaint,
   SaveResponseDraft (one complaint per caller) and SubmitResponse (complaints prepared
   over gRPC beforehand: IR sent, Company POC assigned, draft saved);
5. prints calls/s, p50, p99 and the ratio to the echo baseline of the same run.

``--server-src LABEL=DIR`` (repeatable) runs the server from another source tree (e.g.
``git archive`` of the code before a change, with the generated stubs copied in), each
variant in turn inside every configuration, so that before and after are measured
interleaved on this noisy machine. ``--mixed`` adds a run of 200 concurrent clients
mixing reads and writes. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import Engine, text
from sqlalchemy.schema import CreateIndex

from bench.complaints_list_bench import TENANT, _rows, seed
from bench.notify_latency_bench import (
    COMPANY,
    CONTACT,
    MANAGER,
    POC,
    Complaints,
    directory_events,
    publish,
)
from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as pb
from ses.complaints.v1 import complaints_pb2_grpc as pb_grpc
from ses_complaints import tables as t
from ses_complaints.bootstrap import plugin
from ses_core.platform.db import create_database_engine, sqlite_url, upgrade_to_head
from ses_core.platform.messaging import NatsServerProcess
from ses_core.platform.settings import Settings
from ses_core.testing import free_port
from ses_core.testing.hosting import host_settings, metadata_for

ROOT = Path(__file__).resolve().parent.parent
ECHO_METHOD = "/bench.Echo/Echo"
READS = ("GetComplaint", "ListComplaints")
WRITES = ("CreateComplaint", "SaveResponseDraft", "SubmitResponse")
CALLS = READS + WRITES
CHANNEL_OPTIONS = [("grpc.use_local_subchannel_pool", 1)]  # one connection per channel


# -- the echo server (a child process: ``python -m bench.api_bench echo-server PORT``) ------


async def _echo(request: bytes, _context: Any) -> bytes:
    return request


async def _serve_echo(port: int) -> None:
    server = grpc.aio.server(options=[("grpc.so_reuseport", 1)])
    handler = grpc.method_handlers_generic_handler(
        "bench.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(_echo)}
    )
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await server.stop(0)


@contextlib.contextmanager
def echo_servers(port: int, processes: int) -> Iterator[tuple[str, list[int]]]:
    children = [
        subprocess.Popen([sys.executable, "-m", "bench.api_bench", "echo-server", str(port)])
        for _ in range(processes)
    ]
    try:
        yield f"127.0.0.1:{port}", [child.pid for child in children]
    finally:
        _stop_all(children)


def _stop_all(children: Sequence[subprocess.Popen[Any]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


# -- the SES server -------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    label: str
    source: Path | None  # None: this tree

    def environment(self) -> dict[str, str]:
        if self.source is None:
            return {}
        paths = [self.source / "libs" / "ses_core" / "src"]
        paths += sorted((self.source / "services").glob("*/src"))
        paths.append(ROOT)  # the bench package itself (not used by the server)
        return {"PYTHONPATH": os.pathsep.join(str(path) for path in paths)}


PROFILE_DIR: Path | None = None
"""``--profile DIR``: one-worker servers run under cProfile (the event loop's thread only:
cProfile does not follow the worker threads), written to DIR when they stop."""


@contextlib.contextmanager
def ses_server(
    variant: Variant, settings: Settings, url: str, port: int, workers: int
) -> Iterator[subprocess.Popen[Any]]:
    environment = {
        **os.environ,
        **variant.environment(),
        "SES_DATA_DIR": str(settings.data_dir),
        "SES_GRPC__PORT": str(port),
        "SES_NATS__URL": settings.nats.url,
        "SES_DATABASE__COMPLAINTS": url,
    }
    command = [sys.executable]
    if PROFILE_DIR is not None and workers == 1:
        name = f"{variant.label}-{Path(url).name if '///' in url else 'postgresql'}.prof"
        command += ["-m", "cProfile", "-o", str(PROFILE_DIR / name)]
    command += ["-m", "ses_core.platform.runtime.cli", "--log-level", "WARNING"]
    command += ["serve", "complaints"]
    if workers > 1:
        command += ["--workers", str(workers)]
    child = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
    try:
        yield child
    finally:
        _stop_all([child])


async def wait_serving(address: str, child: subprocess.Popen[Any], patience: float = 120) -> float:
    """Seconds until health says SERVING (raises if the server process ends first)."""
    started = time.perf_counter()
    async with grpc.aio.insecure_channel(address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.perf_counter() - started < patience:
            if child.poll() is not None:
                raise RuntimeError(f"the server exited with status {child.returncode}")
            with contextlib.suppress(grpc.aio.AioRpcError):
                answer = await stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                if answer.status == health_pb2.HealthCheckResponse.SERVING:
                    return time.perf_counter() - started
            await asyncio.sleep(0.05)
    raise TimeoutError(f"{address} was not SERVING within {patience:.0f} s")


# -- seeding --------------------------------------------------------------------------------


def seed_database(engine: Engine, url: str, rows: int) -> None:
    upgrade_to_head(engine, plugin.migrations)
    if engine.dialect.name == "sqlite":
        seed(engine, Path(url.split("///", 1)[1]), rows)
        return
    seed_postgres(engine, rows)


def seed_postgres(engine: Engine, count: int) -> None:
    """``COPY`` the same rows ``complaints_list_bench`` inserts, indexes rebuilt afterwards."""
    indexes = list(t.complaints.indexes)
    columns = ", ".join(column.name for column in t.complaints.columns)
    with engine.begin() as connection:
        for index in indexes:
            connection.execute(text(f"DROP INDEX {index.name}"))
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        with driver.cursor() as cursor:
            cursor.execute("SET timezone TO 'UTC'")
            with cursor.copy(f"COPY complaints ({columns}) FROM STDIN") as copy:
                for row in _rows(count):
                    copy.write_row(row)
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as connection:
        for index in indexes:
            connection.execute(CreateIndex(index))
        connection.execute(text("ANALYZE complaints"))


def sample_ids(engine: Engine, count: int) -> list[str]:
    statement = text(
        "SELECT id FROM complaints WHERE tenant_id = :tenant ORDER BY id LIMIT :count OFFSET :skip"
    )
    with engine.connect() as connection:
        total = connection.execute(
            text("SELECT count(*) FROM complaints WHERE tenant_id = :tenant"), {"tenant": TENANT}
        ).scalar_one()
        skip = random.Random(13).randrange(max(1, total - count))
        ids = [
            str(row[0])
            for row in connection.execute(
                statement, {"tenant": TENANT, "count": count, "skip": skip}
            )
        ]
    random.Random(7).shuffle(ids)
    return ids


# -- CPU accounting ---------------------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux ``/proc``)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                pending += [int(child) for child in (task / "children").read_text().split()]
    return found


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU seconds used so far by ``pids`` (those still alive)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])
    return total / _TICKS


# -- driving load ---------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0
    first_error: str = ""
    server_cpu: float = 0.0  # CPU seconds of the server processes while measuring

    @property
    def cpu_per_call_ms(self) -> float:
        return self.server_cpu / len(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


Call = Callable[[int, grpc.aio.Channel], Awaitable[object]]


async def drive(
    name: str,
    channels: Sequence[grpc.aio.Channel],
    call: Call,
    *,
    in_flight: int,
    seconds: float,
    warmup: float = 0.5,
    server: Sequence[int] = (),
) -> Result:
    """``in_flight`` callers, each calling ``call(caller, channel)`` in a loop until the
    time is up (or ``call`` raises StopAsyncIteration: nothing left to do)."""
    result = Result(name)
    loop = asyncio.get_running_loop()
    begin = loop.time()
    measuring_from = begin + warmup
    deadline = measuring_from + seconds
    finished: list[float] = []
    cpu_marks: list[float] = []

    async def mark_cpu() -> None:
        await asyncio.sleep(max(0.0, measuring_from - loop.time()))
        cpu_marks.append(cpu_seconds(server))
        await asyncio.sleep(max(0.0, deadline - loop.time()))
        cpu_marks.append(cpu_seconds(server))

    marking = asyncio.ensure_future(mark_cpu())

    async def caller(index: int) -> None:
        channel = channels[index % len(channels)]
        while loop.time() < deadline:
            started = time.perf_counter()
            try:
                await call(index, channel)
            except StopAsyncIteration:
                break
            except grpc.aio.AioRpcError as error:
                result.errors += 1
                result.first_error = result.first_error or f"{error.code().name}: {error.details()}"
                continue
            if loop.time() >= measuring_from:
                result.latencies.append(time.perf_counter() - started)
        finished.append(loop.time())

    await asyncio.gather(*(caller(index) for index in range(in_flight)))
    result.elapsed = max(0.001, min(deadline, max(finished)) - measuring_from)
    if not marking.done():  # ran out of work early
        marking.cancel()
        cpu_marks.append(cpu_seconds(server))
    if len(cpu_marks) == 2:
        result.server_cpu = cpu_marks[1] - cpu_marks[0]
    return result


def echo_call() -> Call:
    payload = os.urandom(64)

    async def call(_index: int, channel: grpc.aio.Channel) -> object:
        return await channel.unary_unary(ECHO_METHOD)(payload)

    return call


@dataclass
class Workload:
    """What the calls act on, prepared once per server start."""

    settings: Settings
    complaint_ids: list[str]
    drafts: list[tuple[str, str]] = field(default_factory=list)
    to_submit: list[tuple[str, str]] = field(default_factory=list)

    def md(self, actor: Any) -> tuple[tuple[str, str], ...]:
        return metadata_for(self.settings, actor)

    def calls(self) -> dict[str, Call]:
        manager, poc = self.md(MANAGER), self.md(POC)
        ids = itertools.cycle(self.complaint_ids)
        submissions = iter(self.to_submit)
        listing = pb.ListComplaintsRequest(statuses=[pb.COMPLAINT_STATUS_OPEN], page_size=50)

        async def get(_index: int, channel: grpc.aio.Channel) -> object:
            request = pb.GetComplaintRequest(complaint_id=next(ids))
            return await pb_grpc.ComplaintsServiceStub(channel).GetComplaint(
                request, metadata=manager
            )

        async def list_(_index: int, channel: grpc.aio.Channel) -> object:
            return await pb_grpc.ComplaintsServiceStub(channel).ListComplaints(
                listing, metadata=manager
            )

        async def create(_index: int, channel: grpc.aio.Channel) -> object:
            return await pb_grpc.ComplaintsServiceStub(channel).CreateComplaint(
                created_request(), metadata=manager
            )

        counter = itertools.count()

        async def draft(index: int, channel: grpc.aio.Channel) -> object:
            cid, ir_id = self.drafts[index % len(self.drafts)]
            request = pb.SaveResponseDraftRequest(
                complaint_id=cid, information_request_id=ir_id, text=f"Draft {next(counter)}."
            )
            return await pb_grpc.ComplaintsServiceStub(channel).SaveResponseDraft(
                request, metadata=poc
            )

        async def submit(_index: int, channel: grpc.aio.Channel) -> object:
            try:
                cid, ir_id = next(submissions)
            except StopIteration:
                raise StopAsyncIteration from None
            request = pb.SubmitResponseRequest(complaint_id=cid, information_request_id=ir_id)
            return await pb_grpc.ComplaintsServiceStub(channel).SubmitResponse(
                request, metadata=poc
            )

        return {
            "GetComplaint": get,
            "ListComplaints": list_,
            "CreateComplaint": create,
            "SaveResponseDraft": draft,
            "SubmitResponse": submit,
        }


def created_request() -> pb.CreateComplaintRequest:
    return pb.CreateComplaintRequest(
        company_id=COMPANY,
        details=pb.ComplaintDetails(
            complainant=pb.Complainant(given_name="Jane", family_name="Consumer"),
            received_date=common.Date(year=2026, month=11, day=2),
            description="The servicer charged a late fee although the payment was on time.",
        ),
    )


async def prepare(
    channel: grpc.aio.Channel, settings: Settings, drafts: int, submissions: int
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Complaints ready for a draft (IR sent, POC assigned) and ready to submit."""
    complaints = Complaints(channel, settings)
    for attempt in range(300):  # the service applies the directory's events first
        try:
            first = await complaints.ready_to_submit()
            break
        except grpc.aio.AioRpcError:
            if attempt == 299:
                raise
            await asyncio.sleep(0.1)
    gate = asyncio.Semaphore(16)

    async def one() -> tuple[str, str]:
        async with gate:
            return await complaints.ready_to_submit()

    ready = [first, *await asyncio.gather(*(one() for _ in range(drafts + submissions - 1)))]
    return ready[:drafts], ready[drafts:]


# -- one configuration ------------------------------------------------------------------------


@dataclass
class Row:
    database: str
    rows: int
    workers: int
    variant: str
    call: str
    result: Result
    echo: Result

    def line(self) -> str:
        r = self.result
        p50, p99 = r.percentile(50) * 1000, r.percentile(99) * 1000
        ratio = r.throughput / self.echo.throughput if self.echo.throughput else float("nan")
        errors = f"  errors={r.errors} ({r.first_error[:80]})" if r.errors else ""
        return (
            f"{self.database:<9}{self.rows:>9,}{self.workers:>3} {self.variant:<8}"
            f"{self.call:<19}{len(r.latencies):>7}{self.echo.throughput:>8.0f}"
            f"{r.throughput:>8.0f}{ratio:>7.3f}{p50:>8.1f}{p99:>8.1f}"
            f"{p99 / p50 if p50 else float('nan'):>7.1f}{r.cpu_per_call_ms:>8.2f}"
            f"{self.echo.cpu_per_call_ms:>8.3f}{errors}"
        )


HEADER = (
    f"{'database':<9}{'rows':>9}{'w':>3} {'variant':<8}{'call':<19}{'n':>7}{'echo/s':>8}"
    f"{'SES/s':>8}{'ratio':>7}{'p50 ms':>8}{'p99 ms':>8}{'p99/50':>7}{'cpu ms':>8}"
    f"{'echo ms':>8}"
)
"""Columns: calls measured; echo and SES calls per second (echo measured just before the
call, same length); their ratio; SES p50, p99 and their ratio; server CPU per call
(every server process), SES and echo."""


async def measure_configuration(
    options: argparse.Namespace,
    database: str,
    rows: int,
    url: str,
    engine: Engine,
    workdir: Path,
    variants: Sequence[Variant],
) -> list[Row]:
    out: list[Row] = []
    broker = NatsServerProcess(workdir / "nats").start()
    try:
        settings = host_settings(
            workdir / "data", nats_url=broker.url, database_urls={"complaints": url}
        )
        ids = sample_ids(engine, 2000)
        published = False
        for workers in options.workers:
            for variant in variants:
                port = free_port()
                with ses_server(variant, settings, url, port, workers) as child:
                    address = f"127.0.0.1:{port}"
                    try:
                        start = await wait_serving(address, child)
                    except RuntimeError as error:
                        print(f"  {variant.label} with {workers} worker(s): {error}", flush=True)
                        continue
                    if not published:  # the server made the streams
                        await publish(broker.url, directory_events())
                        published = True
                    print(
                        f"  {database} {rows:,} rows, {workers} worker(s), {variant.label}: "
                        f"SERVING after {start:.1f} s; preparing ...",
                        flush=True,
                    )
                    measured = await _measure_server(
                        options, address, child.pid, settings, ids, database, rows, workers, variant
                    )
                    out.extend(measured)
                    for row in measured:
                        print(row.line(), flush=True)
    finally:
        broker.stop()
    return out


async def _measure_server(
    options: argparse.Namespace,
    address: str,
    server_pid: int,
    settings: Settings,
    ids: list[str],
    database: str,
    rows: int,
    workers: int,
    variant: Variant,
) -> list[Row]:
    """Each call right after an echo run of the same length: the ratio is to that echo."""
    workload = Workload(settings, ids)
    for actor in (MANAGER, CONTACT, POC):
        workload.md(actor)  # states their authority before the clock runs
    channels = [
        grpc.aio.insecure_channel(address, options=CHANNEL_OPTIONS) for _ in range(options.channels)
    ]
    echo_port = free_port()
    try:
        workload.drafts, workload.to_submit = await prepare(
            channels[0], settings, options.in_flight, options.submissions
        )
        server = process_tree(server_pid)
        calls = workload.calls()
        if options.mixed:
            calls["mixed (200)"] = mixed_call(calls)
        names = [*options.calls, *(["mixed (200)"] if options.mixed else [])]
        out: list[Row] = []
        with echo_servers(echo_port, workers) as (echo_address, echo_pids):
            echo_channels = [
                grpc.aio.insecure_channel(echo_address, options=CHANNEL_OPTIONS)
                for _ in range(options.channels)
            ]
            try:
                for channel in echo_channels:
                    await channel.channel_ready()
                for name in names:
                    echo = await drive(
                        "echo",
                        echo_channels,
                        echo_call(),
                        in_flight=options.in_flight,
                        seconds=options.seconds,
                        server=echo_pids,
                    )
                    # A marker for a profiler attached to the server (py-spy --pid).
                    print(f"  measuring {name} (server pid {server_pid})", flush=True)
                    result = await drive(
                        name,
                        channels,
                        calls[name],
                        in_flight=200 if name.startswith("mixed") else options.in_flight,
                        seconds=options.seconds,
                        server=server,
                    )
                    out.append(Row(database, rows, workers, variant.label, name, result, echo))
            finally:
                for channel in echo_channels:
                    await channel.close()
        return out
    finally:
        for channel in channels:
            await channel.close()


def mixed_call(calls: dict[str, Call]) -> Call:
    """200 callers, each call chosen at random: 45 % Get, 35 % List, 15 % Create, 5 % draft."""
    weights = {
        "GetComplaint": 45,
        "ListComplaints": 35,
        "CreateComplaint": 15,
        "SaveResponseDraft": 5,
    }
    names = [name for name, weight in weights.items() for _ in range(weight)]
    rng = random.Random(200)

    async def call(index: int, channel: grpc.aio.Channel) -> object:
        return await calls[rng.choice(names)](index, channel)

    return call


# -- main -------------------------------------------------------------------------------------


def _options(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench api")
    parser.add_argument("--rows", default="10000", help="comma-separated (default 10000)")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}")
    parser.add_argument("--seconds", type=float, default=5.0, help="per call (default 5)")
    parser.add_argument("--in-flight", type=int, default=32)
    parser.add_argument("--channels", type=int, default=8, help="client connections")
    parser.add_argument("--submissions", type=int, default=600, help="prepared to submit")
    parser.add_argument("--calls", default=",".join(CALLS))
    parser.add_argument("--mixed", action="store_true", help="add a 200-client mixed run")
    parser.add_argument("--quick", action="store_true", help="2 s per call, fewer submissions")
    parser.add_argument(
        "--server-src",
        action="append",
        default=[],
        metavar="LABEL=DIR",
        help="also run the server from another source tree (repeatable)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="run one-worker servers under cProfile (event loop only), written to DIR",
    )
    parser.add_argument(
        "--no-current", action="store_true", help="only the --server-src variants, not this tree"
    )
    options = parser.parse_args(argv)
    options.rows = [int(value) for value in options.rows.split(",")]
    options.databases = options.databases.split(",")
    options.workers = [int(value) for value in options.workers.split(",")]
    options.calls = options.calls.split(",")
    if options.quick:
        options.seconds, options.submissions = 2.0, 250
    return options


async def run(options: argparse.Namespace, variants: Sequence[Variant], scratch: Path) -> None:
    rows_out: list[Row] = []
    cluster = None
    try:
        for database in options.databases:
            for rows in options.rows:
                workdir = scratch / f"{database}-{rows}"
                if database == "sqlite":
                    url = sqlite_url(workdir / "db", "complaints")
                else:
                    if cluster is None:
                        from ses_core.testing import PostgresCluster

                        cluster = PostgresCluster().start()
                    url = cluster.create_database(f"complaints_{rows}")
                engine = create_database_engine(url)
                try:
                    started = time.perf_counter()
                    await asyncio.to_thread(seed_database, engine, url, rows)
                    print(
                        f"{database}: seeded {rows:,} complaints in "
                        f"{time.perf_counter() - started:.0f} s",
                        flush=True,
                    )
                    rows_out += await measure_configuration(
                        options, database, rows, url, engine, workdir, variants
                    )
                finally:
                    engine.dispose()
    finally:
        if cluster is not None:
            cluster.stop()
    print(f"\n{HEADER}")
    for row in rows_out:
        print(row.line())


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["echo-server"]:
        asyncio.run(_serve_echo(int(argv[1])))
        return 0
    options = _options(argv)
    global PROFILE_DIR
    PROFILE_DIR = options.profile
    if PROFILE_DIR is not None:
        PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("ses_core.platform.messaging").setLevel(logging.ERROR)
    variants = [] if options.no_current else [Variant("current", None)]
    for spec in options.server_src:
        label, _, directory = spec.partition("=")
        variants.append(Variant(label, Path(directory).resolve()))
    print(
        f"nproc {os.cpu_count()}, load {os.getloadavg()[0]:.1f}, {options.in_flight} in flight "
        f"over {options.channels} connections, {options.seconds:.0f} s per call",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="ses-api-bench-") as scratch:
        asyncio.run(run(options, variants, Path(scratch)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
