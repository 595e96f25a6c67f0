"""One job-aid flow through the SDK, step by step, over both replicas of every service.

A flow: the agency records a complaint and an information request and sends it; the SES
Complaints Contact assigns the Company POC; the POC adds a contributor, who drafts,
attaches two small files (every flow: uploaded to the files service and added to the
draft by the SDK's ``attach_files_to_draft``, journaled) and sends the draft to the POC;
the POC submits; the agency sends the response back; the POC edits and resubmits; the
agency closes the complaint. Steps alternate between replica A and replica B (flow ``n``,
step ``s`` uses replica ``(n + s) % 2``).

Each step carries its own idempotency key, so the SDK retries it safely (UNAVAILABLE,
DEADLINE_EXCEEDED). When it still fails, the step is not simply tried again: the history
says whether it was applied (its answer was lost with a killed replica or a database that
restarted under it). Applied, the flow goes on; not applied, the step is tried again, with
a new key when the old one is stuck "in flight" (a claim left by a process that died
holds a key for five minutes). A step failing any other way fails the test.

The file step is its own kind of retry: ``attach_files_to_draft`` journals what it did, so
after a failure it is called again with the same journal and resumes (saved batches are
skipped, an upload under way continues where the files service has its bytes), until it
returns the files it attached.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from topology_world import Company, Person, World

from ses_core.calendar import OperatingCalendar
from ses_core.lifecycle import eastern_today
from ses_sdk import AsyncSesClient, RetryPolicy, SesError, StaticToken, UploadedFile
from ses_sdk.complaints import CloseReason, Complainant, ComplaintDetails

TRANSIENT = frozenset({"UNAVAILABLE", "DEADLINE_EXCEEDED"})
RETRY = RetryPolicy(max_attempts=10, initial_backoff=0.2, max_backoff=2.0)
STEP_PATIENCE = 240.0  # seconds a step may take through every fault
EDITED = "Fee reversed; our waiver policy is linked ({})."  # the draft after the send-back
FILE_BYTES = 3 * 1024  # small: the run stays fast; the invariants do not depend on size


@dataclass
class Ledger:
    """What the clients saw: every successful call, and what the faults cost."""

    successes: list[float] = field(default_factory=list)  # monotonic time of each OK call
    answers_lost: list[str] = field(default_factory=list)  # applied, though the call failed
    retried_with_new_key: list[str] = field(default_factory=list)
    attaches_resumed: list[str] = field(default_factory=list)  # flows whose upload failed once
    attaching: list[int] = field(default_factory=lambda: [0, 0])  # file steps under way, by replica
    completed_flows: int = 0
    started: float = 0.0  # when the first flow started
    journal: Path | None = None  # what happened, line by line, to read on a failure

    def note(self, line: str) -> None:
        if self.journal is not None:
            with self.journal.open("a") as journal:
                journal.write(f"{time.monotonic() - self.started:8.2f} {line}\n")

    def success(self) -> None:
        self.successes.append(time.monotonic())

    def first_success_after(self, moment: float) -> float | None:
        later = [t for t in self.successes if t >= moment]
        return min(later) if later else None


class Clients:
    """One SDK client per person and replica, closed together."""

    def __init__(self, addresses: list[dict[str, str]]) -> None:
        self._addresses = addresses
        self._clients: dict[tuple[str, int], AsyncSesClient] = {}

    def of(self, person: Person, replica: int) -> AsyncSesClient:
        key = (person.user_id, replica)
        if key not in self._clients:
            self._clients[key] = AsyncSesClient(
                addresses=self._addresses[replica],
                insecure=True,
                token=StaticToken(person.token),
                retry=RETRY,
                timeout=15.0,
            )
        return self._clients[key]

    async def close(self) -> None:
        for client in self._clients.values():
            await client.close()


@dataclass
class FlowRecord:
    """What one flow made, for the checks at the end."""

    number: int
    company: Company
    token: str
    complaint_id: str = ""
    reference_number: str = ""
    information_request_id: str = ""
    steps_ok: list[str] = field(default_factory=list)
    files: list[UploadedFile] = field(default_factory=list)  # attached, as the SDK said
    local_sha256: dict[str, str] = field(default_factory=dict)  # by name, what was sent


def _business_days_ahead(days: int) -> date:
    return OperatingCalendar().add_business_days(eastern_today(datetime.now(UTC)), days)


class Flow:
    def __init__(
        self, number: int, world: World, clients: Clients, ledger: Ledger, workdir: Path
    ) -> None:
        company = world.companies[number % len(world.companies)]
        self.record = FlowRecord(number, company, f"Flow{number:04d}{uuid.uuid4().hex[:8]}")
        self.workdir = workdir / f"flow-{number:04d}"
        self.manager = world.manager
        self.clients = clients
        self.ledger = ledger
        self._step = 0

    async def run(self) -> FlowRecord:
        r, company, manager = self.record, self.record.company, self.manager
        today = eastern_today(datetime.now(UTC))
        details = ComplaintDetails(
            complainant=Complainant(given_name="Jane", family_name=r.token),
            received_date=today,
            products=("Mortgage servicing",),
            description="A late fee was charged although the payment was on time.",
        )
        created = await self._do(
            "create_complaint",
            manager,
            lambda c, key: c.complaints.create_complaint(
                company_id=company.company_id, details=details, idempotency_key=key
            ),
            applied=self._created_complaint,
        )
        if not r.complaint_id:  # else the history found it, its answer lost
            r.complaint_id = created.complaint.complaint_id
        cid = r.complaint_id
        await self._do(
            "add_information_request",
            manager,
            lambda c, key: c.complaints.add_information_request(
                complaint_id=cid,
                request_text="Send the payment history.",
                due_date=_business_days_ahead(10),
                idempotency_key=key,
            ),
            action="information_request_added",
        )
        complaint = await self._read(manager)
        (ir,) = complaint.information_requests
        r.information_request_id = ir.information_request_id
        r.reference_number = complaint.reference_number
        ir_id = r.information_request_id
        steps: list[tuple[str, Person, Callable[[AsyncSesClient, str], Awaitable[Any]], str, int]]
        steps = [
            (
                "send_information_requests",
                manager,
                lambda c, key: c.complaints.send_information_requests(
                    complaint_id=cid, idempotency_key=key
                ),
                "information_request_sent",
                1,
            ),
            (
                "assign_company_poc",
                company.contact,
                lambda c, key: c.complaints.assign_company_poc(
                    complaint_id=cid, user_id=company.poc.user_id, idempotency_key=key
                ),
                "company_poc_assigned",
                1,
            ),
            (
                "add_contributor",
                company.poc,
                lambda c, key: c.complaints.add_contributor(
                    complaint_id=cid, user_id=company.helper.user_id, idempotency_key=key
                ),
                "contributor_added",
                1,
            ),
            (
                "save_response_draft",
                company.helper,
                lambda c, key: c.complaints.save_response_draft(
                    complaint_id=cid,
                    information_request_id=ir_id,
                    text=f"The fee was reversed ({r.token}).",
                    idempotency_key=key,
                ),
                "response_drafted",
                1,
            ),
            (
                "send_draft_to_poc",
                company.helper,
                lambda c, key: c.complaints.send_draft_to_poc(
                    complaint_id=cid, information_request_id=ir_id, idempotency_key=key
                ),
                "draft_sent_to_poc",
                1,
            ),
            (
                "submit_response",
                company.poc,
                lambda c, key: c.complaints.submit_response(
                    complaint_id=cid, information_request_id=ir_id, idempotency_key=key
                ),
                "response_submitted",
                1,
            ),
            (
                "send_back_response",
                manager,
                lambda c, key: c.complaints.send_back_response(
                    complaint_id=cid,
                    information_request_id=ir_id,
                    reason="Attach the fee waiver policy too.",
                    new_due_date=_business_days_ahead(5),
                    idempotency_key=key,
                ),
                "response_sent_back",
                1,
            ),
            (
                "save_response_draft_again",
                company.poc,
                lambda c, key: c.complaints.save_response_draft(
                    complaint_id=cid,
                    information_request_id=ir_id,
                    text=EDITED.format(r.token),
                    idempotency_key=key,
                ),
                "response_drafted",
                2,
            ),
            (
                "resubmit_response",
                company.poc,
                lambda c, key: c.complaints.submit_response(
                    complaint_id=cid, information_request_id=ir_id, idempotency_key=key
                ),
                "response_submitted",
                2,
            ),
            (
                "close_complaint",
                manager,
                lambda c, key: c.complaints.close_complaint(
                    complaint_id=cid,
                    reason=CloseReason.CLOSED_WITH_EXPLANATION,
                    shared_comments="Thank you.",
                    idempotency_key=key,
                ),
                "complaint_closed",
                1,
            ),
        ]
        for name, actor, call, action, count in steps:
            if name == "send_draft_to_poc":
                await self._attach_files(company.helper)
            viewer = company.poc if action in ("response_drafted", "draft_sent_to_poc") else None
            # The file step saves the draft too, so the history cannot count this save:
            # whether it was applied is whether the draft holds its text.
            applied = self._draft_says(EDITED.format(r.token)) if name.endswith("_again") else None
            await self._do(
                name, actor, call, action=action, count=count, viewer=viewer, applied=applied
            )
        self.ledger.completed_flows += 1
        self.ledger.note(f"flow {r.number} done")
        return r

    # -- one step ---------------------------------------------------------------------------

    async def _do(
        self,
        name: str,
        actor: Person,
        call: Callable[[AsyncSesClient, str], Awaitable[Any]],
        *,
        action: str = "",
        count: int = 1,
        viewer: Person | None = None,
        applied: Callable[[], Awaitable[Any]] | None = None,
    ) -> Any:
        self._step += 1
        client = self.clients.of(actor, (self.record.number + self._step) % 2)
        key = str(uuid.uuid4())
        deadline = time.monotonic() + STEP_PATIENCE
        while True:
            try:
                answer = await call(client, key)
            except SesError as error:
                self.ledger.note(f"flow {self.record.number} {name}: {error!r}")
                if error.code.name not in TRANSIENT or time.monotonic() > deadline:
                    raise AssertionError(
                        f"flow {self.record.number} step {name} failed: {error!r}"
                    ) from error
                check = applied or (lambda: self._applied(action, count, viewer or self.manager))
                found = await check()
                if found:
                    self.ledger.answers_lost.append(f"{self.record.number}:{name}")
                    self.record.steps_ok.append(name)
                    return found if applied else None
                if error.reason == "idempotency_key_in_flight":
                    # Held by a call that died with its process; it was not applied.
                    key = str(uuid.uuid4())
                    self.ledger.retried_with_new_key.append(f"{self.record.number}:{name}")
                await asyncio.sleep(0.5)  # the fault's own pace; the deadline bounds it
                continue
            self.ledger.success()
            self.record.steps_ok.append(name)
            return answer

    async def _attach_files(self, actor: Person) -> None:
        """Two small files onto the draft; resumed from the journal after any failure."""
        r = self.record
        self.workdir.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in ("payment-history.csv", "fee-waiver.csv"):
            line = f"{name},{r.token}\n".encode()
            content = (line * (FILE_BYTES // len(line) + 1))[:FILE_BYTES]
            path = self.workdir / name
            path.write_bytes(content)
            r.local_sha256[name] = hashlib.sha256(content).hexdigest()
            paths.append(path)
        self._step += 1
        replica = (r.number + self._step) % 2
        client = self.clients.of(actor, replica)
        journal = self.workdir / "attach.journal"
        deadline = time.monotonic() + STEP_PATIENCE
        while True:
            self.ledger.attaching[replica] += 1
            try:
                attached = await client.complaints.attach_files_to_draft(
                    complaint_id=r.complaint_id,
                    information_request_id=r.information_request_id,
                    paths=paths,
                    journal=journal,
                )
            except SesError as error:
                self.ledger.note(f"flow {r.number} attach_files: {error!r}")
                if error.code.name not in TRANSIENT or time.monotonic() > deadline:
                    failed = f"flow {r.number} attach_files failed: {error!r}"
                    raise AssertionError(failed) from error
                self.ledger.attaches_resumed.append(str(r.number))
                await asyncio.sleep(0.5)  # the fault's own pace; the deadline bounds it
                continue
            finally:
                self.ledger.attaching[replica] -= 1
            self.ledger.success()
            r.files = list(attached.files)
            r.steps_ok.append("attach_files")
            return

    def _draft_says(self, text: str) -> Callable[[], Awaitable[bool]]:
        async def says() -> bool:
            client = self.clients.of(self.record.company.poc, self.record.number % 2)
            try:
                complaint = (
                    await client.complaints.get_complaint(complaint_id=self.record.complaint_id)
                ).complaint
            except SesError:
                return False  # cannot tell yet: try the step again
            (ir,) = complaint.information_requests
            return ir.draft is not None and ir.draft.text == text

        return says

    async def _read(self, person: Person) -> Any:
        """The complaint as ``person`` sees it. A read is safe to try again, so through a
        fault it is, on the other replica each time, until the step's patience runs out:
        the SDK's own retries end before a SIGKILLed replica on loaded cores is back."""
        replica = self.record.number % 2
        deadline = time.monotonic() + STEP_PATIENCE
        while True:
            client = self.clients.of(person, replica)
            try:
                reply = await client.complaints.get_complaint(complaint_id=self.record.complaint_id)
            except SesError as error:
                self.ledger.note(f"flow {self.record.number} read: {error!r}")
                if error.code.name not in TRANSIENT or time.monotonic() > deadline:
                    raise AssertionError(
                        f"flow {self.record.number} read failed: {error!r}"
                    ) from error
                replica = 1 - replica
                await asyncio.sleep(0.5)  # the fault's own pace; the deadline bounds it
                continue
            return reply.complaint

    async def _applied(self, action: str, count: int, viewer: Person) -> bool:
        client = self.clients.of(viewer, self.record.number % 2)
        try:
            actions = [
                entry.action
                async for entry in client.complaints.iter_history(
                    complaint_id=self.record.complaint_id
                )
            ]
        except SesError:
            return False  # cannot tell yet: try the step again
        return actions.count(action) >= count

    async def _created_complaint(self) -> Any:
        client = self.clients.of(self.manager, self.record.number % 2)
        try:
            async for summary in client.complaints.iter_complaints(
                company_id=self.record.company.company_id
            ):
                if self.record.token in summary.complainant_name:
                    self.record.complaint_id = summary.complaint_id
                    return summary
        except SesError:
            return None
        return None
