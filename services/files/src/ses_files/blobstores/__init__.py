"""Blob stores, chosen by ``settings.files.blob_store``: ``local`` (default) or ``s3``.

Stores are plugins: the entry-point group ``ses.blobstores`` maps a name to a factory
``(FilesSettings) -> BlobStore`` (see ``services/files/pyproject.toml``); another package
can add one the same way. The two built-in stores are also known without their entry
points, so the service runs from a source tree that was not reinstalled.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from importlib.metadata import entry_points
from typing import cast

from ses_core.platform.settings import FilesSettings
from ses_files.blobstores.base import (
    BlobMissing,
    BlobStore,
    BlobStoreError,
    PartialWriter,
    checked_blob_id,
)

ENTRY_POINT_GROUP = "ses.blobstores"
BlobStoreFactory = Callable[[FilesSettings], BlobStore]

_BUILT_IN = {
    "local": "ses_files.blobstores.local:LocalBlobStore.from_settings",
    "s3": "ses_files.blobstores.s3:S3BlobStore.from_settings",
}


def blob_store_factories() -> dict[str, BlobStoreFactory]:
    """Every known store by name: the built-ins, overridden or extended by entry points.

    Each factory imports its store when called, not before: the service's start imports
    only the store it uses (the S3 store's ``boto3`` alone took half a second)."""
    factories = {name: _lazy(target) for name, target in _BUILT_IN.items()}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        factories[entry.name] = _lazy(entry.value)
    return factories


def load_blob_store(settings: FilesSettings) -> BlobStore:
    factories = blob_store_factories()
    try:
        factory = factories[settings.blob_store]
    except KeyError:
        known = ", ".join(sorted(factories))
        raise ValueError(
            f"SES_FILES__BLOB_STORE={settings.blob_store!r} names no installed blob store; "
            f"known: {known}."
        ) from None
    return factory(settings)


def _lazy(target: str) -> BlobStoreFactory:
    module_name, _, attribute = target.partition(":")

    def build(settings: FilesSettings) -> BlobStore:
        found: object = import_module(module_name)
        for part in attribute.split("."):
            found = getattr(found, part)
        return cast(BlobStoreFactory, found)(settings)

    return build


__all__ = [
    "ENTRY_POINT_GROUP",
    "BlobMissing",
    "BlobStore",
    "BlobStoreError",
    "BlobStoreFactory",
    "PartialWriter",
    "blob_store_factories",
    "checked_blob_id",
    "load_blob_store",
]
