"""The production topology under faults: job-aid flows on two replicas of every service.

On loopback: a three-node JetStream cluster (streams at three replicas), one PostgreSQL,
an SMTP server, and two ``ses serve`` processes of each of the four services
(:mod:`topology_deployment`). Clients (the SDK) spread the calls of every flow over both
replicas (:mod:`topology_flows`). While the flows run, one fault at a time, each once a
share of the flows is done: SIGKILL of one NATS node (started again after 10 s); SIGKILL of
one replica of each service, started again at once (the holder of the service's
background lease, so that another process takes the consumers over; for notify the other
replica, because a delivery a killed worker had claimed stays claimed for its five-minute
lease, which would only lengthen the test); a PostgreSQL restart (fast shutdown, start);
the SMTP server stopped for 20 s.

At the end: every flow's complaint is closed with what each step that returned OK wrote,
its two files in the first submitted response; no upload is left half-attached
(:func:`_no_upload_is_left_half_attached` says what that means);
no outbox row is unpublished and the stream holds each event once (the relay turn); no
event was dead-lettered; every durable consumer applied every event of its subjects
exactly once (its claims equal the events); every e-mail delivery arrived exactly once
(Message-IDs), and each flow's e-mails are the expected ones; no due-date reminder was
sent (none was due) and each service's background loops ended in one holder. The
recovery time of each fault and the throughput before, during and after are printed.

Flows start as slots free up (12 at a time); those past a fault's share (and a lead of
24 flows, so that flows are under way when it strikes) wait until it is injected, and the
last flows (past 60 %) wait until every fault is undone, so that each
phase has flows in it: before, during, after. The faults come early (10 % to 40 % of the
flows) so that what they leave behind (events a consumer naked with its 10 s and 60 s
backoff, e-mails notify retries after the SMTP outage) is caught up while the remaining
flows run, instead of being waited for by the checks.

The number of flows is ``SES_TOPOLOGY_FLOWS`` (default 300, the issue's number: about four
minutes on two shared, loaded cores: start-up ~15 s, flows ~140 s, the checks; the run
prints each part). Fault timings are the ones the issue names; everything else polls to a
deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from topology_deployment import SERVICES, Deployment, deployed
from topology_flows import FILE_BYTES, Clients, Flow, FlowRecord, Ledger
from topology_world import World, make_world

from ses_core.identity import Actor
from ses_core.platform.db import create_database_engine, outbox_table, processed_events_table
from ses_core.platform.messaging import connect
from ses_core.testing import eventually
from ses_core.testing.hosting import metadata_for
from ses_core.testing.smtp import SmtpSink
from ses_sdk.complaints import ComplaintStatus

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.topology,
    pytest.mark.timeout(1800),
]

FLOWS = int(os.environ.get("SES_TOPOLOGY_FLOWS", "300"))
CONCURRENCY = 12
COMPANIES = 4
NATS_DOWN_SECONDS = 10.0  # the fault durations
SMTP_DOWN_SECONDS = 20.0


@dataclass
class FaultRecord:
    name: str
    started: float
    ended: float = 0.0  # when the fault was undone (node started, server back)
    recovered_after: dict[str, float] = field(default_factory=dict)


@dataclass
class Run:
    deployment: Deployment
    world: World
    ledger: Ledger
    databases: dict[str, Engine]
    workdir: Path  # the flows' files and upload journals
    faults: list[FaultRecord] = field(default_factory=list)
    gates: list[asyncio.Event] = field(default_factory=list)
    calm_since: float = 0.0


async def test_job_aid_flows_on_two_replicas_of_everything_survive_faults(tmp_path: Path) -> None:
    began = time.monotonic()
    with deployed(tmp_path) as deployment:
        print(f"\nTopology started in {time.monotonic() - began:.1f} s")
        databases = {
            service: create_database_engine(deployment.settings.database.url_for(service))
            for service in SERVICES
        }
        try:
            operator = metadata_for(deployment.settings, Actor.platform_operator("op-topology"))
            world = await make_world(
                deployment.replicas["enrollment"][0].address,
                databases["enrollment"],
                operator,
                companies=COMPANIES,
            )
            await _known_to_complaints(world, databases["complaints"])
            ledger = Ledger(journal=tmp_path / "journal.log")
            run = Run(deployment, world, ledger, databases, tmp_path / "flows")
            records = await _drive(run)
            flows_done = time.monotonic()
            _report(run, records)
            await _check(run, records)
            print(
                f"  flows {flows_done - run.ledger.started:.1f} s, "
                f"checks {time.monotonic() - flows_done:.1f} s"
            )
        finally:
            for engine in databases.values():
                engine.dispose()


async def _known_to_complaints(world: World, complaints_db: Engine) -> None:
    """Wait until the complaints service has heard of every company (enrolled, with its
    contact) and person of the world: it learns them from enrollment's events, and a
    company it has not heard of yet is NOT_FOUND to CreateComplaint, as it is to any
    caller that fast (a loaded clean-clone run once started a flow before that)."""
    companies = {c.company_id: c.contact.user_id for c in world.companies}
    people = {world.manager.user_id} | {
        person.user_id for c in world.companies for person in (c.contact, c.poc, c.helper)
    }

    def known() -> bool:
        with complaints_db.connect() as connection:
            enrolled = dict(
                connection.execute(
                    text(
                        "SELECT company_id, complaints_contact_id FROM directory_companies "
                        "WHERE enrolled_at IS NOT NULL"
                    )
                ).all()
            )
            active = set(
                connection.execute(
                    text("SELECT user_id FROM directory_users WHERE active")
                ).scalars()
            )
        return all(enrolled.get(c) == contact for c, contact in companies.items()) and (
            people <= active
        )

    await eventually(known, timeout=180, message="the complaints directory to know the world")


# -- driving the flows and the faults ------------------------------------------------------------

FAULT_AT = (0.1, 0.2, 0.3, 0.4)  # share of the flows done before each fault
CALM_AT = 0.6  # the flows from here on start once every fault is undone: "after"
FAULT_LEAD = 2 * CONCURRENCY  # flows that may start before a fault past its share


async def _drive(run: Run) -> list[FlowRecord]:
    clients = Clients([run.deployment.addresses(0), run.deployment.addresses(1)])
    run.gates = [asyncio.Event() for _ in (*FAULT_AT, CALM_AT)]
    slots = asyncio.Semaphore(CONCURRENCY)

    async def one(number: int) -> FlowRecord:
        for share, gate in zip((*FAULT_AT, CALM_AT), run.gates, strict=True):
            # A fault comes once a share of the flows is done; the flows that may start
            # before it reach past that share by a lead, so that flows are under way when
            # it strikes (without one, the last of them has just ended). The calm gate
            # has none: every flow past it starts after the faults.
            lead = FAULT_LEAD if gate is not run.gates[-1] else 0
            if number >= share * FLOWS + lead:
                await gate.wait()
        async with slots:
            return await Flow(number, run.world, clients, run.ledger, run.workdir).run()

    run.ledger.started = time.monotonic()
    faults = asyncio.create_task(_inject_faults(run))
    flows = asyncio.ensure_future(asyncio.gather(*(one(number) for number in range(FLOWS))))
    try:
        # A fault that fails (a deadline passed) fails the test at once; flows wait for it.
        await asyncio.wait({faults, flows}, return_when=asyncio.FIRST_EXCEPTION)
        if faults.done() and faults.exception() is not None:
            raise faults.exception()  # type: ignore[misc]
        records = await flows
        await faults  # every fault undone before the checks
    finally:
        for task in (faults, flows):
            task.cancel()
        await asyncio.gather(faults, flows, return_exceptions=True)
        await clients.close()
    return list(records)


async def _inject_faults(run: Run) -> None:
    deployment, ledger = run.deployment, run.ledger
    steps: list[Callable[[Run], asyncio.Future[None] | object]] = [
        _kill_a_nats_node,
        _kill_a_replica_of_each_service,
        _restart_postgres,
        _stop_smtp,
    ]
    for share, fault in zip(FAULT_AT, steps, strict=True):
        await eventually(
            lambda share=share: ledger.completed_flows >= share * FLOWS,
            timeout=600,
            interval=0.1,
            message=f"{share:.0%} of the flows",
        )
        await fault(run)  # type: ignore[misc]
    run.calm_since = max(fault.ended for fault in run.faults)
    run.ledger.note("every fault undone")
    run.gates[-1].set()
    assert deployment  # the deployment outlives the faults


async def _first_success_after(run: Run, record: FaultRecord, label: str) -> None:
    moment = await eventually(
        lambda: run.ledger.first_success_after(record.started),
        timeout=300,
        message=f"a successful call after {record.name}",
    )
    record.recovered_after[label] = moment - record.started


async def _kill_a_nats_node(run: Run) -> None:
    nats = run.deployment.nats
    leader = await asyncio.to_thread(nats.wait_for_meta_leader)
    victim = next(i for i, node in enumerate(nats.nodes) if node.name == leader)
    record = FaultRecord(f"SIGKILL NATS node {leader} (the meta leader), back after 10 s", 0.0)
    record.started = time.monotonic()
    await asyncio.to_thread(nats.kill, victim)
    run.faults.append(record)
    run.ledger.note(record.name)
    run.gates[0].set()
    await asyncio.sleep(NATS_DOWN_SECONDS)
    await asyncio.to_thread(nats.restart, victim)
    record.ended = time.monotonic()
    await asyncio.to_thread(nats.wait_until_streams_current, 120)
    record.recovered_after["streams current"] = time.monotonic() - record.started
    await _first_success_after(run, record, "next successful call")


async def _kill_a_replica_of_each_service(run: Run) -> None:
    deployment = run.deployment
    victims = []
    for service in SERVICES:
        holder = await eventually(
            lambda service=service: deployment.lease_holder(service),
            timeout=60,
            message=f"one holder of {service}'s background lease",
        )
        if service == "notify":  # see the module docstring
            holder = next(r for r in deployment.replicas[service] if r is not holder)
        victims.append(holder)
    # Killed while file steps run on the files victim (if one comes within 30 s), so that
    # uploads are cut: they must end attached whole or not at all.
    files_victim = deployment.replicas["files"].index(victims[SERVICES.index("files")])
    with contextlib.suppress(TimeoutError):
        await eventually(lambda: run.ledger.attaching[files_victim] > 0, timeout=30, interval=0.01)
    cut = run.ledger.attaching[files_victim]
    names = ", ".join(victim.name for victim in victims)
    record = FaultRecord(
        f"SIGKILL {names} ({cut} file steps under way on the files one), started again at once",
        time.monotonic(),
    )
    for victim in victims:
        victim.kill()
    run.faults.append(record)
    run.ledger.note(record.name)
    run.gates[1].set()
    for victim in victims:
        victim.launch()
    await asyncio.gather(*(asyncio.to_thread(victim.wait_serving) for victim in victims))
    record.ended = time.monotonic()
    record.recovered_after["all serving again"] = record.ended - record.started
    for service in SERVICES:
        await eventually(
            lambda service=service: deployment.lease_holder(service),
            timeout=60,
            message=f"a holder of {service}'s background lease after the kill",
        )
    record.recovered_after["every lease held"] = time.monotonic() - record.started
    await _first_success_after(run, record, "next successful call")


async def _restart_postgres(run: Run) -> None:
    record = FaultRecord("PostgreSQL restart (fast shutdown, start)", time.monotonic())
    run.faults.append(record)
    run.ledger.note(record.name)
    run.gates[2].set()
    await asyncio.to_thread(run.deployment.postgres.restart, mode="fast")
    record.ended = time.monotonic()
    started = record.started
    record.started = record.ended  # the next success counts from the server's return
    await _first_success_after(run, record, "next successful call after the start")
    record.started = started


async def _stop_smtp(run: Run) -> None:
    smtp = run.deployment.smtp
    record = FaultRecord("SMTP server stopped for 20 s", time.monotonic())
    await asyncio.to_thread(smtp.stop)
    run.faults.append(record)
    run.ledger.note(record.name)
    run.gates[3].set()
    await asyncio.sleep(SMTP_DOWN_SECONDS)
    before = smtp.count()
    await asyncio.to_thread(smtp.start)
    record.ended = time.monotonic()
    await eventually(
        lambda: smtp.count() > before,
        timeout=120,
        message="an e-mail after the SMTP server came back",
    )
    record.recovered_after["next e-mail after the start"] = time.monotonic() - record.ended


def _report(run: Run, records: list[FlowRecord]) -> None:
    ledger = run.ledger
    started = ledger.started
    first = min(fault.started for fault in run.faults)
    last = run.calm_since
    end = max(ledger.successes)

    def rate(since: float, until: float) -> str:
        calls = sum(1 for moment in ledger.successes if since <= moment < until)
        return f"{calls / max(until - since, 1e-9):.1f} calls/s ({calls} in {until - since:.1f} s)"

    print(f"\nTopology: {len(records)} flows, {len(ledger.successes)} successful calls")
    print(f"  throughput before the faults: {rate(started, first)}")
    print(f"  throughput during the faults: {rate(first, last)}")
    print(f"  throughput after the faults:  {rate(last, end + 1e-6)}")
    for fault in run.faults:
        times = ", ".join(f"{k} {v:.1f} s" for k, v in fault.recovered_after.items())
        print(f"  {fault.name}: {times}")
    print(
        f"  answers lost but applied: {len(ledger.answers_lost)}; "
        f"steps retried with a new key: {len(ledger.retried_with_new_key)}; "
        f"file attachments resumed from their journal: {len(ledger.attaches_resumed)}"
    )


# -- the checks -----------------------------------------------------------------------------------


async def _check(run: Run, records: list[FlowRecord]) -> None:
    assert len(records) == FLOWS
    timings = []
    for check in (
        _every_flow_is_in_the_database,
        _every_event_published_once_and_applied_once,
        _every_email_arrived_once,
        _no_upload_is_left_half_attached,
    ):
        began = time.monotonic()
        await check(run, records)
        timings.append(f"{check.__name__.strip('_')} {time.monotonic() - began:.1f} s")
    print(f"  checks: {'; '.join(timings)}")
    for service in SERVICES:
        assert run.deployment.lease_holder(service) is not None, service


async def _every_flow_is_in_the_database(run: Run, records: list[FlowRecord]) -> None:
    clients = Clients([run.deployment.addresses(0)])
    client = clients.of(run.world.manager, 0)
    readers = asyncio.Semaphore(CONCURRENCY)

    async def check(record: FlowRecord) -> None:
        async with readers:
            assert len(record.steps_ok) == 13, (record.number, record.steps_ok)
            complaint = (
                await client.complaints.get_complaint(complaint_id=record.complaint_id)
            ).complaint
            assert complaint.status == ComplaintStatus.CLOSED, record.number
            assert complaint.reference_number == record.reference_number
            (ir,) = complaint.information_requests
            assert ir.information_request_id == record.information_request_id
            texts = [response.text for response in ir.submitted_responses]
            assert texts == [
                f"The fee was reversed ({record.token}).",
                f"Fee reversed; our waiver policy is linked ({record.token}).",
            ], record.number
            assert len(ir.send_backs) == 1, record.number
            seen = {a.file_id: a.size_bytes for a in ir.submitted_responses[0].attachments}
            assert seen == {f.file_id: f.size_bytes for f in record.files}, record.number
            assert complaint.company_poc.user_id == record.company.poc.user_id
            assert [c.user_id for c in complaint.contributors] == [record.company.helper.user_id]

    try:
        await asyncio.gather(*(check(record) for record in records))
    finally:
        await clients.close()


def _outbox(engine: Engine) -> list[tuple[str, str, bool]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(outbox_table.c.event_id, outbox_table.c.subject, outbox_table.c.published_at)
        ).all()
    return [(event_id, subject, published is not None) for event_id, subject, published in rows]


def _claims(engine: Engine) -> dict[str, set[str]]:
    table = processed_events_table
    with engine.connect() as connection:
        rows = connection.execute(select(table.c.consumer, table.c.event_id)).all()
    claims: dict[str, set[str]] = {}
    for consumer, event_id in rows:
        claims.setdefault(consumer, set()).add(event_id)
    return claims


def _matches(subject: str, pattern: str) -> bool:
    """NATS subject matching: ``*`` one token, ``>`` the rest."""
    tokens, wanted = subject.split("."), pattern.split(".")
    for index, token in enumerate(wanted):
        if token == ">":
            return len(tokens) > index
        if index >= len(tokens) or (token != "*" and token != tokens[index]):
            return False
    return len(tokens) == len(wanted)


async def _every_event_published_once_and_applied_once(run: Run, _: list[FlowRecord]) -> None:
    databases = run.databases

    def all_published() -> bool:
        return all(published for db in databases.values() for *_, published in _outbox(db))

    began = time.monotonic()
    await eventually(all_published, timeout=120, message="every outbox row published")
    published = time.monotonic() - began
    events = {
        event_id: subject
        for engine in databases.values()
        for event_id, subject, _ in _outbox(engine)
    }
    nats = await connect(run.deployment.nats.url, name="topology-check")
    try:
        js = nats.jetstream()
        stream = await js.stream_info("SES_EVENTS")
        assert stream.state.messages == len(events), "an event was published twice or lost"
        dead = await js.stream_info("SES_DEADLETTER")
        assert dead.state.messages == 0, "an event was dead-lettered"
        consumers = await js.consumers_info("SES_EVENTS")
        behind = {
            info.name: (info.num_pending, info.num_ack_pending)
            for info in consumers
            if info.num_pending or info.num_ack_pending
        }
        print(f"  consumers behind when the flows ended (pending, in progress): {behind}")

        async def drained() -> bool:
            infos = await js.consumers_info("SES_EVENTS")
            return all(info.num_pending == 0 and info.num_ack_pending == 0 for info in infos)

        # Generous: the consumers end the flows thousands of events behind (one replica per
        # service handles events), and a parallel test run shares the cores.
        await eventually(drained, timeout=600, message="every consumer to apply every event")
        print(
            f"  outbox published {published:.1f} s after the flows, "
            f"consumers drained {time.monotonic() - began:.1f} s after"
        )
    finally:
        await nats.close()
    claims: dict[str, set[str]] = {}
    for engine in databases.values():
        for consumer, ids in _claims(engine).items():
            assert consumer not in claims, f"{consumer} claims in two databases"
            claims[consumer] = ids
    assert consumers
    for info in consumers:
        config = info.config
        patterns = list(
            config.filter_subjects or ([config.filter_subject] if config.filter_subject else [])
        )
        expected = {
            event_id
            for event_id, subject in events.items()
            if any(_matches(subject, pattern) for pattern in patterns)
        }
        assert claims.get(info.name, set()) == expected, info.name


async def _every_email_arrived_once(run: Run, records: list[FlowRecord]) -> None:
    notify, smtp = run.databases["notify"], run.deployment.smtp

    def email_deliveries() -> list[tuple[str, str, str]]:
        with notify.connect() as connection:
            return [
                (row.delivery_id, row.status, row.topic)
                for row in connection.execute(
                    text(
                        "SELECT delivery_id, status, topic FROM deliveries WHERE channel = 'email'"
                    )
                )
            ]

    def all_delivered() -> bool:
        return all(status == "delivered" for _, status, _ in email_deliveries())

    await eventually(all_delivered, timeout=240, message="every e-mail delivery to be delivered")
    deliveries = email_deliveries()
    wanted = {f"<{delivery_id}@" for delivery_id, _, _ in deliveries}

    headers = _Headers(smtp)

    def arrived() -> Counter[str]:
        return Counter(message_id.split("@")[0] + "@" for message_id, _, _ in headers.read())

    await eventually(
        lambda: set(arrived()) >= wanted,
        timeout=60,
        interval=0.2,
        message="every delivered e-mail in the sink",
    )
    counts = arrived()
    assert set(counts) == wanted, "an e-mail arrived that notify did not record"
    twice = {message_id: n for message_id, n in counts.items() if n > 1}
    assert not twice, f"e-mails that arrived more than once: {twice}"
    assert not [t for _, _, t in deliveries if "reminder" in t], "a reminder was sent"
    _expected_emails_per_flow(run, records, headers)


class _Headers:
    """Message-ID, To and Subject of each e-mail in the sink, each parsed once: header
    access is slow, there are thousands, and the sink only grows."""

    def __init__(self, smtp: SmtpSink) -> None:
        self._smtp = smtp
        self._parsed: list[tuple[str, str, str]] = []

    def read(self) -> list[tuple[str, str, str]]:
        for message in self._smtp.messages[len(self._parsed) :]:
            to = str(message["To"]).strip("<> ").lower()
            self._parsed.append((str(message["Message-ID"]), to, str(message["Subject"])))
        return self._parsed


# The e-mails one flow causes, by recipient (notify's rules; the subjects of the first flow
# are printed): the Complaint Manager hears of both submissions; the SES Complaints Contact
# of the information request and of the closure; the POC of the assignment, the draft sent
# for review, the send-back and the closure; the contributor of being added and of the
# closure.
EXPECTED_EMAILS = {"manager": 2, "contact": 2, "poc": 4, "helper": 2}


def _expected_emails_per_flow(run: Run, records: list[FlowRecord], headers: _Headers) -> None:
    sent = [(to, subject) for _, to, subject in headers.read()]
    for record in records:
        company = record.company
        roles = {
            run.world.manager.email: "manager",
            company.contact.email: "contact",
            company.poc.email: "poc",
            company.helper.email: "helper",
        }
        mine = [(to, subject) for to, subject in sent if record.reference_number in subject]
        received = Counter(roles.get(to, "other") for to, _ in mine)
        if record.number == 0:
            for to, subject in mine:
                print(f"  flow 0 e-mail to the {roles.get(to, 'other')}: {subject}")
        assert dict(received) == EXPECTED_EMAILS, (record.number, dict(received))


async def _no_upload_is_left_half_attached(run: Run, records: list[FlowRecord]) -> None:
    """What "no upload is left half-attached" means here, from the files service's tables
    and its blob store (both replicas share it, as a bucket is shared):

    * every file a flow was told was attached is ``available``, with the size and SHA-256
      of the bytes the flow sent, its blob present with those bytes, and attached to that
      flow's complaint and to no other (one ``file_attachments`` row); GetComplaint showed
      it in the first submitted response (:func:`_every_flow_is_in_the_database`);
    * every attachment is of such a file: nothing attached that no flow got OK for;
    * an upload is either ``completed``, each of its files available with its blob, or
      still open / expired / aborted with none of its files attached (an upload a killed
      replica left behind waits for expiry; it is never half in a complaint);
    * no available file lacks its blob.
    """
    files_db = run.databases["files"]
    blob_dir = run.deployment.settings.files.blob_dir
    assert blob_dir is not None
    with files_db.connect() as connection:
        uploads = dict(connection.execute(text("SELECT id, status FROM uploads")).all())
        rows = {
            row.id: row
            for row in connection.execute(
                text("SELECT id, upload_id, status, size, sha256, blob_id FROM files")
            )
        }
        attachments = connection.execute(
            text("SELECT file_id, complaint_id FROM file_attachments")
        ).all()

    def blob_sha256(blob_id: str) -> str | None:
        path = blob_dir / "objects" / blob_id[:2] / blob_id
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None

    told: dict[str, tuple[FlowRecord, str]] = {}  # file id -> its flow, the sent SHA-256
    for record in records:
        assert len(record.files) == 2, (record.number, record.files)
        for uploaded in record.files:
            assert uploaded.file_id not in told, f"file {uploaded.file_id} in two flows"
            told[uploaded.file_id] = (record, record.local_sha256[uploaded.name])
    attached_to: dict[str, list[str]] = {}
    for file_id, complaint_id in attachments:
        attached_to.setdefault(file_id, []).append(complaint_id)
    assert set(attached_to) == set(told), "attached files differ from the ones flows got OK for"
    for file_id, (record, sent) in told.items():
        row = rows[file_id]
        assert attached_to[file_id] == [record.complaint_id], (record.number, file_id)
        assert (row.status, row.sha256) == ("available", sent), (record.number, file_id)
        uploaded = next(f for f in record.files if f.file_id == file_id)
        assert row.size == uploaded.size_bytes == FILE_BYTES, (record.number, file_id)
        assert blob_sha256(row.blob_id) == sent, f"blob of {file_id} missing or altered"
    for row in rows.values():
        status = uploads[row.upload_id]
        if status == "completed" or row.status == "available":
            assert row.status == "available", (row.upload_id, status, row.id, row.status)
            assert blob_sha256(row.blob_id) == row.sha256, f"available {row.id} without its blob"
        else:
            assert status in ("open", "expired", "aborted"), (row.upload_id, status)
            assert row.id not in attached_to, f"{row.id} of a {status} upload is attached"
    counts = Counter(uploads.values())
    print(f"  uploads: {dict(counts)}; files attached: {len(told)}")
