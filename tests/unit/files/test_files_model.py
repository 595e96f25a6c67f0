"""Uploads and stored files: their state machines, events and download rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ses_core.errors import InvalidTransition, NotFound, PreconditionFailed
from ses_core.identity import Actor, AgencyRole, ComplaintsPermission
from ses_core.models.file_events import FileExpired, FileScanned, UploadCompleted
from ses_core.uploads import AttachmentKind
from ses_files.model import (
    FileState,
    ScanStatus,
    StoredFile,
    Upload,
    UploadState,
    scope_of,
)

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
ALICE = Actor.agency_user("u-alice", "agency-a", AgencyRole.COMPLAINT_MANAGER)


def upload(**changes: object) -> Upload:
    values: dict[str, object] = {
        "id": "up-1",
        "tenant_id": "agency-a",
        "uploaded_by": "u-alice",
        "kind": AttachmentKind.RESPONSE,
        "created_at": NOW,
        "expires_at": NOW + timedelta(hours=24),
    }
    values.update(changes)
    return Upload(**values)  # type: ignore[arg-type]


def stored(**changes: object) -> StoredFile:
    values: dict[str, object] = {
        "id": "file-1",
        "tenant_id": "agency-a",
        "upload_id": "up-1",
        "position": 0,
        "name": "report.pdf",
        "size": 10,
        "kind": AttachmentKind.RESPONSE,
        "uploaded_by": "u-alice",
        "blob_id": "0" * 32,
        "created_at": NOW,
    }
    values.update(changes)
    return StoredFile(**values)  # type: ignore[arg-type]


def test_the_scope_is_the_agency_or_the_company_or_the_platform():
    company_user = Actor.company_user("u-c", "company-9", ComplaintsPermission.MANAGE)

    assert scope_of(ALICE) == "agency-a"
    assert scope_of(company_user) == "company-9"
    assert scope_of(Actor.platform_operator("op")) == "platform"


def test_only_the_uploader_in_their_scope_sees_an_upload():
    carol = Actor.agency_user("u-carol", "agency-a", AgencyRole.COMPLAINT_MANAGER)

    assert upload().visible_to(ALICE)
    assert not upload().visible_to(carol)
    assert not upload(tenant_id="agency-b").visible_to(ALICE)


def test_an_open_upload_past_its_deadline_accepts_nothing_even_before_the_sweep():
    late = NOW + timedelta(hours=24)

    upload().require_open(late - timedelta(seconds=1))
    with pytest.raises(PreconditionFailed) as refused:
        upload().require_open(late)

    assert refused.value.reason == "upload_expired"
    assert "start a new upload" in refused.value.message


def test_a_finished_upload_cannot_change_again():
    finished = upload()
    finished.abort(NOW)

    with pytest.raises(PreconditionFailed, match="aborted"):
        finished.require_open(NOW)
    with pytest.raises(InvalidTransition):
        finished.complete(NOW)
    assert finished.status is UploadState.ABORTED


def test_completing_a_file_needs_every_byte_and_raises_upload_completed():
    file = stored(committed_offset=9)
    with pytest.raises(PreconditionFailed, match="send the rest from byte 9"):
        file.complete("a" * 64, NOW, scanning=False)
    assert file.status is FileState.UPLOADING
    assert not file.events

    file.committed_offset = 10
    file.complete("a" * 64, NOW, scanning=False)

    assert file.status is FileState.AVAILABLE
    assert file.scan_status is ScanStatus.UNSCANNED
    (event,) = file.events
    assert isinstance(event, UploadCompleted)
    assert (event.file_id, event.size_bytes, event.sha256_hex, event.kind) == (
        "file-1",
        10,
        "a" * 64,
        "response",
    )
    assert event.tenant_id == "agency-a"


def test_with_a_scanner_a_completed_file_waits_for_its_verdict():
    file = stored(committed_offset=10)
    file.complete("b" * 64, NOW, scanning=True)

    with pytest.raises(PreconditionFailed) as pending:
        file.require_downloadable()
    assert pending.value.reason == "file_scan_pending"

    file.record_scan(ScanStatus.INFECTED, "Eicar-Test-Signature", NOW)
    file.record_scan(ScanStatus.CLEAN, "", NOW)  # a late second verdict changes nothing

    with pytest.raises(PreconditionFailed) as infected:
        file.require_downloadable()
    assert infected.value.reason == "file_infected"
    assert "Eicar-Test-Signature" in infected.value.message
    assert [type(e) for e in file.events] == [UploadCompleted, FileScanned]


def test_an_unfinished_file_is_not_downloadable():
    with pytest.raises(NotFound):
        stored().require_downloadable()


def test_expiring_a_file_records_how_far_it_got():
    file = stored(committed_offset=4)

    file.expire(NOW)

    assert file.status is FileState.EXPIRED
    (event,) = file.events
    assert isinstance(event, FileExpired)
    assert event.committed_offset == 4


def test_restarting_a_file_forgets_its_bytes():
    file = stored(committed_offset=10)
    file.restart_bytes()
    assert file.committed_offset == 0
