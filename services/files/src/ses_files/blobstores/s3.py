"""Blobs in an S3-compatible object store (AWS S3, MinIO, Ceph, moto), through boto3.

Keys, every name generated::

    <prefix>objects/<blob_id>                     the blob (a multipart upload until published)
    <prefix>partial/<blob_id>/<offset, 16 digits>  chunks committed but not yet in a part

S3 parts must be at least 5 MiB (except the last) and cannot be read before the
multipart upload completes, while chunks are at most 1 MiB and each must be durable on
its own. So ``sync`` writes every new chunk as a small *tail* object; once the tail
holds ``part_bytes`` it becomes the next part (parts end on chunk boundaries, so no
chunk is ever split) and the tail objects are deleted. ``publish`` sends what is left
as the last part and completes the upload, which makes the object appear whole.

Nothing is kept on local disk, so any replica can resume any upload: reopening lists
the multipart upload's parts and the tail objects, drops tail objects left behind by a
crash (already in a part, or never recorded) and checks the rest is contiguous. The
price is that each byte is written about twice; the local store is the fast path.
The bucket is created on first use if it does not exist (convenient for MinIO and
tests; in production create it beforehand and grant only object permissions).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from ses_core.platform.settings import FilesSettings
from ses_files.blobstores.base import MIB, BlobMissing, BlobStoreError, checked_blob_id

MIN_PART_BYTES = 5 * MIB
DEFAULT_PART_BYTES = 8 * MIB


@dataclass
class _Tail:
    offset: int
    size: int
    data: bytes | None = None  # kept in memory while this process wrote it


@dataclass
class _Multipart:
    upload_id: str
    parts: list[dict[str, Any]] = field(default_factory=list)
    parts_end: int = 0


class S3PartialWriter:
    """``write`` and ``sync`` may run in two threads at once (the service's write and sync
    threads); a lock keeps the tail in order, so writes wait while S3 is being written."""

    def __init__(self, store: S3BlobStore, blob_id: str, multipart: _Multipart, tail: list[_Tail]):
        self._store = store
        self._blob_id = blob_id
        self._multipart = multipart
        self._tail = tail
        self._pending: list[_Tail] = []
        self._lock = threading.Lock()

    def _end(self) -> int:
        written = self._pending or self._tail
        if not written:
            return self._multipart.parts_end
        return written[-1].offset + written[-1].size

    def write(self, offset: int, data: bytes | memoryview) -> None:
        with self._lock:
            if offset != self._end():
                raise BlobStoreError(
                    f"Blob {self._blob_id}: write at {offset}, but it ends at {self._end()}."
                )
            self._pending.append(_Tail(offset, len(data), bytes(data)))

    def sync(self) -> None:
        with self._lock:
            for chunk in self._pending:
                assert chunk.data is not None
                self._store._put_tail(self._blob_id, chunk.offset, chunk.data)
            self._tail.extend(self._pending)
            self._pending.clear()
            if sum(chunk.size for chunk in self._tail) >= self._store.part_bytes:
                self._store._tail_to_part(self._blob_id, self._multipart, self._tail)

    def close(self) -> None:
        with self._lock:
            self._pending.clear()
            self._tail.clear()


class S3BlobStore:
    name = "s3"

    def __init__(
        self, client: Any, bucket: str, *, prefix: str = "", part_bytes: int = DEFAULT_PART_BYTES
    ) -> None:
        if part_bytes < MIN_PART_BYTES:
            raise ValueError(f"S3 parts must be at least {MIN_PART_BYTES} bytes.")
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.part_bytes = part_bytes
        self._bucket_checked = False
        self._bucket_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: FilesSettings) -> S3BlobStore:
        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url or None,
            region_name=settings.s3_region,
        )
        return cls(client, settings.s3_bucket)

    # -- keys -------------------------------------------------------------------------------

    def object_key(self, blob_id: str) -> str:
        return f"{self.prefix}objects/{checked_blob_id(blob_id)}"

    def _tail_prefix(self, blob_id: str) -> str:
        return f"{self.prefix}partial/{checked_blob_id(blob_id)}/"

    def _tail_key(self, blob_id: str, offset: int) -> str:
        return f"{self._tail_prefix(blob_id)}{offset:016d}"

    # -- the contract -----------------------------------------------------------------------

    def open_partial(self, blob_id: str, committed: int) -> S3PartialWriter:
        self._ensure_bucket()
        multipart = self._find_multipart(blob_id) or self._start_multipart(blob_id)
        tail = self._recover_tail(blob_id, multipart, committed)
        return S3PartialWriter(self, blob_id, multipart, tail)

    def publish(self, blob_id: str, size: int) -> None:
        self._ensure_bucket()
        key = self.object_key(blob_id)
        multipart = self._find_multipart(blob_id)
        if multipart is None:
            if self._object_size(key) == size:
                return  # published before: a retried completion
            if size != 0:
                raise BlobStoreError(f"Blob {blob_id} has no partial to publish.")
            self.client.put_object(Bucket=self.bucket, Key=key, Body=b"")
            return
        tail = self._recover_tail(blob_id, multipart, size)
        if tail:
            self._tail_to_part(blob_id, multipart, tail)
        if not multipart.parts:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=b"")
            self._abort(key, multipart.upload_id)
            return
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=key,
            UploadId=multipart.upload_id,
            MultipartUpload={"Parts": multipart.parts},
        )

    def read(self, blob_id: str, offset: int = 0, chunk_bytes: int = MIB) -> Iterator[bytes]:
        key = self.object_key(blob_id)
        size = self._object_size(key)
        if size is None:
            raise BlobMissing(f"No published blob {blob_id}.")
        if offset >= size:
            return iter(())
        response = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes={offset}-")
        return _body_chunks(response["Body"], chunk_bytes)

    def discard(self, blob_id: str) -> None:
        key = self.object_key(blob_id)
        for upload in self._multipart_uploads(key):
            self._abort(key, upload["UploadId"])
        for tail in self._list_tail(blob_id):
            self._delete_tail(blob_id, tail.offset)
        self.client.delete_object(Bucket=self.bucket, Key=key)

    # -- tail and parts -----------------------------------------------------------------------

    def _put_tail(self, blob_id: str, offset: int, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._tail_key(blob_id, offset), Body=data)

    def _delete_tail(self, blob_id: str, offset: int) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._tail_key(blob_id, offset))

    def _tail_to_part(self, blob_id: str, multipart: _Multipart, tail: list[_Tail]) -> None:
        body = b"".join(self._tail_bytes(blob_id, chunk) for chunk in tail)
        number = len(multipart.parts) + 1
        response = self.client.upload_part(
            Bucket=self.bucket,
            Key=self.object_key(blob_id),
            UploadId=multipart.upload_id,
            PartNumber=number,
            Body=body,
        )
        multipart.parts.append({"PartNumber": number, "ETag": response["ETag"]})
        multipart.parts_end += len(body)
        for chunk in tail:  # a crash here leaves objects that reopening drops
            self._delete_tail(blob_id, chunk.offset)
        tail.clear()

    def _tail_bytes(self, blob_id: str, chunk: _Tail) -> bytes:
        if chunk.data is not None:
            return chunk.data
        response = self.client.get_object(
            Bucket=self.bucket, Key=self._tail_key(blob_id, chunk.offset)
        )
        data: bytes = response["Body"].read()
        if len(data) != chunk.size:
            raise BlobStoreError(f"Tail object of blob {blob_id} at {chunk.offset} changed size.")
        return data

    def _recover_tail(self, blob_id: str, multipart: _Multipart, committed: int) -> list[_Tail]:
        if multipart.parts_end > committed:
            raise BlobStoreError(
                f"Blob {blob_id} has {multipart.parts_end} bytes in parts but only "
                f"{committed} were committed."
            )
        kept: list[_Tail] = []
        expected = multipart.parts_end
        for chunk in self._list_tail(blob_id):
            if chunk.offset < multipart.parts_end or chunk.offset >= committed:
                self._delete_tail(blob_id, chunk.offset)  # already in a part / never recorded
            elif chunk.offset == expected:
                kept.append(chunk)
                expected += chunk.size
        if expected != committed:
            raise BlobStoreError(
                f"Blob {blob_id} holds {expected} contiguous bytes but {committed} were committed."
            )
        return kept

    def _list_tail(self, blob_id: str) -> list[_Tail]:
        prefix = self._tail_prefix(blob_id)
        chunks: list[_Tail] = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                chunks.append(_Tail(int(item["Key"][len(prefix) :]), int(item["Size"])))
        return sorted(chunks, key=lambda chunk: chunk.offset)

    # -- multipart uploads ----------------------------------------------------------------------

    def _multipart_uploads(self, key: str) -> list[dict[str, Any]]:
        response = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=key)
        return [upload for upload in response.get("Uploads", []) if upload["Key"] == key]

    def _find_multipart(self, blob_id: str) -> _Multipart | None:
        key = self.object_key(blob_id)
        uploads = sorted(self._multipart_uploads(key), key=lambda upload: upload["Initiated"])
        if not uploads:
            return None
        for stale in uploads[1:]:  # a crash between create and record: keep the first
            self._abort(key, stale["UploadId"])
        multipart = _Multipart(uploads[0]["UploadId"])
        paginator = self.client.get_paginator("list_parts")
        for page in paginator.paginate(Bucket=self.bucket, Key=key, UploadId=multipart.upload_id):
            for part in page.get("Parts", []):
                multipart.parts.append({"PartNumber": part["PartNumber"], "ETag": part["ETag"]})
                multipart.parts_end += int(part["Size"])
        multipart.parts.sort(key=lambda part: int(part["PartNumber"]))
        return multipart

    def _start_multipart(self, blob_id: str) -> _Multipart:
        response = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=self.object_key(blob_id)
        )
        return _Multipart(response["UploadId"])

    def _abort(self, key: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as error:
            if _error_code(error) != "NoSuchUpload":
                raise

    def _object_size(self, key: str) -> int | None:
        try:
            response = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _error_code(error) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return int(response["ContentLength"])

    def _ensure_bucket(self) -> None:
        if self._bucket_checked:
            return
        with self._bucket_lock:
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except ClientError as error:
                if _error_code(error) not in ("404", "NoSuchBucket", "NotFound"):
                    raise
                region = self.client.meta.region_name
                location = {} if region in (None, "us-east-1") else {"LocationConstraint": region}
                extra = {"CreateBucketConfiguration": location} if location else {}
                self.client.create_bucket(Bucket=self.bucket, **extra)
            self._bucket_checked = True


def _body_chunks(body: Any, chunk_bytes: int) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(chunk_bytes)
    finally:
        body.close()


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
