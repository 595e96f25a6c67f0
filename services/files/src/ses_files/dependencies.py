"""What the files handlers need, assembled once by the bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ses_core.platform.grants import FileGrantAction, GrantSigner
from ses_core.platform.messaging import EventCodec
from ses_core.platform.settings import FilesSettings
from ses_core.ports import Clock
from ses_core.uploads import UploadPolicy
from ses_files.blobstores import BlobStore
from ses_files.hashing import HashRegistry
from ses_files.locks import FileLocks
from ses_files.model import StoredFile
from ses_files.unit_of_work import FilesUnitOfWork

# How long a new stream, a completion or an abort waits for a file another stream holds.
LOCK_WAIT_SECONDS = 5.0


def _nothing() -> None:
    pass


@dataclass
class FilesDependencies:
    engine: Engine
    sessions: sessionmaker[Session]
    codec: EventCodec
    clock: Clock
    policy: UploadPolicy
    store: BlobStore
    signer: GrantSigner
    settings: FilesSettings
    chunk_bytes: int
    scanning: bool = False
    on_commit: Callable[[], None] = _nothing
    scan_requested: Callable[[], None] = _nothing
    hashes: HashRegistry = field(default_factory=HashRegistry)
    locks: FileLocks = field(default_factory=FileLocks)
    lock_wait: float = LOCK_WAIT_SECONDS

    def unit_of_work(self, scope: str) -> FilesUnitOfWork:
        return FilesUnitOfWork(
            self.sessions,
            tenant_id=scope,
            codec=self.codec,
            clock=self.clock,
            on_commit=self.on_commit,
        )

    def now(self) -> datetime:
        return self.clock.now()

    def attach_grant(self, file: StoredFile) -> str:
        """The uploader's proof, for the complaints service, that they uploaded ``file``."""
        token, _ = self.signer.issue_for(
            file_id=file.id,
            action=FileGrantAction.ATTACH,
            user_id=file.uploaded_by,
            tenant_id=file.tenant_id,
            now=self.now(),
            ttl=self.settings.upload_expiry,
        )
        return token
