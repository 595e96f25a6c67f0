"""Submission → e-mail latency of the notify service (issue 6).

    .venv/bin/python -m bench.notify_latency_bench                 # 100 submissions
    .venv/bin/python -m bench notify_latency --submissions 300

One process hosts the complaints and notify services (SQLite, a child ``nats-server``,
an ``aiosmtpd`` SMTP server on a free port — the notify service sends real SMTP).
After seeding an agency, an enrolled company and its users through enrollment events,
it prepares ``--submissions`` complaints (created, IR sent, Company POC assigned, draft
saved) over gRPC, then submits their responses one at a time and measures, for each,
the time from the start of the ``SubmitResponse`` call (and, separately, from its
return) to the SMTP server accepting the Agency POC's "Response submitted" e-mail.
That path is: complaints outbox → relay → JetStream → notify's durable consumer
(projection + delivery rows in one transaction) → the e-mail worker (woken on commit)
→ SMTP.

As a baseline it measures, in the same run and on the same broker, a bare NATS
publish → subscribe round trip (core NATS, one connection). Prints p50, p90, p99 and
max of both, and their ratio. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc.aio
from aiosmtpd.controller import Controller

from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as pb
from ses.complaints.v1 import complaints_pb2_grpc as pb_grpc
from ses_complaints.bootstrap import plugin as complaints_plugin
from ses_core.accounts import (
    AgencyCreated,
    CompanyContactAssigned,
    CompanyContactType,
    CompanyKind,
    CompanyRegistered,
    CompanySource,
    UserCreated,
)
from ses_core.calendar import OperatingCalendar
from ses_core.events import DomainEvent
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.models.enrollment_events import EnrollmentCompleted, EnrollmentInitiated
from ses_core.platform.messaging import NatsServerProcess, connect
from ses_core.testing import free_port, publish_events
from ses_core.testing.hosting import host_settings, hosted, metadata_for
from ses_notify.bootstrap import NotifyPlugin

AGENCY, COMPANY = "agency-bench", "SES-BENCH"
MANAGER = Actor.agency_user("bench-manager", AGENCY, AgencyRole.COMPLAINT_MANAGER)
SUPERVISOR = Actor.agency_user("bench-supervisor", AGENCY, AgencyRole.COMPLAINT_SUPERVISOR)
CONTACT = Actor.company_user(
    "bench-contact",
    COMPANY,
    ComplaintsPermission.MANAGE,
    account_admin=True,
    complaints_contact=True,
)
POC = Actor.company_user("bench-poc", COMPANY, ComplaintsPermission.MANAGE)
MANAGER_EMAIL = f"{MANAGER.user_id}@agency.example.gov"


# -- an SMTP server that notes when each message was accepted ---------------------------------


class Stopwatch:
    """aiosmtpd handler: the perf_counter instant each subject was accepted."""

    def __init__(self) -> None:
        self.accepted: dict[tuple[str, str], float] = {}
        self.arrived = threading.Condition()

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        at = time.perf_counter()
        subject = ""
        for line in envelope.content.split(b"\r\n"):
            if not line:
                break
            if line.lower().startswith(b"subject:"):
                subject = line[8:].decode().strip()
        with self.arrived:
            for recipient in envelope.rcpt_tos:
                self.accepted[(recipient.lower(), subject)] = at
            self.arrived.notify_all()
        return "250 Message accepted"

    def wait_for(self, recipient: str, subject: str, timeout: float = 60.0) -> float:
        key = (recipient.lower(), subject)
        with self.arrived:
            if not self.arrived.wait_for(lambda: key in self.accepted, timeout):
                raise TimeoutError(f"No e-mail {subject!r} to {recipient} within {timeout:.0f}s.")
            return self.accepted[key]


# -- seeding -------------------------------------------------------------------------------------


def directory_events() -> list[DomainEvent]:
    def user(actor: Actor, **fields: Any) -> UserCreated:
        domain = "agency.example.gov" if actor.tenant_id else "acme.example.com"
        return UserCreated(
            tenant_id=AGENCY,
            user_id=actor.user_id,
            email=f"{actor.user_id}@{domain}",
            given_name="Bench",
            family_name=actor.user_id,
            **fields,
        )

    return [
        AgencyCreated(
            tenant_id=AGENCY, agency_id=AGENCY, code="BX", name="Bench Agency", state_code="NY"
        ),
        user(MANAGER, agency_id=AGENCY, agency_roles=[AgencyRole.COMPLAINT_MANAGER]),
        user(SUPERVISOR, agency_id=AGENCY, agency_roles=[AgencyRole.COMPLAINT_SUPERVISOR]),
        CompanyRegistered(
            company_id=COMPANY,
            legal_name="Bench Lending LLC",
            nmls_id="9001",
            kind=CompanyKind.NMLS_REGISTERED,
            source=CompanySource.IMPORT,
        ),
        EnrollmentInitiated(
            tenant_id=AGENCY,
            company_id=COMPANY,
            actor_id=MANAGER.user_id,
            invited_user_id=CONTACT.user_id,
            expires_at=datetime.now(UTC) + timedelta(days=7),
        ),
        user(
            CONTACT,
            company_id=COMPANY,
            complaints_permission=ComplaintsPermission.MANAGE,
            account_administrator=True,
        ),
        user(POC, company_id=COMPANY, complaints_permission=ComplaintsPermission.MANAGE),
        CompanyContactAssigned(
            tenant_id=AGENCY,
            company_id=COMPANY,
            user_id=CONTACT.user_id,
            contact_type=CompanyContactType.SES_COMPLAINTS_CONTACT,
        ),
        EnrollmentCompleted(
            tenant_id=AGENCY,
            company_id=COMPANY,
            actor_id=CONTACT.user_id,
            user_id=CONTACT.user_id,
            complaints_contact_id=CONTACT.user_id,
        ),
    ]


async def publish(nats_url: str, events: Sequence[DomainEvent]) -> None:
    client = await connect(nats_url, name="notify-bench-seed")
    try:
        await publish_events(client.jetstream(), events)
    finally:
        await client.drain()


def _date(day: date) -> common.Date:
    return common.Date(year=day.year, month=day.month, day=day.day)


class Complaints:
    def __init__(self, channel: grpc.aio.Channel, settings: Any) -> None:
        self.stub = pb_grpc.ComplaintsServiceStub(channel)
        self.settings = settings
        self.references: dict[str, str] = {}  # complaint id → reference number (e-mails use it)

    def md(self, actor: Actor) -> tuple[tuple[str, str], ...]:
        return metadata_for(self.settings, actor)

    async def ready_to_submit(self) -> tuple[str, str]:
        """A complaint with one IR sent, the POC assigned and a draft saved."""
        today = datetime.now(UTC).date()
        details = pb.ComplaintDetails(
            complainant=pb.Complainant(given_name="Jane", family_name="Consumer"),
            received_date=_date(today - timedelta(days=2)),
            description="The servicer charged a late fee although the payment was on time.",
        )
        created = await self.stub.CreateComplaint(
            pb.CreateComplaintRequest(company_id=COMPANY, details=details),
            metadata=self.md(MANAGER),
        )
        cid = created.complaint.complaint_id
        self.references[cid] = created.complaint.reference_number
        due = OperatingCalendar().add_business_days(today, 10)
        ir = await self.stub.AddInformationRequest(
            pb.AddInformationRequestRequest(
                complaint_id=cid, request_text="Payment history.", due_date=_date(due)
            ),
            metadata=self.md(MANAGER),
        )
        ir_id = ir.information_request.information_request_id
        await self.stub.SendInformationRequests(
            pb.SendInformationRequestsRequest(complaint_id=cid), metadata=self.md(MANAGER)
        )
        await self.stub.AssignCompanyPoc(
            pb.AssignCompanyPocRequest(complaint_id=cid, user_id=POC.user_id),
            metadata=self.md(CONTACT),
        )
        await self.stub.SaveResponseDraft(
            pb.SaveResponseDraftRequest(
                complaint_id=cid,
                information_request_id=ir_id,
                text="The fee was refunded on March 2.",
            ),
            metadata=self.md(POC),
        )
        return cid, ir_id

    async def submit(self, cid: str, ir_id: str) -> None:
        await self.stub.SubmitResponse(
            pb.SubmitResponseRequest(complaint_id=cid, information_request_id=ir_id),
            metadata=self.md(POC),
        )


# -- the baseline ----------------------------------------------------------------------------


async def nats_round_trips(nats_url: str, rounds: int) -> list[float]:
    client = await connect(nats_url, name="notify-bench-baseline")
    received: asyncio.Queue[float] = asyncio.Queue()

    async def on_message(_message: Any) -> None:
        received.put_nowait(time.perf_counter())

    try:
        await client.subscribe("bench.roundtrip", cb=on_message)
        await client.flush()
        samples = []
        for _ in range(rounds):
            sent = time.perf_counter()
            await client.publish("bench.roundtrip", b"x" * 200)
            samples.append(await received.get() - sent)
        return samples
    finally:
        await client.drain()


# -- reporting -------------------------------------------------------------------------------


def percentile(samples: Sequence[float], p: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(samples: Sequence[float]) -> dict[str, float]:
    return {
        "p50": percentile(samples, 50) * 1000,
        "p90": percentile(samples, 90) * 1000,
        "p99": percentile(samples, 99) * 1000,
        "max": max(samples) * 1000,
        "mean": statistics.fmean(samples) * 1000,
    }


def line(name: str, stats: dict[str, float], count: int) -> str:
    return (
        f"{name:<34} n={count:<5} p50={stats['p50']:8.2f} ms  p90={stats['p90']:8.2f} ms  "
        f"p99={stats['p99']:8.2f} ms  max={stats['max']:8.2f} ms"
    )


# -- main ----------------------------------------------------------------------------------


async def run(submissions: int, warmup: int, rounds: int, workdir: Path) -> None:
    stopwatch = Stopwatch()
    smtp_port = free_port("127.0.0.1")
    smtp = Controller(stopwatch, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    broker = NatsServerProcess(workdir / "nats").start()
    try:
        settings = host_settings(
            workdir / "data",
            nats_url=broker.url,
            notify={"mail_transport": "smtp", "smtp_host": "127.0.0.1", "smtp_port": smtp_port},
        )
        plugins = [complaints_plugin, NotifyPlugin()]
        async with hosted(settings, plugins) as host:
            await publish(broker.url, directory_events())
            await asyncio.to_thread(
                stopwatch.wait_for, MANAGER_EMAIL, "Bench Lending LLC completed enrollment in SES"
            )
            async with grpc.aio.insecure_channel(host.address) as channel:
                complaints = Complaints(channel, settings)
                for attempt in range(100):  # the complaints service applies the directory too
                    try:
                        prepared = [await complaints.ready_to_submit()]
                        break
                    except grpc.aio.AioRpcError:
                        if attempt == 99:
                            raise
                        await asyncio.sleep(0.1)
                print(f"preparing {warmup + submissions} complaints ...", flush=True)
                while len(prepared) < warmup + submissions:
                    prepared.append(await complaints.ready_to_submit())
                latencies: list[float] = []
                from_start: list[float] = []
                for index, (cid, ir_id) in enumerate(prepared):
                    started = time.perf_counter()
                    await complaints.submit(cid, ir_id)
                    returned = time.perf_counter()
                    subject = f"Response submitted for complaint {complaints.references[cid]}"
                    accepted = await asyncio.to_thread(stopwatch.wait_for, MANAGER_EMAIL, subject)
                    if index >= warmup:
                        latencies.append(accepted - returned)
                        from_start.append(accepted - started)
        baseline = await nats_round_trips(broker.url, rounds)
    finally:
        broker.stop()
        smtp.stop()

    mail, bare = summary(latencies), summary(baseline)
    print(line("SubmitResponse called -> SMTP", summary(from_start), len(from_start)))
    print(line("SubmitResponse returned -> SMTP", mail, len(latencies)))
    print(line("bare NATS publish -> subscribe", bare, len(baseline)))
    print(
        f"ratio (p50): {mail['p50'] / bare['p50']:.0f}x   ratio (p99): "
        f"{mail['p99'] / bare['p99']:.0f}x"
    )


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench notify_latency",
        description="Latency from SubmitResponse returning to the agency's e-mail at SMTP.",
    )
    parser.add_argument("--submissions", type=int, default=100, help="measured (default 100)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured first (default 5)")
    parser.add_argument("--nats-rounds", type=int, default=1000, help="baseline round trips")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    # Draining connections at the end is not news.
    logging.getLogger("ses_core.platform.messaging.jetstream").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="ses-notify-bench-") as workdir:
        asyncio.run(run(args.submissions, args.warmup, args.nats_rounds, Path(workdir)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
