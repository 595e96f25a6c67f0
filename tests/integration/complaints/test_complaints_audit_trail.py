"""The audit trail through real gRPC: restricted reads, refusals and changes are on file,
with who (roles at the time), from where (request id, client address) and the outcome;
each administrator reads exactly their part; the export checks offline; a redelivered
event is appended once.

One host of the enrollment and complaints services per database (SQLite, PostgreSQL),
shared by the module's tests, each of which makes its own complaint.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import grpc
import jwt
import pytest
import pytest_asyncio
from complaints_audit_support import AuditWorld, Entry, by_request, new_request_id, start_world
from complaints_support import (
    ADMIN,
    AGENCY_ADMIN,
    CONTRIBUTOR,
    MANAGER,
    NJ,
    NY,
    POC,
    VIEWER,
    new_complaint,
    reason_of,
    submitted,
    with_poc,
)
from google.protobuf.timestamp_pb2 import Timestamp

from ses.complaints.v1 import complaints_pb2 as pb
from ses.enrollment.v1 import audit_pb2 as audit_pb
from ses.enrollment.v1 import enrollment_pb2 as enrollment_pb
from ses.enrollment.v1 import enrollment_pb2_grpc as enrollment_grpc
from ses_core.identity import Actor, AgencyRole
from ses_core.models.complaint_events import ComplaintUpdated
from ses_core.platform.db import session_factory, sqlite_url
from ses_core.platform.db.unit_of_work import CONTENT_TYPE_HEADER, TENANT_HEADER
from ses_core.platform.identity import KeyRing
from ses_core.platform.messaging import ProtobufEventCodec
from ses_core.platform.messaging.jetstream import MSG_ID_HEADER
from ses_core.testing import PostgresCluster, eventually, find_postgres_bindir
from ses_core.testing.hosting import state_actor
from ses_enrollment.audit.checkpoints import sign_checkpoints
from ses_enrollment.audit.consumer import AUDIT_CONSUMER
from ses_enrollment.audit.signatures import CheckpointSigner, trusted_keys
from ses_enrollment.audit.verification import verify_log

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

DONE, REFUSED = audit_pb.AUDIT_OUTCOME_DONE, audit_pb.AUDIT_OUTCOME_REFUSED
SKIP_POSTGRES_ENV = "SES_TEST_SKIP_POSTGRES"


@pytest_asyncio.fixture(
    scope="module",
    loop_scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
async def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AuditWorld]:
    tmp = tmp_path_factory.mktemp("audit")
    if request.param == "sqlite":
        urls = {name: sqlite_url(tmp / "db", name) for name in ("complaints", "enrollment")}
        async for started in start_world(tmp, urls):
            yield started
        return
    if os.environ.get(SKIP_POSTGRES_ENV) == "1" and find_postgres_bindir() is None:
        pytest.skip(f"{SKIP_POSTGRES_ENV}=1 is set and PostgreSQL is not installed.")
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    names = {name: f"{name}_{uuid.uuid4().hex[:10]}" for name in ("complaints", "enrollment")}
    urls = {name: cluster.create_database(db) for name, db in names.items()}
    try:
        async for started in start_world(tmp, urls):
            yield started
    finally:
        for db in names.values():
            cluster.drop_database(db)


def _get(complaint_id: str) -> pb.GetComplaintRequest:
    return pb.GetComplaintRequest(complaint_id=complaint_id)


# -- restricted reads ----------------------------------------------------------------------


async def test_a_restricted_response_read_by_the_poc_and_by_the_agency_is_on_file(
    world: AuditWorld,
) -> None:
    complaint, _ = await submitted(world.h, restricted=True)
    cid = complaint.complaint_id
    contributor_read = new_request_id("contributor-read")
    await world.call_as("GetComplaint", _get(cid), CONTRIBUTOR, contributor_read)
    reads = {}
    for reader in (POC, MANAGER):
        reads[reader.user_id] = new_request_id(f"read-{reader.user_id}")
        await world.call_as("GetComplaint", _get(cid), reader, reads[reader.user_id])

    for reader, roles, side, organization in (
        (POC, ["complaints:manage"], "company", POC.company_id),
        (MANAGER, ["complaint_manager"], "agency", NY),
    ):
        [entry] = await world.on_file(
            AGENCY_ADMIN, by_request(reads[reader.user_id]), f"{reader.user_id}'s read"
        )
        assert (entry.action, entry.outcome, entry.resource_kind) == (
            "view_restricted_response",
            DONE,
            "response",
        )
        assert (entry.user_id, list(entry.roles), entry.side, entry.organization_id) == (
            reader.user_id,
            roles,
            side,
            organization,
        )
        assert (entry.chain, entry.complaint_id) == (NY, cid)
        assert entry.source == "/ses.complaints.v1.ComplaintsService/GetComplaint"
        assert entry.client_address.startswith("127.0.0.1:")
    # The contributor was shown no restricted content: nothing of that call is on file
    # (it was made first, and the log keeps the order of each service's events).
    assert not [e for e in await world.entries(AGENCY_ADMIN) if e.request_id == contributor_read]


async def test_restricted_complainant_details_read_by_the_agency_are_on_file(
    world: AuditWorld,
) -> None:
    request = new_complaint(complainant_restricted=True)
    created = await world.h.call("CreateComplaint", request, MANAGER)
    read = new_request_id("complainant")
    await world.call_as("GetComplaint", _get(created.complaint.complaint_id), VIEWER, read)

    [entry] = await world.on_file(AGENCY_ADMIN, by_request(read), "the complainant read")

    assert (entry.action, entry.resource_kind, entry.user_id) == (
        "view_restricted_complainant",
        "complainant",
        VIEWER.user_id,
    )


# -- refusals ------------------------------------------------------------------------------


async def test_a_refused_read_by_a_contributor_is_on_file_as_refused(world: AuditWorld) -> None:
    h = world.h
    complaint, ir_id = await with_poc(h)
    cid = complaint.complaint_id
    file_id = await h.upload(POC, "private.pdf", 2048)
    await h.call(
        "SaveResponseDraft",
        pb.SaveResponseDraftRequest(
            complaint_id=cid, information_request_id=ir_id, text="See the file.",
            add_file_ids=[file_id],
        ),
        POC,
    )  # fmt: skip
    await h.call(
        "SubmitResponse",
        pb.SubmitResponseRequest(complaint_id=cid, information_request_id=ir_id, restricted=True),
        POC,
    )
    grant = pb.IssueFileGrantRequest(complaint_id=cid, file_id=file_id)
    refused_call = new_request_id("contributor-grant")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await world.call_as("IssueFileGrant", grant, CONTRIBUTOR, refused_call)
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND
    granted_call = new_request_id("poc-grant")
    await world.call_as("IssueFileGrant", grant, POC, granted_call)

    [entry] = await world.on_file(AGENCY_ADMIN, by_request(refused_call), "the refused read")
    assert (entry.outcome, entry.reason, entry.action) == (REFUSED, "not_found", "download_file")
    assert (entry.user_id, list(entry.roles), entry.organization_id) == (
        CONTRIBUTOR.user_id,
        ["complaints:manage"],
        CONTRIBUTOR.company_id,
    )
    assert (entry.chain, entry.resource_kind, entry.resource_id, entry.complaint_id) == (
        NY,
        "file",
        file_id,
        cid,
    )
    [read] = await world.on_file(AGENCY_ADMIN, by_request(granted_call), "the POC's grant")
    assert (read.outcome, read.action, read.resource_id) == (DONE, "download_file", file_id)


async def test_a_denied_change_is_on_file_with_the_callers_roles(world: AuditWorld) -> None:
    complaint, _ = await with_poc(world.h)
    denied_call = new_request_id("viewer-close")
    request = pb.AddResearchNoteRequest(complaint_id=complaint.complaint_id, text="A note.")
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await world.call_as("AddResearchNote", request, VIEWER, denied_call)
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED

    [entry] = await world.on_file(AGENCY_ADMIN, by_request(denied_call), "the denied note")

    assert (entry.outcome, entry.reason, entry.action) == (
        REFUSED,
        reason_of(denied.value),
        "add_research_note",
    )
    assert (entry.user_id, list(entry.roles), entry.complaint_id) == (
        VIEWER.user_id,
        ["complaint_viewer"],
        complaint.complaint_id,
    )


async def test_a_deactivated_users_call_is_on_file_as_refused(world: AuditWorld) -> None:
    leaver = Actor.agency_user(f"ny-leaver-{uuid.uuid4().hex[:6]}", NY, AgencyRole.COMPLAINT_VIEWER)
    metadata = world.h.md(leaver)  # states the user active and signs a token
    state_actor(world.h.settings, leaver, active=False)
    request = pb.ListComplaintsRequest()
    call = new_request_id("leaver")

    async def refused() -> bool:
        try:
            await world.h.stub.ListComplaints(request, metadata=(*metadata, ("x-request-id", call)))
        except grpc.aio.AioRpcError as error:
            return error.code() == grpc.StatusCode.UNAUTHENTICATED
        return False

    await eventually(refused, message="the deactivation to apply")
    [entry] = await world.on_file(AGENCY_ADMIN, by_request(call), "the refused call")

    assert (entry.outcome, entry.reason, entry.user_id, entry.chain) == (
        REFUSED,
        "account_deactivated",
        leaver.user_id,
        NY,
    )
    assert list(entry.roles) == []  # no authority was granted to the call


# -- changes -------------------------------------------------------------------------------


async def test_every_change_is_on_file_with_who_and_from_where(world: AuditWorld) -> None:
    complaint, ir_id = await with_poc(world.h)
    cid = complaint.complaint_id
    await world.h.call(
        "SaveResponseDraft",
        pb.SaveResponseDraftRequest(complaint_id=cid, information_request_id=ir_id, text="Ok."),
        POC,
    )
    submit = new_request_id("submit")
    await world.call_as(
        "SubmitResponse",
        pb.SubmitResponseRequest(complaint_id=cid, information_request_id=ir_id),
        POC,
        submit,
    )

    entries = await world.on_file(AGENCY_ADMIN, by_request(submit), "the submission")

    [submitted_entry] = [e for e in entries if e.action == "response_submitted"]
    assert submitted_entry.source == "ses.complaints.v1.response_submitted"
    assert (submitted_entry.user_id, list(submitted_entry.roles)) == (
        POC.user_id,
        ["complaints:manage"],
    )
    assert (submitted_entry.outcome, submitted_entry.complaint_id, submitted_entry.chain) == (
        DONE,
        cid,
        NY,
    )
    assert submitted_entry.client_address.startswith("127.0.0.1:")
    history = await world.entries(AGENCY_ADMIN, resource_id=cid)
    assert {"complaint_created", "information_request_sent", "company_poc_assigned"} <= {
        e.action for e in history
    }


# -- who reads which part ------------------------------------------------------------------


async def test_each_administrator_reads_exactly_their_part(world: AuditWorld) -> None:
    complaint, _ = await submitted(world.h, restricted=True)
    cid = complaint.complaint_id
    poc_read, agency_read = new_request_id("poc"), new_request_id("agency")
    await world.call_as("GetComplaint", _get(cid), POC, poc_read)
    await world.call_as("GetComplaint", _get(cid), MANAGER, agency_read)
    await world.on_file(AGENCY_ADMIN, by_request(agency_read), "the agency's read")

    company_part = await world.entries(ADMIN)
    agency_log = await world.entries(AGENCY_ADMIN)

    assert {e.organization_id for e in company_part} == {ADMIN.company_id}
    assert {poc_read} <= {e.request_id for e in company_part}
    assert agency_read not in {e.request_id for e in company_part}
    assert {poc_read, agency_read} <= {e.request_id for e in agency_log}
    assert {e.chain for e in agency_log} == {NY}
    narrowed = await world.entries(ADMIN, agency_id=NJ)
    assert all(e.chain == NJ for e in narrowed)


@pytest.mark.parametrize(
    ("reader", "agency_id", "code"),
    [
        (VIEWER, "", grpc.StatusCode.PERMISSION_DENIED),
        (MANAGER, "", grpc.StatusCode.PERMISSION_DENIED),
        (POC, "", grpc.StatusCode.PERMISSION_DENIED),
        (AGENCY_ADMIN, NJ, grpc.StatusCode.NOT_FOUND),
    ],
    ids=["agency-viewer", "agency-manager", "company-poc", "another-agency"],
)
async def test_others_may_not_read_the_log(
    world: AuditWorld, reader: Actor, agency_id: str, code: grpc.StatusCode
) -> None:
    request = audit_pb.ListAuditEntriesRequest(agency_id=agency_id)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await world.audit.ListAuditEntries(request, metadata=world.h.md(reader))
    assert refused.value.code() == code
    export = audit_pb.ExportAuditLogRequest(agency_id=agency_id)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        async for _ in world.audit.ExportAuditLog(export, metadata=world.h.md(reader)):
            pass
    assert refused.value.code() == code


# -- the pager and the export --------------------------------------------------------------


async def test_the_pager_pages_through_the_log_and_filters_it(world: AuditWorld) -> None:
    complaint, _ = await submitted(world.h)
    cid = complaint.complaint_id
    everything = await world.entries(AGENCY_ADMIN)
    paged: list[Entry] = []
    token = ""
    while True:
        request = audit_pb.ListAuditEntriesRequest(page_size=7, page_token=token)
        page = await world.audit.ListAuditEntries(request, metadata=world.h.md(AGENCY_ADMIN))
        assert len(page.entries) <= 7
        paged.extend(page.entries)
        token = page.next_page_token
        if not token:
            break

    assert [e.hash for e in paged][: len(everything)] == [e.hash for e in everything]
    by_poc = await world.entries(AGENCY_ADMIN, user_id=POC.user_id)
    assert by_poc
    assert all(e.user_id == POC.user_id for e in by_poc)
    about = await world.entries(AGENCY_ADMIN, resource_id=cid)
    assert about
    assert all(cid in (e.resource_id, e.complaint_id) for e in about)
    later = datetime.now(UTC) + timedelta(days=1)
    assert await world.entries(AGENCY_ADMIN, start_time=_timestamp(later)) == []
    assert await world.entries(AGENCY_ADMIN, end_time=_timestamp(later)) != []
    first = await world.audit.ListAuditEntries(
        audit_pb.ListAuditEntriesRequest(page_size=1), metadata=world.h.md(AGENCY_ADMIN)
    )
    with pytest.raises(grpc.aio.AioRpcError) as mismatch:
        await world.audit.ListAuditEntries(
            audit_pb.ListAuditEntriesRequest(page_token=first.next_page_token, user_id="x"),
            metadata=world.h.md(AGENCY_ADMIN),
        )
    assert (mismatch.value.code(), reason_of(mismatch.value)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "page_token_mismatch",
    )


async def test_a_time_filter_protobuf_cannot_represent_is_the_callers_mistake(
    world: AuditWorld,
) -> None:
    beyond_year_9999 = Timestamp(seconds=253_402_300_800)
    request = audit_pb.ListAuditEntriesRequest(end_time=beyond_year_9999)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await world.audit.ListAuditEntries(request, metadata=world.h.md(AGENCY_ADMIN))
    assert (refused.value.code(), reason_of(refused.value)) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        "timestamp_invalid",
    )


def _timestamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


@dataclass
class Export:
    header: dict[str, object]
    entries: list[dict[str, object]]
    checkpoints: list[dict[str, object]]


async def _export(world: AuditWorld, reader: Actor, agency_id: str = "") -> Export:
    request = audit_pb.ExportAuditLogRequest(agency_id=agency_id)
    document = b"".join(
        [
            response.chunk
            async for response in world.audit.ExportAuditLog(request, metadata=world.h.md(reader))
        ]
    )
    lines = [json.loads(line) for line in document.decode("utf-8").splitlines()]
    assert lines[0]["type"] == "export"
    return Export(
        lines[0],
        [line for line in lines if line["type"] == "entry"],
        [line for line in lines if line["type"] == "checkpoint"],
    )


def _offline_hash(line: dict[str, object]) -> str:
    """What the README tells a receiver to compute: no SES code involved."""
    content = {key: value for key, value in line.items() if key not in ("type", "hash")}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def test_the_agencys_export_verifies_offline_with_the_published_keys(
    world: AuditWorld,
) -> None:
    await submitted(world.h, restricted=True)
    ring = KeyRing.load(world.h.settings.identity.signing_key_path)  # type: ignore[arg-type]
    sessions = session_factory(world.log_engine)
    sign_checkpoints(sessions, CheckpointSigner(ring), world.h.clock, trusted_keys(ring.jwks()))

    export = await _export(world, AGENCY_ADMIN)

    assert export.header["agency_id"] == NY
    previous = "0" * 64
    for number, line in enumerate(export.entries, 1):
        assert (line["chain"], line["sequence"]) == (NY, number)
        assert line["previous_hash"] == previous
        assert _offline_hash(line) == line["hash"]
        previous = str(line["hash"])
    assert export.checkpoints
    jwks = await enrollment_grpc.AuthServiceStub(world.h.channel).GetJwks(
        enrollment_pb.GetJwksRequest()
    )
    keys = {key["kid"]: key for key in json.loads(jwks.jwks_json)["keys"]}
    hashes = {line["sequence"]: line["hash"] for line in export.entries}
    for checkpoint in export.checkpoints:
        key = jwt.PyJWK(keys[jwt.get_unverified_header(str(checkpoint["jws"]))["kid"]])
        claims = jwt.decode(str(checkpoint["jws"]), key, algorithms=["ES256"])
        assert claims == {
            name: checkpoint[name] for name in ("chain", "sequence", "head_hash", "signed_at")
        }
        assert hashes[claims["sequence"]] == claims["head_hash"]


async def test_a_companys_export_is_its_part_each_entry_checking_alone(
    world: AuditWorld,
) -> None:
    await submitted(world.h, restricted=True)

    export = await _export(world, ADMIN)

    assert export.header["company_id"] == ADMIN.company_id
    assert export.entries
    assert not export.checkpoints
    for line in export.entries:
        assert line["organization_id"] == ADMIN.company_id
        assert _offline_hash(line) == line["hash"]


# -- exactly once, and the whole log verifies ----------------------------------------------


async def test_a_redelivered_event_is_appended_once(world: AuditWorld) -> None:
    h = world.h
    assert h.host.nats is not None
    js = h.host.nats.jetstream()
    event = ComplaintUpdated(
        tenant_id=NY, complaint_id=f"c-{uuid.uuid4().hex[:8]}", company_id="SES-X",
        changed_fields=("description",),
    )  # fmt: skip
    codec = ProtobufEventCodec()
    headers = {TENANT_HEADER: NY, CONTENT_TYPE_HEADER: codec.content_type}
    for message_id in (event.event_id, f"relayed-again-{event.event_id}"):
        await js.publish(
            event.subject(), codec.encode(event), headers={**headers, MSG_ID_HEADER: message_id}
        )
    await eventually(
        lambda: world.stored_count(event_id=event.event_id) == 1, message="the event on file"
    )
    filed_before = world.filed_event_ids()
    # A durable consumer created again is handed the whole stream once more.
    await js.delete_consumer("SES_EVENTS", AUDIT_CONSUMER)
    marker = ComplaintUpdated(
        tenant_id=NY, complaint_id="c-marker", company_id="SES-X", changed_fields=("x",)
    )
    await js.publish(
        marker.subject(),
        codec.encode(marker),
        headers={**headers, MSG_ID_HEADER: marker.event_id},
    )
    await eventually(
        lambda: world.stored_count(event_id=marker.event_id) == 1,
        message="the consumer to come back and file the marker",
    )

    assert world.stored_count(event_id=event.event_id) == 1
    # The whole stream came again before the marker; only events new since were appended
    # (other services may still be filing theirs, so the total is not fixed).
    filed_after = world.filed_event_ids()
    assert filed_after[: len(filed_before)] == filed_before
    assert not set(filed_after[len(filed_before) :]) & set(filed_before)


async def test_the_log_the_services_wrote_verifies(world: AuditWorld) -> None:
    await submitted(world.h, restricted=True)
    ring = KeyRing.load(world.h.settings.identity.signing_key_path)  # type: ignore[arg-type]
    with session_factory(world.log_engine).begin() as session:
        result = verify_log(session, trusted_keys(ring.jwks()))
    assert result.entries > 0
    assert [str(finding) for finding in result.findings] == []
