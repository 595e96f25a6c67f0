"""Unfinished uploads expire ``settings.files.upload_expiry`` after they started.

A background loop finds open uploads past their deadline, marks their unfinished files
expired (one ``FileExpired`` each) and the upload expired, then deletes those files'
bytes. Files completed before the deadline stay available. An upload whose bytes are
still arriving on a stream is left for the next pass: the stream is never cut
mid-write, and it cannot outlive the pass after it ends.
"""

from __future__ import annotations

import asyncio
import logging

from ses_files.dependencies import FilesDependencies
from ses_files.handlers import reclaim
from ses_files.model import FileState, UploadState
from ses_files.repositories import uploads_due_to_expire

_log = logging.getLogger(__name__)

BATCH = 100


def expire_due_uploads(deps: FilesDependencies) -> int:
    """Expire what is due now; returns how many uploads expired."""
    expired = 0
    for scope, upload_id in uploads_due_to_expire(deps.engine, deps.now(), BATCH):
        try:
            expired += _expire(deps, scope, upload_id)
        except Exception:
            _log.exception("could not expire upload %s", upload_id)
    return expired


def _expire(deps: FilesDependencies, scope: str, upload_id: str) -> int:
    with deps.unit_of_work(scope) as uow:
        unfinished = [
            f.id for f in uow.files.of_upload(upload_id) if f.status is FileState.UPLOADING
        ]
    if not deps.locks.acquire(unfinished, 0):
        return 0  # still receiving: next pass
    try:
        now = deps.now()
        with deps.unit_of_work(scope) as uow:
            upload = uow.uploads.get(upload_id)
            if upload.status is not UploadState.OPEN or now < upload.expires_at:
                return 0
            files = [f for f in uow.files.of_upload(upload_id, lock=True) if f.id in unfinished]
            for file in files:
                file.expire(now)
            upload.expire(now)
            uow.commit()
        reclaim(deps, files)
        return 1
    finally:
        deps.locks.release(unfinished)


async def run_expiry(deps: FilesDependencies, interval: float) -> None:
    """The background loop: a pass every ``interval`` seconds."""
    while True:
        try:
            count = await asyncio.to_thread(expire_due_uploads, deps)
        except Exception:  # the database is away: try again on the next pass
            _log.exception("upload expiry pass failed")
            count = 0
        if count:
            _log.info("expired %d unfinished upload(s)", count)
        await asyncio.sleep(interval)
