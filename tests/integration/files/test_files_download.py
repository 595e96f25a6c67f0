"""GetFile and DownloadFile: the uploader sees their file; downloads need a valid grant."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
import pytest_asyncio
from files_support import ALICE, BOB, CAROL, DAVE, MIB, HostHandle, error_reason, rpc_error
from sqlalchemy import select

from ses.files.v1 import events_pb2 as files_events_pb2
from ses.files.v1 import files_pb2
from ses_core.platform.db import outbox_table
from ses_core.platform.grants import FileGrant, FileGrantAction, GrantSigner

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(loop_scope="module")
async def report(files_host: HostHandle) -> tuple[files_pb2.FileInfo, bytes]:
    data = os.urandom(2 * MIB + 321)
    return await files_host.api(ALICE).upload("report.pdf", data), data


async def test_the_uploader_reads_the_metadata_without_a_grant(files_host: HostHandle, report):
    info, data = report

    found = await files_host.api(ALICE).get_file(info.file_id)

    assert (found.name, found.size_bytes, found.uploaded_by_user_id) == (
        "report.pdf",
        len(data),
        "u-alice",
    )
    assert found.state == files_pb2.FILE_STATE_AVAILABLE
    assert found.scan_status == files_pb2.SCAN_STATUS_UNSCANNED
    assert found.attach_grant_token


@pytest.mark.parametrize(
    "stranger", [BOB, CAROL, DAVE], ids=["other-agency", "colleague", "company"]
)
async def test_without_a_grant_anyone_else_gets_not_found(files_host: HostHandle, report, stranger):
    info, _ = report

    error = await rpc_error(files_host.api(stranger).get_file(info.file_id))

    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert info.file_id in error.details()


async def test_a_grant_lets_another_tenant_read_and_download(files_host: HostHandle, report):
    info, data = report
    bob = files_host.api(BOB)
    grant = bob.grant(info.file_id)

    found = await bob.get_file(info.file_id, grant)
    first, downloaded = await bob.download(info.file_id, grant)

    assert found.attach_grant_token == ""  # only the uploader may attach it
    assert first.file_id == info.file_id
    assert first.sha256_hex == info.sha256_hex
    assert downloaded == data


async def test_a_download_resumes_from_an_offset(files_host: HostHandle, report):
    info, data = report
    alice = files_host.api(ALICE)

    _, rest = await alice.download(info.file_id, alice.grant(info.file_id), offset=MIB + 5)
    _, nothing = await alice.download(info.file_id, alice.grant(info.file_id), offset=len(data))

    assert rest == data[MIB + 5 :]
    assert nothing == b""


async def test_an_offset_outside_the_file_is_refused(files_host: HostHandle, report):
    info, data = report
    alice = files_host.api(ALICE)

    error = await rpc_error(
        alice.download(info.file_id, alice.grant(info.file_id), offset=len(data) + 1)
    )

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_downloading_needs_a_grant_even_for_the_uploader(files_host: HostHandle, report):
    info, _ = report

    error = await rpc_error(files_host.api(ALICE).download(info.file_id, ""))

    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(error) == "grant_required"
    assert "open the file from its complaint" in error.details()


def signed(files_host: HostHandle, secret: bytes | None = None, **changes: object) -> str:
    values: dict[str, object] = {
        "file_id": "x",
        "action": FileGrantAction.DOWNLOAD,
        "user_id": "u-bob",
        "tenant_id": "agency-b",
        "expires_at": datetime.now(UTC) + timedelta(minutes=5),
    }
    values.update(changes)
    signer = GrantSigner(secret) if secret else files_host.signer
    return signer.issue(FileGrant(**values))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"expires_at": datetime.now(UTC) - timedelta(seconds=1)}, "grant_expired"),
        ({"user_id": "u-alice"}, "grant_mismatch"),
        ({"file_id": "another-file"}, "grant_mismatch"),
        ({"action": FileGrantAction.ATTACH}, "grant_mismatch"),
        ({"secret": b"f" * 32}, "grant_invalid"),
    ],
    ids=["expired", "other-user", "other-file", "attach-grant", "forged"],
)
async def test_a_grant_that_is_not_for_this_download_is_refused(
    files_host: HostHandle, report, changes: dict[str, object], reason: str
):
    info, _ = report
    bob = files_host.api(BOB)
    changes = {"file_id": info.file_id, **changes}
    token = signed(files_host, changes.pop("secret", None), **changes)  # type: ignore[arg-type]

    download = await rpc_error(bob.download(info.file_id, token))
    metadata = await rpc_error(bob.get_file(info.file_id, token))

    assert download.code() == metadata.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_reason(download) == reason
    assert "open the file from the complaint again" in download.details()


async def test_a_tampered_grant_is_refused(files_host: HostHandle, report):
    info, _ = report
    bob = files_host.api(BOB)
    payload, mac = bob.grant(info.file_id).split(".")

    error = await rpc_error(bob.download(info.file_id, f"{payload}x.{mac}"))

    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert (
        error.details()
        == "This download link is not valid; open the file from the complaint again."
    )


async def test_a_grant_for_a_file_that_does_not_exist_is_not_found(files_host: HostHandle):
    bob = files_host.api(BOB)

    error = await rpc_error(bob.download("no-such-file", bob.grant("no-such-file")))

    assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_an_empty_file_downloads_as_nothing_with_its_metadata(files_host: HostHandle):
    alice = files_host.api(ALICE)
    info = await alice.upload("empty.csv", b"")

    first, data = await alice.download(info.file_id, alice.grant(info.file_id))

    assert data == b""
    assert first.size_bytes == 0
    assert first.name == "empty.csv"


async def test_company_users_upload_into_their_company_scope(files_host: HostHandle):
    dave = files_host.api(DAVE)
    info = await dave.upload("answer.pdf", b"hello")

    grant = files_host.signer.verify(info.attach_grant_token, now=files_host.deps.now())
    error = await rpc_error(files_host.api(ALICE).get_file(info.file_id))

    assert grant.tenant_id == "company-7"
    assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_a_download_of_a_restricted_responses_file_is_filed_for_the_audit_trail(
    files_host: HostHandle, report
) -> None:
    """The complaints service marks grants for files of restricted responses; each download
    with one is filed (an AccessRecorded event in the files outbox) under the grant's
    agency, the caller named; a download with an ordinary grant files nothing."""
    info, _ = report
    bob = files_host.api(BOB)
    restricted = FileGrant(
        file_id=info.file_id,
        action=FileGrantAction.DOWNLOAD,
        user_id=BOB.user_id,
        tenant_id="agency-a",
        expires_at=datetime.now(UTC) + timedelta(minutes=5),
        restricted=True,
    )
    calls = {"restricted": uuid.uuid4().hex, "ordinary": uuid.uuid4().hex}
    for grant, call in (
        (files_host.signer.issue(restricted), calls["restricted"]),
        (bob.grant(info.file_id), calls["ordinary"]),
    ):
        request = files_pb2.DownloadFileRequest(file_id=info.file_id, grant_token=grant)
        metadata = bob.metadata(**{"x-request-id": call})
        assert [m async for m in files_host.stub.DownloadFile(request, metadata=metadata)]

    filed = _access_records(files_host)

    [record] = [r for r in filed if r.request_id == calls["restricted"]]
    assert (record.tenant_id, record.action, record.outcome) == (
        "agency-a",
        "download_file",
        "done",
    )
    assert (record.resource_kind, record.resource_id) == ("file", info.file_id)
    assert (record.actor_id, list(record.roles), record.organization_id) == (
        BOB.user_id,
        ["complaint_manager"],
        BOB.tenant_id,
    )
    assert record.method == "/ses.files.v1.FilesService/DownloadFile"
    assert not [r for r in filed if r.request_id == calls["ordinary"]]


def _access_records(files_host: HostHandle) -> list[files_events_pb2.AccessRecorded]:
    statement = select(outbox_table.c.payload).where(
        outbox_table.c.subject == "ses.files.v1.access_recorded"
    )
    with files_host.deps.engine.connect() as connection:
        payloads = connection.execute(statement).scalars().all()
    return [files_events_pb2.AccessRecorded.FromString(payload) for payload in payloads]
