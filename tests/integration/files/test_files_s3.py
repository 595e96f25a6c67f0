"""The S3 blob store against a real S3-protocol server (moto in server mode, over HTTP)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import boto3
import pytest
import pytest_asyncio
from files_support import ALICE, MIB, HostHandle, sha256_hex
from moto.server import ThreadedMotoServer

from ses_core.testing import NatsServerProcess
from ses_core.testing.hosting import bearer, host_settings, hosted
from ses_files.blobstores import BlobMissing, BlobStoreError
from ses_files.blobstores.s3 import S3BlobStore
from ses_files.bootstrap import FilesPlugin
from ses_sdk import upload_files_async

pytestmark = pytest.mark.integration

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    saved = {key: os.environ.get(key) for key in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def new_store(endpoint: str, bucket: str) -> S3BlobStore:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    return S3BlobStore(client, bucket)


def write_chunks(store: S3BlobStore, blob: str, data: bytes, start: int, end: int) -> None:
    writer = store.open_partial(blob, start)
    for offset in range(start, end, MIB):
        writer.write(offset, data[offset : min(offset + MIB, end)])
        writer.sync()
    writer.close()


def test_chunks_become_parts_and_a_restart_resumes_from_the_committed_offset(s3_endpoint: str):
    bucket, blob = f"b-{uuid.uuid4().hex[:12]}", uuid.uuid4().hex
    data = os.urandom(19 * MIB + 7)
    write_chunks(new_store(s3_endpoint, bucket), blob, data, 0, 11 * MIB)

    # A new process (new store, nothing in memory) carries on where the database says.
    store = new_store(s3_endpoint, bucket)
    key = store.object_key(blob)
    (upload,) = store.client.list_multipart_uploads(Bucket=bucket, Prefix=key)["Uploads"]
    parts = store.client.list_parts(Bucket=bucket, Key=key, UploadId=upload["UploadId"])
    assert [part["Size"] for part in parts["Parts"]] == [8 * MIB]
    with pytest.raises(BlobMissing):
        store.read(blob)  # not published: not readable
    write_chunks(store, blob, data, 11 * MIB, len(data))
    store.publish(blob, len(data))
    store.publish(blob, len(data))  # a retried completion

    assert b"".join(new_store(s3_endpoint, bucket).read(blob)) == data
    assert b"".join(store.read(blob, 5 * MIB + 3)) == data[5 * MIB + 3 :]
    leftovers = store.client.list_objects_v2(Bucket=bucket, Prefix="partial/")
    assert leftovers.get("KeyCount", 0) == 0


def test_bytes_written_after_the_last_commit_are_dropped_on_resume(s3_endpoint: str):
    bucket, blob = f"b-{uuid.uuid4().hex[:12]}", uuid.uuid4().hex
    data = os.urandom(3 * MIB)
    write_chunks(new_store(s3_endpoint, bucket), blob, os.urandom(3 * MIB), 0, 3 * MIB)

    store = new_store(s3_endpoint, bucket)  # the database had recorded only 1 MiB of those
    writer = store.open_partial(blob, MIB)
    writer.close()
    write_chunks(store, blob, data, MIB, 3 * MIB)
    with pytest.raises(BlobStoreError, match="holds"):
        store.open_partial(blob, 4 * MIB)  # more recorded than stored: refused, not guessed
    store.publish(blob, 3 * MIB)

    assert b"".join(store.read(blob))[MIB:] == data[MIB:]


def test_empty_blobs_and_discards(s3_endpoint: str):
    bucket = f"b-{uuid.uuid4().hex[:12]}"
    store = new_store(s3_endpoint, bucket)
    empty, dropped = uuid.uuid4().hex, uuid.uuid4().hex

    store.publish(empty, 0)
    write_chunks(store, dropped, os.urandom(MIB), 0, MIB)
    store.discard(dropped)
    store.discard(dropped)

    assert b"".join(store.read(empty)) == b""
    assert store.client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert [item["Key"] for item in store.client.list_objects_v2(Bucket=bucket)["Contents"]] == [
        store.object_key(empty)
    ]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def s3_host(
    module_dir: Path, module_nats: NatsServerProcess, s3_endpoint: str
) -> AsyncIterator[HostHandle]:
    settings = host_settings(
        module_dir / f"data-{uuid.uuid4().hex[:8]}",
        nats_url=module_nats.url,
        database_urls={"files": ""},
        files={"blob_store": "s3", "s3_endpoint_url": s3_endpoint, "s3_bucket": "ses-test"},
    )
    plugin = FilesPlugin()
    async with hosted(settings, [plugin]) as host, HostHandle.open(host, plugin) as handle:
        yield handle


@pytest.mark.asyncio(loop_scope="module")
async def test_the_service_stores_uploads_in_s3(s3_host: HostHandle, tmp_path: Path):
    data = os.urandom(10 * MIB + 3)
    (tmp_path / "scan.zip").write_bytes(data)
    token = bearer(s3_host.settings, ALICE)

    (uploaded,) = await upload_files_async(s3_host.channel, token, [tmp_path / "scan.zip"])
    alice = s3_host.api(ALICE)
    _, downloaded = await alice.download(uploaded.file_id, alice.grant(uploaded.file_id))

    assert uploaded.sha256_hex == sha256_hex(data)
    assert downloaded == data
    assert not s3_host.blob_dir.exists() or s3_host.stored_paths() == []
