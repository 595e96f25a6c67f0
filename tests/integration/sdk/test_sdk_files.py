"""Files through ``client.files``: an upload under declared names, the generated streaming
method, and the resumable download, with the signed-in session's token."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sdk_support import DEMO_COMPANY_EMAIL, ThreadedHost

from ses_core.identity import Actor, ComplaintsPermission
from ses_core.platform.grants import (
    FileGrant,
    FileGrantAction,
    GrantSigner,
    load_or_create_grant_secret,
)
from ses_sdk import UploadProgress
from ses_sdk.common import AttachmentKind

pytestmark = pytest.mark.integration


def grant_for(ses: ThreadedHost, session_user_id: str, company_id: str, file_id: str) -> str:
    """A download grant, as the complaints service's IssueFileGrant would sign it."""
    path = ses.settings.files.grant_secret_path
    assert path is not None
    grant = FileGrant(
        file_id=file_id,
        action=FileGrantAction.DOWNLOAD,
        user_id=session_user_id,
        tenant_id=company_id,
        expires_at=datetime.now(UTC) + timedelta(minutes=5),
    )
    return GrantSigner(load_or_create_grant_secret(path)).issue(grant)


def test_upload_under_declared_names_then_stream_and_download(
    ses: ThreadedHost, tmp_path: Path
) -> None:
    data = os.urandom(300_000)
    local = tmp_path / "scan-0001.tmp"
    local.write_bytes(data)
    seen: list[UploadProgress] = []
    with ses.signed_in(DEMO_COMPANY_EMAIL) as client:
        assert client.session is not None
        user = client.session.user
        assert user is not None
        assert user.company_id
        (uploaded,) = client.files.upload_files(
            [local],
            AttachmentKind.RESPONSE,
            names=["Response letter.pdf"],
            chunk_size=64 * 1024,
            progress=seen.append,
        )
        assert uploaded.name == "Response letter.pdf"
        assert uploaded.sha256_hex == hashlib.sha256(data).hexdigest()
        assert seen[-1].file_name == "Response letter.pdf"
        assert seen[-1].fraction == 1.0

        info = client.files.get_file(file_id=uploaded.file_id).file  # the uploader needs no grant
        assert info is not None
        assert info.size_bytes == len(data)

        grant = grant_for(ses, user.user_id, user.company_id, uploaded.file_id)
        streamed = b"".join(
            chunk.data
            for chunk in client.files.download_file(file_id=uploaded.file_id, grant_token=grant)
        )
        assert streamed == data

        target = client.files.download_to(uploaded.file_id, grant, tmp_path / "copy.pdf")
        assert target.read_bytes() == data


async def test_the_async_client_uploads_and_streams_with_a_token_from_elsewhere(
    ses: ThreadedHost, tmp_path: Path
) -> None:
    company_user = Actor.company_user(
        "u-sdk-async-files", "company-sdk", ComplaintsPermission.MANAGE
    )
    data = os.urandom(70_000)
    (tmp_path / "a.csv").write_bytes(data)

    async def token() -> str:
        return ses.token_for(company_user)

    async with ses.async_client(token=token) as client:
        (uploaded,) = await client.files.upload_files([tmp_path / "a.csv"], chunk_size=16 * 1024)
        grant = grant_for(ses, company_user.user_id, "company-sdk", uploaded.file_id)
        chunks = [
            chunk.data
            async for chunk in client.files.download_file(
                file_id=uploaded.file_id, grant_token=grant
            )
        ]
        target = await client.files.download_to(uploaded.file_id, grant, tmp_path / "b.csv")

    assert b"".join(chunks) == data
    assert target.read_bytes() == data
