"""Keyset pagination of ListComplaints at 1,000,000 rows (issue 5).

    .venv/bin/python -m bench complaints_list                  # 1,000,000 rows, with gRPC
    .venv/bin/python -m bench.complaints_list_bench --rows 200000 --no-grpc

Seeds a fresh SQLite database of the complaints service (migrated by its own Alembic
scripts) with ``--rows`` complaints, inserted straight into the ``complaints`` table in
large ``executemany`` transactions (indexes are dropped while seeding and rebuilt
afterwards, which is much faster than maintaining eight indexes row by row). Rows are
spread over agencies (90 % in the one measured), statuses, Agency POCs and companies.

Then it times the filtered list "OPEN complaints of agency-bench, newest first" at
page 1 and at page ``--page`` (10,000 by default, i.e. after ``(page-1)*page-size`` rows):

(a) the query layer (``ses_complaints.queries.list_complaints``),
(b) the handler layer (``ses_complaints.handlers.list_complaints``: authorization, the
    query, people and company look-ups, page token),
(c) over gRPC (``ListComplaints`` on a hosted complaints service), unless ``--no-grpc``.

Reaching page 10,000 by walking 9,999 pages would only measure the walk, so the bench
finds that page's cursor once with an OFFSET query (the service itself never uses
OFFSET) and builds the page token the service would have returned. Each timing is the
median of ``--repeat`` calls after one warm-up call. It prints the medians, the ratio
page N / page 1 (keyset: about 1), the query plan SQLite chose, and, for comparison,
what OFFSET costs at page N. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc.aio
from sqlalchemy import Engine, text
from sqlalchemy.schema import CreateIndex

from ses.complaints.v1 import complaints_pb2 as pb
from ses.complaints.v1 import complaints_pb2_grpc as pb_grpc
from ses_complaints import handlers, queries
from ses_complaints import tables as t
from ses_complaints.bootstrap import plugin
from ses_complaints.extras import ComplaintExtras
from ses_complaints.handlers import Deps
from ses_complaints.paging import page_for
from ses_complaints.queries import ListFilters, Scope
from ses_core.calendar import OperatingCalendar
from ses_core.identity import Actor, AgencyRole
from ses_core.models import Complainant, Complaint
from ses_core.models.complaint_reference import format_reference_number
from ses_core.platform.db import (
    create_database_engine,
    session_factory,
    sqlite_url,
    upgrade_to_head,
)
from ses_core.platform.grants import GrantSigner
from ses_core.platform.messaging import ProtobufEventCodec
from ses_core.platform.runtime import ServiceHost
from ses_core.platform.settings import load_settings
from ses_core.ports import SystemClock
from ses_core.testing.hosting import metadata_for
from ses_core.uploads import UploadPolicy

TENANT = "agency-bench"
OTHER_TENANTS = ("agency-b", "agency-c", "agency-d")
STATUSES = ("OPEN",) * 14 + ("CLOSED",) * 4 + ("PENDING_REVIEW", "CANCELED")
BATCH = 50_000
ACTOR = Actor.agency_user("bench-manager", TENANT, AgencyRole.COMPLAINT_MANAGER)


def main(argv: Sequence[str] | None = None) -> int:
    options = _options(argv)
    with tempfile.TemporaryDirectory(prefix="complaints-bench-") as scratch:
        directory = Path(options.dir or scratch)
        url = sqlite_url(directory, "complaints")
        engine = create_database_engine(url)
        try:
            started = time.perf_counter()
            upgrade_to_head(engine, plugin.migrations)
            seeded = seed(engine, Path(url.split("///", 1)[1]), options.rows)
            print(f"seeded {seeded:,} complaints in {time.perf_counter() - started:.1f} s")
            report = Report(options.page, options.page_size)
            measure(engine, options, report)
            if options.grpc:
                asyncio.run(measure_grpc(directory, url, options, report))
            report.print()
        finally:
            engine.dispose()
    return 0


def _options(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench complaints_list")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--page", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--no-grpc", dest="grpc", action="store_false")
    parser.add_argument("--dir", help="keep the database here instead of a temporary directory")
    options = parser.parse_args(argv)
    needed = options.page * options.page_size
    if options.rows * 0.9 * 0.7 < needed:
        parser.error(f"--rows {options.rows} is too few for page {options.page}")
    return options


# -- seeding ---------------------------------------------------------------------------------


TEMPLATE_REFERENCE = "BENCH-2026-000000"


def _template() -> tuple[str, str, str]:
    """A real complaint document (and extras) whose id and reference are replaced row by row."""
    now = datetime.now(UTC)
    complaint = Complaint.create(
        reference_number=TEMPLATE_REFERENCE,
        tenant_id=TENANT,
        company_id="SES-000001",
        complainant=Complainant(first_name="Jane", last_name="Consumer"),
        received_date=date(2026, 1, 5),
        description="A late fee was charged although the payment was on time.",
        now=now,
        by=ACTOR.user_id,
        complaint_id="00000000-0000-4000-8000-000000000000",
    )
    return (
        complaint.model_dump_json(),
        ComplaintExtras().model_dump_json(),
        "00000000-0000-4000-8000-000000000000",
    )


def _rows(count: int) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(5)
    document, extras, template_id = _template()
    start = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    for index in range(count):
        complaint_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        tenant = TENANT if rng.random() < 0.9 else rng.choice(OTHER_TENANTS)
        status = rng.choice(STATUSES)
        created = (start - timedelta(seconds=30 * index)).strftime("%Y-%m-%d %H:%M:%S.%f")
        received = (start - timedelta(seconds=30 * index, days=2)).date().isoformat()
        reference = format_reference_number("BENCH", 2026, index + 1)
        yield (
            complaint_id,
            tenant,
            f"SES-{rng.randrange(1, 1000):06d}",
            reference,
            status,
            f"bench-poc-{rng.randrange(20)}",
            None,
            None,
            0,
            "Jane Consumer",
            0,
            received,
            None,
            created,
            created,
            document.replace(template_id, complaint_id).replace(TEMPLATE_REFERENCE, reference),
            extras,
        )


def seed(engine: Engine, path: Path, count: int) -> int:
    """Insert ``count`` complaints with plain sqlite3, indexes rebuilt afterwards."""
    indexes = list(t.complaints.indexes)
    with engine.begin() as connection:
        for index in indexes:
            connection.execute(text(f"DROP INDEX {index.name}"))
    engine.dispose()
    columns = [column.name for column in t.complaints.columns]
    insert = (
        f"INSERT INTO complaints ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    )
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous=OFF")
        rows = _rows(count)
        inserted = 0
        while inserted < count:
            batch = [row for _, row in zip(range(BATCH), rows, strict=False)]
            connection.execute("BEGIN")
            connection.executemany(insert, batch)
            connection.execute("COMMIT")
            inserted += len(batch)
    finally:
        connection.close()
    with engine.begin() as sa_connection:
        for index in indexes:
            sa_connection.execute(CreateIndex(index))
    return inserted


# -- measuring ---------------------------------------------------------------------------------


class Report:
    def __init__(self, page: int, page_size: int) -> None:
        self.page, self.page_size = page, page_size
        self.lines: list[tuple[str, float, float]] = []
        self.notes: list[str] = []

    def add(self, layer: str, first: float, nth: float) -> None:
        self.lines.append((layer, first, nth))

    def print(self) -> None:
        print(f"\nOPEN complaints of {TENANT}, newest first, {self.page_size} per page")
        print(f"{'layer':<28}{'page 1':>12}{f'page {self.page:,}':>14}{'ratio':>8}")
        for layer, first, nth in self.lines:
            print(f"{layer:<28}{first * 1000:>10.2f} ms{nth * 1000:>11.2f} ms{nth / first:>8.2f}")
        for note in self.notes:
            print(note)


def _median(call: Callable[[], object], repeat: int) -> float:
    call()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _compare(
    first: Callable[[], object], nth: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Medians of both calls, alternated so that drift on a noisy machine hits both alike."""
    first(), nth()
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for call, bucket in ((first, timings[0]), (nth, timings[1])):
            started = time.perf_counter()
            call()
            bucket.append(time.perf_counter() - started)
    return statistics.median(timings[0]), statistics.median(timings[1])


def _filters() -> ListFilters:
    return ListFilters(statuses=("OPEN",))


def _cursor(engine: Engine, page: int, page_size: int) -> tuple[str, str]:
    """The sort key of the last row before ``page`` (found once, with OFFSET)."""
    statement = text(
        "SELECT created_at, id FROM complaints WHERE tenant_id = :tenant AND status = 'OPEN' "
        "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET :skip"
    )
    with engine.connect() as connection:
        row = connection.execute(
            statement, {"tenant": TENANT, "skip": (page - 1) * page_size - 1}
        ).one()
    created = datetime.fromisoformat(str(row[0])).replace(tzinfo=UTC)
    return created.isoformat(), str(row[1])


def _token(key: tuple[str, str], page_size: int) -> str:
    fingerprint = {**_filters().fingerprint_fields(), "referred_to_me": False}
    first = page_for(page_size, "", list_name="complaints", filters=fingerprint, key_length=2)
    return first.next_token(key)


def measure(engine: Engine, options: argparse.Namespace, report: Report) -> None:
    key = _cursor(engine, options.page, options.page_size)
    token = _token(key, options.page_size)
    sessions = session_factory(engine)
    today = date(2026, 11, 27)
    scope, filters = Scope(tenant_id=TENANT), _filters()

    def query(page_token: str) -> Callable[[], object]:
        fingerprint = {**filters.fingerprint_fields(), "referred_to_me": False}
        page = page_for(
            options.page_size, page_token, list_name="complaints", filters=fingerprint, key_length=2
        )

        def run() -> object:
            with sessions.begin() as session:
                listed = queries.list_complaints(session, scope, filters, page, today)
                assert len(listed.rows) == options.page_size
                return listed

        return run

    report.add("query layer", *_compare(query(""), query(token), options.repeat))
    deps = Deps(
        sessions=sessions,
        codec=ProtobufEventCodec(),
        clock=SystemClock(),
        calendar=OperatingCalendar(),
        policy=UploadPolicy(),
        signer=GrantSigner(b"b" * 32),
        grant_ttl=timedelta(minutes=5),
    )

    def handler(page_token: str) -> Callable[[], object]:
        return lambda: handlers.list_complaints(
            deps,
            ACTOR,
            filters,
            referred_to_me=False,
            page_size=options.page_size,
            page_token=page_token,
        )

    report.add("handler layer", *_compare(handler(""), handler(token), options.repeat))
    _explain(engine, key, options, report)


def _explain(
    engine: Engine, key: tuple[str, str], options: argparse.Namespace, report: Report
) -> None:
    keyset = (
        "SELECT id FROM complaints WHERE tenant_id = :tenant AND status = 'OPEN' "
        "AND created_at <= :created AND (created_at < :created OR id < :id) "
        "ORDER BY created_at DESC, id DESC LIMIT :size"
    )
    offset = (
        "SELECT id FROM complaints WHERE tenant_id = :tenant AND status = 'OPEN' "
        "ORDER BY created_at DESC, id DESC LIMIT :size OFFSET :skip"
    )
    created = datetime.fromisoformat(key[0]).strftime("%Y-%m-%d %H:%M:%S.%f")
    values = {
        "tenant": TENANT,
        "created": created,
        "id": key[1],
        "size": options.page_size,
        "skip": (options.page - 1) * options.page_size,
    }
    with engine.connect() as connection:
        plan = connection.execute(text("EXPLAIN QUERY PLAN " + keyset), values).all()
        report.notes.append("query plan (keyset): " + "; ".join(str(row[-1]) for row in plan))

        def run_offset() -> object:
            return connection.execute(text(offset), values).all()

        offset_time = _median(run_offset, max(3, options.repeat // 4))
    report.notes.append(
        f"for comparison, OFFSET at page {options.page:,}: {offset_time * 1000:.1f} ms"
    )


async def measure_grpc(
    directory: Path, url: str, options: argparse.Namespace, report: Report
) -> None:
    # The host's broker connection reports its own shutdown as a lost connection.
    logging.getLogger("ses_core.platform.messaging").setLevel(logging.ERROR)
    settings = load_settings(
        data_dir=directory / "host",
        grpc={"port": 0},
        database={"complaints": url},
        maintenance={"enforce": False},
    )
    host = ServiceHost(settings, [plugin])
    await host.start()
    try:
        async with grpc.aio.insecure_channel(host.address) as channel:
            stub = pb_grpc.ComplaintsServiceStub(channel)
            metadata = metadata_for(settings, ACTOR)
            engine = create_database_engine(url)
            try:
                token = _token(_cursor(engine, options.page, options.page_size), options.page_size)
            finally:
                engine.dispose()

            def request(page_token: str) -> pb.ListComplaintsRequest:
                return pb.ListComplaintsRequest(
                    statuses=[pb.COMPLAINT_STATUS_OPEN],
                    page_size=options.page_size,
                    page_token=page_token,
                )

            requests = (request(""), request(token))
            timings: tuple[list[float], list[float]] = ([], [])
            for round_ in range(options.repeat + 1):
                for each, bucket in zip(requests, timings, strict=True):
                    started = time.perf_counter()
                    response = await stub.ListComplaints(each, metadata=metadata)
                    if round_:  # the first round warms up
                        bucket.append(time.perf_counter() - started)
                    assert len(response.complaints) == options.page_size
            report.add(
                "gRPC ListComplaints",
                statistics.median(timings[0]),
                statistics.median(timings[1]),
            )
    finally:
        await host.stop()


if __name__ == "__main__":
    sys.exit(main())
