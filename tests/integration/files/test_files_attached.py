"""FileAttached: the files service keeps the files a complaint attached, and says so once.

The complaints and files services run in one host (as ``ses up`` runs them) on a real
``nats-server``, each with its own database, and meet only through events: a complaint
attaching a file raises ``FilesAttached`` (complaints context); the files service's durable
consumer records the attachment and raises ``FileAttached`` per file. One host per module
and database; each test uses its own uploads and complaints.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc.aio
import pytest
import pytest_asyncio
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from files_support import ALICE, BOB, CAROL, DAVE, published
from sqlalchemy import Engine

from ses.common.v1 import common_pb2 as common
from ses.complaints.v1 import complaints_pb2 as cpb
from ses.complaints.v1 import complaints_pb2_grpc as cpb_grpc
from ses_complaints.bootstrap import plugin as complaints_plugin
from ses_complaints.consumers import DIRECTORY_CONSUMER
from ses_core.accounts import CompanyKind, CompanyRegistered, CompanySource
from ses_core.events import DomainEvent
from ses_core.identity import Actor
from ses_core.models.complaint_events import FilePlacement, FilesAttached
from ses_core.models.file_events import FileAttached
from ses_core.platform.authority import authority_metadata
from ses_core.platform.db import (
    create_database_engine,
    platform_metadata,
    session_factory,
    sqlite_url,
    was_processed,
)
from ses_core.platform.messaging import EVENTS_STREAM, JetStreamPublisher, ProtobufEventCodec
from ses_core.platform.runtime import ServiceHost
from ses_core.platform.settings import Settings
from ses_core.ports import OutboundMessage
from ses_core.testing import NatsServerProcess, PostgresCluster, eventually
from ses_core.testing.hosting import bearer, host_settings, hosted, metadata_for
from ses_files.bootstrap import FilesPlugin
from ses_files.consumers import ATTACHMENTS_CONSUMER
from ses_files.repositories import complaints_keeping
from ses_files.tables import metadata as files_metadata
from ses_sdk import UploadedFile, upload_files_async
from ses_sdk.common import AttachmentKind

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

AGENCY, COMPANY = "agency-a", "company-7"  # ALICE's agency, DAVE's company
CODEC = ProtobufEventCodec()


@dataclass
class Both:
    """The hosted complaints and files services and the ways a test reaches them."""

    host: ServiceHost
    settings: Settings
    channel: grpc.aio.Channel
    files_db: Engine
    complaints_db: Engine

    async def upload(self, actor: Actor, path: Path, kind: AttachmentKind) -> UploadedFile:
        """Upload one file with the SDK, as an integrator would."""
        await asyncio.to_thread(path.write_bytes, os.urandom(3000))
        token = bearer(self.settings, actor)
        (uploaded,) = await upload_files_async(self.channel, token, [path], kind)
        return uploaded

    async def create_complaint(self, *documents: UploadedFile) -> str:
        """ALICE records a complaint against COMPANY with ``documents`` attached by grant."""
        request = cpb.CreateComplaintRequest(
            company_id=COMPANY,
            details=cpb.ComplaintDetails(
                complainant=cpb.Complainant(given_name="Jane", family_name="Consumer"),
                received_date=common.Date(year=2026, month=1, day=5),
                description="The servicer lost the payment.",
            ),
            attachments=[
                cpb.AttachedFile(
                    file_id=document.file_id,
                    file_name=document.name,
                    size_bytes=document.size_bytes,
                    attach_grant_token=document.attach_grant_token,
                )
                for document in documents
            ],
        )
        stub = cpb_grpc.ComplaintsServiceStub(self.channel)
        response = await stub.CreateComplaint(request, metadata=metadata_for(self.settings, ALICE))
        return response.complaint.complaint_id

    async def publish(self, event: DomainEvent) -> None:
        """Publish ``event`` as its service's outbox relay would."""
        assert self.host.nats is not None
        await JetStreamPublisher(self.host.nats.jetstream()).publish(
            OutboundMessage(
                message_id=event.event_id,
                subject=event.subject(),
                payload=CODEC.encode(event),
                headers={
                    "ses-tenant": event.tenant_id or "platform",
                    "content-type": CODEC.content_type,
                },
            )
        )

    async def applied(self, engine: Engine, consumer: str, event: DomainEvent) -> None:
        sessions = session_factory(engine)

        def done() -> bool:
            with sessions() as session:
                return was_processed(session, consumer, event.event_id)

        await eventually(done, timeout=30, message=f"{consumer} to apply {event.event_id}")

    async def file_attached(self, file_id: str, complaint_id: str) -> list[FileAttached]:
        """The FileAttached events of the file and complaint on JetStream."""
        events = await published(self.host, FileAttached)
        return [e for e in events if (e.file_id, e.complaint_id) == (file_id, complaint_id)]

    async def announced(self, file_id: str, complaint_id: str) -> FileAttached:
        """Wait for the FileAttached of the file and complaint; it must be the only one."""

        async def seen() -> list[FileAttached]:
            return await self.file_attached(file_id, complaint_id)

        (event,) = await eventually(seen, timeout=30, message=f"FileAttached of {file_id}")
        return event


async def _start(tmp: Path, urls: dict[str, str]) -> AsyncIterator[Both]:
    with NatsServerProcess(tmp / "nats") as broker:
        settings = host_settings(tmp / "data", nats_url=broker.url, database_urls=urls)
        files_db = create_database_engine(urls["files"])
        complaints_db = create_database_engine(urls["complaints"])
        async with (
            hosted(settings, [complaints_plugin, FilesPlugin()]) as host,
            grpc.aio.insecure_channel(host.address) as channel,
        ):
            both = Both(host, settings, channel, files_db, complaints_db)
            company = CompanyRegistered(
                company_id=COMPANY,
                legal_name="Acme Mortgage LLC",
                kind=CompanyKind.NMLS_REGISTERED,
                source=CompanySource.IMPORT,
                nmls_id="1001",
            )
            await both.publish(company)
            await both.applied(complaints_db, DIRECTORY_CONSUMER, company)
            try:
                yield both
            finally:
                files_db.dispose()
                complaints_db.dispose()


@pytest_asyncio.fixture(
    scope="module",
    loop_scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
async def both(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Both]:
    tmp = tmp_path_factory.mktemp("attached")
    if request.param == "sqlite":
        urls = {name: sqlite_url(tmp / "db", name) for name in ("files", "complaints")}
        async for started in _start(tmp, urls):
            yield started
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    names = {name: f"{name}_{uuid.uuid4().hex[:12]}" for name in ("files", "complaints")}
    urls = {name: cluster.create_database(db) for name, db in names.items()}
    try:
        async for started in _start(tmp, urls):
            yield started
    finally:
        for db in names.values():
            cluster.drop_database(db)


def _files_attached(
    file_ids: list[str], *, complaint_id: str = "", by: Actor = ALICE
) -> FilesAttached:
    """FilesAttached as the complaints service raises it for AGENCY's complaint."""
    return FilesAttached(
        tenant_id=AGENCY,
        complaint_id=complaint_id or f"complaint-{uuid.uuid4().hex[:8]}",
        company_id=COMPANY,
        actor_id=by.user_id,
        attached_as=FilePlacement.RESPONSE_DRAFT,
        file_ids=tuple(file_ids),
        information_request_id="ir-1",
    )


async def test_a_file_attached_to_a_complaint_is_kept_for_it_and_announced(
    both: Both, tmp_path: Path
) -> None:
    letter = await both.upload(ALICE, tmp_path / "letter.pdf", AttachmentKind.COMPLAINT_DOCUMENT)

    complaint_id = await both.create_complaint(letter)

    event = await both.announced(letter.file_id, complaint_id)
    assert (event.tenant_id, event.actor_id) == (AGENCY, ALICE.user_id)
    assert (event.kind, event.attached_as) == ("complaint_document", "complaint_document")
    assert complaints_keeping(both.files_db, letter.file_id) == [complaint_id]


async def test_a_company_users_file_is_kept_for_the_agencys_complaint(
    both: Both, tmp_path: Path
) -> None:
    """The file is stored under the company; the attachment belongs to the agency."""
    response = await both.upload(DAVE, tmp_path / "response.pdf", AttachmentKind.RESPONSE)
    attached = _files_attached([response.file_id], by=DAVE)

    await both.publish(attached)

    event = await both.announced(response.file_id, attached.complaint_id)
    assert (event.tenant_id, event.actor_id) == (AGENCY, DAVE.user_id)
    assert (event.kind, event.attached_as) == ("response", "response_draft")
    assert complaints_keeping(both.files_db, response.file_id) == [attached.complaint_id]


async def test_a_redelivered_or_repeated_attachment_has_its_effect_once(
    both: Both, tmp_path: Path
) -> None:
    letter = await both.upload(ALICE, tmp_path / "letter.pdf", AttachmentKind.COMPLAINT_DOCUMENT)
    first = await both.create_complaint(letter)
    await both.announced(letter.file_id, first)
    # Another event naming the file again (it was dropped from a draft and attached again).
    again = _files_attached([letter.file_id], complaint_id=first)
    await both.publish(again)
    await both.applied(both.files_db, ATTACHMENTS_CONSUMER, again)

    # An operator resets the consumer: every FilesAttached is delivered again.
    assert both.host.nats is not None
    js = both.host.nats.jetstream()
    await js.delete_consumer(EVENTS_STREAM, ATTACHMENTS_CONSUMER)

    async def replayed() -> bool:
        stream = await js.stream_info(EVENTS_STREAM)
        try:
            consumer = await js.consumer_info(EVENTS_STREAM, ATTACHMENTS_CONSUMER)
        except Exception:
            return False  # not recreated yet
        return (
            consumer.delivered.stream_seq >= stream.state.last_seq
            and consumer.num_pending == 0
            and consumer.num_ack_pending == 0
        )

    await eventually(replayed, timeout=30, message="the replay of every FilesAttached")
    assert len(await both.file_attached(letter.file_id, first)) == 1
    assert complaints_keeping(both.files_db, letter.file_id) == [first]

    # A second complaint may keep the same file: kept for both.
    second = await both.create_complaint(letter)
    await both.announced(letter.file_id, second)
    assert complaints_keeping(both.files_db, letter.file_id) == [first, second]


async def test_files_that_cannot_be_kept_are_skipped_with_a_log_line(
    both: Both, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="ses_files.consumers")
    good = await both.upload(ALICE, tmp_path / "good.pdf", AttachmentKind.RESPONSE)
    foreign = await both.upload(BOB, tmp_path / "foreign.pdf", AttachmentKind.RESPONSE)
    colleagues = await both.upload(CAROL, tmp_path / "carol.pdf", AttachmentKind.RESPONSE)
    unknown = str(uuid.uuid4())
    attached = _files_attached([unknown, foreign.file_id, colleagues.file_id, good.file_id])

    await both.publish(attached)
    await both.applied(both.files_db, ATTACHMENTS_CONSUMER, attached)

    await both.announced(good.file_id, attached.complaint_id)
    for skipped in (unknown, foreign.file_id, colleagues.file_id):
        assert complaints_keeping(both.files_db, skipped) == []
        assert await both.file_attached(skipped, attached.complaint_id) == []
    warnings = {r.getMessage() for r in caplog.records if r.levelno == logging.WARNING}
    assert any(f"file {unknown} " in w and "has no file" in w for w in warnings), warnings
    assert any(f"file {foreign.file_id} " in w and "agency-b" in w for w in warnings), warnings
    assert any(f"file {colleagues.file_id} " in w and "u-carol" in w for w in warnings), warnings


async def test_the_migrated_schema_matches_the_table_definitions(both: Both) -> None:
    with both.files_db.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(
            context, [files_metadata, platform_metadata, authority_metadata]
        )

    assert differences == []
