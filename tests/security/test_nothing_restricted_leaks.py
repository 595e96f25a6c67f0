"""Nothing restricted leaks to a company (issue 15), whatever way it could go out.

Marker strings are planted, through the services' RPCs, in every agency-only field
(DESIGN §4: complainant phone and e-mail, desired outcome, close notes, internal
categories; and the agency's working material: alleged violations, research and
communication notes, referral reasons, the cancellation reason, an IR the agency never
sent; every complainant field of a complainant marked restricted), in restricted
responses and drafts (text and file name), and in a company-internal comment (which must
not reach the agency). Quick-look marks are a flag: the company view must never carry one.

Then every company-side output is searched:

- the answer (or the error message) of every RPC of the contract, called by every
  company role about the planted complaints (history, notices and IR lists included);
- every e-mail written to the mail directory for a company address;
- every webhook POST to the company's endpoint (a real local HTTP receiver;
  ``webhook_allow_private_targets``);
- in-app notices and history entries (ListNotifications and ListHistory are RPCs above).

Agency-only markers must reach no company user, the Company POC included; restricted
markers no company user but the POC (contributors and View users included); the
company-internal comment no agency output. A check that the agency reads its markers
and the POC the restricted ones first makes sure the search is not vacuous.
"""

from __future__ import annotations

import http.server
import secrets
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import grpc
import grpc.aio
import pytest
import pytest_asyncio
from expectations import contract_methods
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from made import Made, date_pb
from rpc_requests import REQUESTS, Call
from security_world import World, build_world, fixed_clock, host_plugins

from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as cpb
from ses.enrollment.v1 import enrollment_pb2 as epb
from ses.notify.v1 import notify_pb2 as npb
from ses_core.identity import Side
from ses_core.platform.grpc import is_read_verb
from ses_core.testing import NatsServerProcess, eventually
from ses_core.testing.hosting import host_settings, hosted

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

NONCE = secrets.token_hex(3)


def _marker(name: str) -> str:
    return f"xmark-{name}-{NONCE}"


AGENCY_ONLY = {
    name: _marker(name)
    for name in (
        "desired-outcome",
        "category",
        "close-notes",
        "violation-citation",
        "violation-description",
        "research-note",
        "communication-note",
        "referral-reason",
        "referral-decision",
        "cancel-reason",
        "unsent-ir",
        "complainant-given",
        "complainant-family",
        "complainant-street",
    )
}
AGENCY_ONLY["email"] = f"{_marker('email')}@complainant.example.org"
# A phone number must look like one: twelve random digits are as unlikely to turn up.
AGENCY_ONLY["phone"] = "".join(secrets.choice("0123456789") for _ in range(12))
RESTRICTED = {name: _marker(name) for name in ("restricted-response", "restricted-draft")}
RESTRICTED_FILE = f"{_marker('restricted-file')}.pdf"
RESTRICTED["restricted-file"] = RESTRICTED_FILE
COMPANY_ONLY = {"internal-comment": _marker("internal-comment")}

COMPANY_ROLES = (
    "company_account_admin",
    "company_manage_user",
    "company_view_user",
    "ses_complaints_contact",
    "contributor",
    "unenrolled_company_user",
    "other_company_user",
    "company_poc",  # last: the sweep's changes by others cannot hide a marker from them
)
AGENCY_ROLES = (
    "agency_supervisor",
    "agency_manager",
    "agency_viewer",
    "agency_account_admin",
    "agency_poc",
    "other_agency_user",
)
# RPCs whose success would change who works on the complaint (and so who may read what):
# the sweep calls them naming the people already on it.
DESIGNATIONS = ("ComplaintsService/AssignCompanyPoc", "ComplaintsService/AddContributor")


class HookReceiver:
    """A real HTTP server on 127.0.0.1 that answers 204 and keeps every POST body by path."""

    def __init__(self) -> None:
        bodies: dict[str, list[bytes]] = {}
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    bodies.setdefault(self.path, []).append(body)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._bodies, self._lock = bodies, lock
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def bodies(self, path: str) -> list[bytes]:
        with self._lock:
            return list(self._bodies.get(path, []))

    def __enter__(self) -> HookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@dataclass
class Planted:
    world: World
    hooks: HookReceiver
    complaints: dict[str, Made] = field(default_factory=dict)
    company_addresses: set[str] = field(default_factory=set)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServerProcess]:
    with NatsServerProcess(tmp_path_factory.mktemp("leak-nats")) as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def planted(
    tmp_path_factory: pytest.TempPathFactory, broker: NatsServerProcess
) -> AsyncIterator[Planted]:
    data = Path(tmp_path_factory.mktemp("leak-data"))
    settings = host_settings(
        data, nats_url=broker.url, notify={"webhook_allow_private_targets": True}
    )
    clock = fixed_clock()
    with HookReceiver() as hooks:
        async with hosted(settings, host_plugins(), clock=clock) as host:
            world = await build_world(host, clock)
            try:
                result = Planted(world, hooks)
                await _plant(result)
                yield result
            finally:
                await world.channel.close()
                world.close()


async def _plant(p: Planted) -> None:
    w = p.world
    for role, path in (
        ("company_account_admin", "/acme"),
        ("other_company_user", "/globex"),
        ("agency_account_admin", "/ny"),
    ):
        await w.notify.CreateWebhookEndpoint(
            npb.CreateWebhookEndpointRequest(url=p.hooks.url(path)), **w.md(role)
        )
    intake = "complaints-intake@acme.example.org"
    await w.enrollment.UpdateNotificationAddresses(
        epb.UpdateNotificationAddressesRequest(company_id=w.companies["acme"], addresses=[intake]),
        **w.md("company_account_admin"),
    )
    # The sweep's UpdatePreferences / UpdateNotificationAddresses name intake@acme...
    p.company_addresses = {intake, "intake@acme.example.org"} | {
        w.emails[identity.user_id].lower()
        for identity in w.people.values()
        if identity.side is Side.COMPANY
    }
    p.complaints["worked"] = await _worked_complaint(w)
    p.complaints["canceled"] = await _canceled_complaint(w)
    p.complaints["closed"] = await _closed_complaint(w)
    await w.settle("every notice to be made")
    await _all_delivered(w)


def _details(w: World, *, restricted_complainant: bool) -> cpb.ComplaintDetails:
    """Contact details and desired outcome are agency-only; the name and address only when
    the complainant is restricted (otherwise the company sees them, so no marker)."""
    restricted = (AGENCY_ONLY[f"complainant-{part}"] for part in ("given", "family", "street"))
    given, family, street = (
        tuple(restricted) if restricted_complainant else ("Jane", "Consumer", "1 Main St")
    )
    return cpb.ComplaintDetails(
        complainant=cpb.Complainant(
            given_name=given,
            family_name=family,
            email=AGENCY_ONLY["email"],
            phone=f"+4{AGENCY_ONLY['phone']}",
            address=common.Address(
                address_lines=[street],
                city="Albany",
                state_code="NY",
                postal_code="12207",
            ),
        ),
        received_date=date_pb(w.today()),
        categories=[AGENCY_ONLY["category"]],
        desired_outcome=AGENCY_ONLY["desired-outcome"],
        description="A late fee was charged although the payment was on time.",
        complainant_restricted=restricted_complainant,
    )


async def _new_complaint(w: World, *, restricted_complainant: bool = True) -> str:
    created = await w.complaints.CreateComplaint(
        cpb.CreateComplaintRequest(
            company_id=w.companies["acme"],
            details=_details(w, restricted_complainant=restricted_complainant),
            agency_poc_user_id=w.people["agency_poc"].user_id,
        ),
        **w.md("agency_manager"),
    )
    return str(created.complaint.complaint_id)


async def _add_ir(w: World, cid: str, text: str = "Send the payment history.") -> str:
    added = await w.complaints.AddInformationRequest(
        cpb.AddInformationRequestRequest(
            complaint_id=cid, request_text=text, due_date=date_pb(w.business_days_ahead(10))
        ),
        **w.md("agency_manager"),
    )
    return str(added.information_request.information_request_id)


async def _send(w: World, cid: str, ir_id: str) -> None:
    await w.complaints.SendInformationRequests(
        cpb.SendInformationRequestsRequest(complaint_id=cid, information_request_ids=[ir_id]),
        **w.md("agency_manager"),
    )
    await w.settle("the IR to reach the company")


async def _staff(w: World, cid: str) -> None:
    await w.complaints.AssignCompanyPoc(
        cpb.AssignCompanyPocRequest(complaint_id=cid, user_id=w.people["company_poc"].user_id),
        **w.md("ses_complaints_contact"),
    )
    await w.complaints.AddContributor(
        cpb.AddContributorRequest(complaint_id=cid, user_id=w.people["contributor"].user_id),
        **w.md("company_poc"),
    )


async def _worked_complaint(w: World) -> Made:
    """Agency working material, a referral back and forth, a restricted response (with a
    file) sent back, and a second IR with a restricted draft."""
    c, manager = w.complaints, w.md("agency_manager")
    cid = await _new_complaint(w)
    for kind, text in (
        (cpb.NOTE_KIND_RESEARCH, AGENCY_ONLY["research-note"]),
        (cpb.NOTE_KIND_COMMUNICATION, AGENCY_ONLY["communication-note"]),
    ):
        note = await c.AddResearchNote(
            cpb.AddResearchNoteRequest(complaint_id=cid, kind=kind, text=text), **manager
        )
    await c.AddAllegedViolation(
        cpb.AddAllegedViolationRequest(
            complaint_id=cid,
            citation=AGENCY_ONLY["violation-citation"],
            description=AGENCY_ONLY["violation-description"],
        ),
        **manager,
    )
    await c.ReferComplaint(
        cpb.ReferComplaintRequest(
            complaint_id=cid,
            to_agency_id=w.agencies["nj"],
            reason=AGENCY_ONLY["referral-reason"],
        ),
        **manager,
    )
    await c.DecideReferral(
        cpb.DecideReferralRequest(
            complaint_id=cid,
            decision=cpb.REFERRAL_DECISION_REJECTED,
            reason=AGENCY_ONLY["referral-decision"],
        ),
        **w.md("other_agency_user"),
    )
    first = await _add_ir(w, cid)
    await _add_ir(w, cid, text=AGENCY_ONLY["unsent-ir"])
    await _send(w, cid, first)
    await _staff(w, cid)
    poc = w.md("company_poc")
    attached = await w.uploaded_file("company_poc", name=RESTRICTED_FILE)
    await c.SaveResponseDraft(
        cpb.SaveResponseDraftRequest(
            complaint_id=cid,
            information_request_id=first,
            text=RESTRICTED["restricted-response"],
            internal_comment=COMPANY_ONLY["internal-comment"],
            restricted=True,
            add_attachments=[attached],
        ),
        **poc,
    )
    await c.SubmitResponse(
        cpb.SubmitResponseRequest(complaint_id=cid, information_request_id=first), **poc
    )
    ids = {"complaint_id": cid, "information_request_id": first}
    await c.MarkQuickLook(cpb.MarkQuickLookRequest(**ids, marked=True), **manager)
    await c.SendBackResponse(
        cpb.SendBackResponseRequest(
            **ids,
            reason="Add the 2024 statements.",
            new_due_date=date_pb(w.business_days_ahead(15)),
        ),
        **manager,
    )
    await c.PostInteraction(
        cpb.PostInteractionRequest(complaint_id=cid, text="Please see the send-back."), **manager
    )
    second = await _add_ir(w, cid, text="And the escrow analysis.")
    await _send(w, cid, second)
    await c.SaveResponseDraft(
        cpb.SaveResponseDraftRequest(
            complaint_id=cid,
            information_request_id=second,
            text=RESTRICTED["restricted-draft"],
            internal_comment=COMPANY_ONLY["internal-comment"],
            restricted=True,
        ),
        **poc,
    )
    return Made(
        complaint_id=cid,
        ir_id=first,
        note_id=note.note.note_id,
        file_id=attached.file_id,
        company_id=w.companies["acme"],
    )


async def _canceled_complaint(w: World) -> Made:
    cid = await _new_complaint(w)
    ir_id = await _add_ir(w, cid)
    await _send(w, cid, ir_id)
    await w.complaints.CancelComplaint(
        cpb.CancelComplaintRequest(complaint_id=cid, reason=AGENCY_ONLY["cancel-reason"]),
        **w.md("agency_manager"),
    )
    return Made(complaint_id=cid, ir_id=ir_id, company_id=w.companies["acme"])


async def _closed_complaint(w: World) -> Made:
    """An unrestricted response with a company-internal comment, marked reviewed (quick
    look); closed with notes."""
    c = w.complaints
    cid = await _new_complaint(w, restricted_complainant=False)
    ir_id = await _add_ir(w, cid)
    await _send(w, cid, ir_id)
    await _staff(w, cid)
    await c.SaveResponseDraft(
        cpb.SaveResponseDraftRequest(
            complaint_id=cid,
            information_request_id=ir_id,
            text="Refunded on 2 May.",
            internal_comment=COMPANY_ONLY["internal-comment"],
        ),
        **w.md("contributor"),
    )
    await c.SubmitResponse(
        cpb.SubmitResponseRequest(complaint_id=cid, information_request_id=ir_id),
        **w.md("company_poc"),
    )
    await c.MarkQuickLook(
        cpb.MarkQuickLookRequest(complaint_id=cid, information_request_id=ir_id, marked=True),
        **w.md("agency_manager"),
    )
    await c.CloseComplaint(
        cpb.CloseComplaintRequest(
            complaint_id=cid,
            reason=cpb.CLOSE_REASON_CLOSED_WITH_EXPLANATION,
            shared_comments="Thank you for the refund.",
            notes=AGENCY_ONLY["close-notes"],
        ),
        **w.md("agency_manager"),
    )
    return Made(complaint_id=cid, ir_id=ir_id, company_id=w.companies["acme"])


async def _all_delivered(w: World) -> None:
    """Wait until no delivery is pending or retrying (the delivery log, as the operator)."""
    waiting = {npb.DELIVERY_STATUS_PENDING, npb.DELIVERY_STATUS_RETRYING}

    async def done() -> bool:
        token = ""
        while True:
            page = await w.notify.ListDeliveries(
                npb.ListDeliveriesRequest(page_size=100, page_token=token),
                **w.md("platform_operator"),
            )
            if any(d.status in waiting for d in page.deliveries):
                return False
            token = page.next_page_token
            if not token:
                return True

    await eventually(done, timeout=60, message="every notice to be delivered")


# -- searching -------------------------------------------------------------------------


def _found(haystack: bytes | str, markers: dict[str, str]) -> list[str]:
    text = haystack.decode("utf-8", "replace") if isinstance(haystack, bytes) else haystack
    text = text.lower()
    return sorted(name for name, marker in markers.items() if marker.lower() in text)


def _forbidden_for(role: str) -> dict[str, str]:
    if role == "company_poc":
        return AGENCY_ONLY
    return {**AGENCY_ONLY, **RESTRICTED}


async def _answer(w: World, rpc: str, call: Call) -> bytes:
    """What ``rpc`` tells the caller: the response bytes, or the error message."""
    method = METHODS[rpc]
    request = await _request(rpc, call)
    path = f"/{method.containing_service.full_name}/{method.name}"
    response_type: type[Message] = GetMessageClass(method.output_type)
    metadata = w.metadata(call.role, call.made)
    serialize = _serialize
    try:
        if method.client_streaming:
            one = await w.channel.stream_unary(path, serialize, response_type.FromString)(
                iter([request]), metadata=metadata, timeout=60
            )
            return bytes(one.SerializeToString())
        if method.server_streaming:
            parts = []
            stream = w.channel.unary_stream(path, serialize, response_type.FromString)
            async for part in stream(request, metadata=metadata, timeout=60):
                parts.append(part.SerializeToString())
            return b"".join(parts)
        single = await w.channel.unary_unary(path, serialize, response_type.FromString)(
            request, metadata=metadata, timeout=60
        )
        return bytes(single.SerializeToString())
    except grpc.aio.AioRpcError as error:
        return str(error.details()).encode()


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()


async def _request(rpc: str, call: Call) -> Message:
    if rpc == "ComplaintsService/AssignCompanyPoc":
        return cpb.AssignCompanyPocRequest(
            complaint_id=call.cid, user_id=call.person("company_poc")
        )
    if rpc == "ComplaintsService/AddContributor":
        return cpb.AddContributorRequest(complaint_id=call.cid, user_id=call.person("contributor"))
    return await REQUESTS[rpc](call)


METHODS = contract_methods()
READS = sorted(rpc for rpc, method in METHODS.items() if is_read_verb(method.name))
WRITES = sorted(rpc for rpc, method in METHODS.items() if not is_read_verb(method.name))


async def test_the_markers_are_there_for_those_who_may_read_them(planted: Planted) -> None:
    """The agency reads its markers and the company-internal one is the company's: the
    searches below look for strings that are really in the system."""
    w = planted.world
    for name, made in planted.complaints.items():
        get = cpb.GetComplaintRequest(complaint_id=made.complaint_id)
        agency = (await w.complaints.GetComplaint(get, **w.md("agency_manager"))).complaint
        poc = (await w.complaints.GetComplaint(get, **w.md("company_poc"))).complaint
        agency_text, poc_text = agency.SerializeToString(), poc.SerializeToString()
        assert _found(agency_text, {"desired-outcome": AGENCY_ONLY["desired-outcome"]}), name
        if name == "worked":
            assert _found(agency_text, RESTRICTED) == ["restricted-file", "restricted-response"]
            assert _found(poc_text, RESTRICTED) == sorted(RESTRICTED)
            assert _found(poc_text, COMPANY_ONLY) == ["internal-comment"]


async def test_quick_look_marks_stay_with_the_agency(planted: Planted) -> None:
    w = planted.world
    get = cpb.GetComplaintRequest(complaint_id=planted.complaints["closed"].complaint_id)
    agency = (await w.complaints.GetComplaint(get, **w.md("agency_manager"))).complaint
    assert [ir.quick_look_marked for ir in agency.information_requests] == [True]
    acme_readers = set(COMPANY_ROLES) - {"unenrolled_company_user", "other_company_user"}
    for role in sorted(acme_readers):
        company = (await w.complaints.GetComplaint(get, **w.md(role))).complaint
        assert company.information_requests, role
        assert not any(ir.quick_look_marked for ir in company.information_requests), role


@pytest.mark.parametrize("rpc", READS + WRITES)
async def test_no_rpc_answers_a_company_user_with_what_it_must_not_see(
    planted: Planted, rpc: str
) -> None:
    w = planted.world
    leaks = []
    for name, made in planted.complaints.items():
        for role in COMPANY_ROLES:
            answer = await _answer(w, rpc, Call(w, made, role))
            found = _found(answer, _forbidden_for(role))
            if found:
                leaks.append(f"{rpc} to {role} about the {name} complaint: {found}")
        for role in AGENCY_ROLES if rpc in READS else ():
            answer = await _answer(w, rpc, Call(w, made, role))
            if _found(answer, COMPANY_ONLY):
                leaks.append(f"{rpc} to {role} about the {name} complaint: internal comment")
    assert not leaks, "\n".join(leaks)


async def test_no_company_notice_carries_what_the_company_must_not_see(
    planted: Planted,
) -> None:
    """In-app notices of every company user, each e-mail to a company address and each
    webhook POST to a company endpoint."""
    w = planted.world
    await _all_delivered(w)
    leaks = []
    company_mail = 0
    for message in _mails(w):
        recipients = _recipients(message)
        body = _text_of(message)
        if recipients & planted.company_addresses:
            company_mail += 1
            found = _found(body, {**AGENCY_ONLY, **RESTRICTED})
            if found:
                leaks.append(f"e-mail {message['Subject']!r} to {sorted(recipients)}: {found}")
        elif _found(body, COMPANY_ONLY):
            leaks.append(f"e-mail {message['Subject']!r} to {sorted(recipients)}: internal")
    for path in ("/acme", "/globex"):
        for body_bytes in planted.hooks.bodies(path):
            found = _found(body_bytes, {**AGENCY_ONLY, **RESTRICTED})
            if found:
                leaks.append(f"webhook POST to {path}: {found}")
    for body_bytes in planted.hooks.bodies("/ny"):
        if _found(body_bytes, COMPANY_ONLY):
            leaks.append("webhook POST to the agency: internal comment")
    assert not leaks, "\n".join(leaks)
    # Not vacuous: the company was told things, by every channel.
    assert company_mail > 0
    assert planted.hooks.bodies("/acme")
    notices = await w.notify.ListNotifications(
        npb.ListNotificationsRequest(), **w.md("ses_complaints_contact")
    )
    assert notices.notifications


def _mails(w: World) -> list[EmailMessage]:
    mail_dir = w.settings.notify.mail_dir
    assert mail_dir is not None
    parser = BytesParser(policy=policy.default)
    messages = []
    for path in sorted(Path(mail_dir).rglob("*.eml")):
        parsed = parser.parsebytes(path.read_bytes())
        assert isinstance(parsed, EmailMessage)
        messages.append(parsed)
    return messages


def _recipients(message: EmailMessage) -> set[str]:
    addresses = set()
    for header in ("To", "Cc", "Bcc"):
        value = message.get(header)
        if value is None:
            continue
        for address in value.addresses:
            addresses.add(address.addr_spec.lower())
    return addresses


def _text_of(message: EmailMessage) -> str:
    parts = [str(message["Subject"])]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(str(part.get_content()))
    return "\n".join(parts)
