"""Blob stores are plugins chosen by settings.files.blob_store."""

from __future__ import annotations

from pathlib import Path

import pytest

from ses_core.platform.settings import FilesSettings
from ses_files.blobstores import blob_store_factories, load_blob_store
from ses_files.blobstores.local import LocalBlobStore
from ses_files.blobstores.s3 import S3BlobStore


def test_both_built_in_stores_are_known():
    assert {"local", "s3"} <= set(blob_store_factories())


def test_the_default_is_the_local_store_under_the_blob_directory(tmp_path: Path):
    store = load_blob_store(FilesSettings(blob_dir=tmp_path / "blobs"))

    assert isinstance(store, LocalBlobStore)
    assert store.root == tmp_path / "blobs"
    assert (tmp_path / "blobs" / "partial").is_dir()


def test_the_s3_store_takes_its_endpoint_bucket_and_region_from_settings():
    settings = FilesSettings(
        blob_store="s3",
        s3_endpoint_url="http://127.0.0.1:9",
        s3_bucket="evidence",
        s3_region="us-gov-west-1",
    )

    store = load_blob_store(settings)

    assert isinstance(store, S3BlobStore)
    assert store.bucket == "evidence"
    assert store.client.meta.region_name == "us-gov-west-1"
    assert store.client.meta.endpoint_url == "http://127.0.0.1:9"


def test_parts_smaller_than_s3_allows_are_refused():
    with pytest.raises(ValueError, match="at least"):
        S3BlobStore(object(), "bucket", part_bytes=1024)
