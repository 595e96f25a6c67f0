"""Attached files: who may attach what, and which name and size are kept (trust model)."""

from __future__ import annotations

import pytest

from ses_complaints.attachments import FileRef, FileResolver, merge_refs
from ses_complaints.directory import UploadedFile
from ses_complaints.extras import FileMeta
from ses_core.errors import PermissionDenied, PreconditionFailed, UploadRejected, ValidationFailed
from ses_core.uploads import MIB, AttachmentKind, UploadPolicy

ME = "user-me"


def _upload(file_id: str, size: int, by: str = ME, name: str = "a.pdf") -> UploadedFile:
    return UploadedFile(file_id, "agency-ny", name, size, "response", by)


def _resolver(
    uploaded: dict[str, UploadedFile] | None = None,
    known: dict[str, FileMeta] | None = None,
    grants: set[str] = frozenset(),  # type: ignore[assignment]
) -> FileResolver:
    def check_grant(token: str, file_id: str) -> None:
        if token not in grants:
            raise PermissionDenied("bad grant", reason="grant_invalid")

    return FileResolver(
        actor_id=ME,
        policy=UploadPolicy(),
        uploaded=uploaded or {},
        already_known=known or {},
        check_grant=check_grant,
    )


def test_a_completed_upload_of_the_caller_is_kept_with_its_verified_name_and_size() -> None:
    resolved = _resolver({"f1": _upload("f1", 10)}).resolve(
        [FileRef("f1")], AttachmentKind.RESPONSE
    )
    assert resolved == {"f1": FileMeta(name="a.pdf", size_bytes=10)}


def test_the_verified_size_decides_the_interaction_limit() -> None:
    resolver = _resolver({"f1": _upload("f1", 26 * MIB, name="movie.mp4")})
    with pytest.raises(UploadRejected) as error:
        resolver.resolve([FileRef("f1")], AttachmentKind.INTERACTION)
    assert "movie.mp4" in error.value.message
    assert "25 MiB" in error.value.message
    assert resolver.resolve([FileRef("f1")], AttachmentKind.RESPONSE)


def test_a_declared_size_must_match_the_verified_one() -> None:
    resolver = _resolver({"f1": _upload("f1", 2000)})
    with pytest.raises(ValidationFailed) as error:
        resolver.resolve([FileRef("f1", "a.pdf", 10)], AttachmentKind.RESPONSE)
    assert error.value.reason == "declared_size_mismatch"


def test_a_granted_file_not_yet_projected_keeps_its_declared_details() -> None:
    resolver = _resolver(grants={"ok"})
    resolved = resolver.resolve([FileRef("f1", "b.csv", 99, "ok")], AttachmentKind.RESPONSE)
    assert resolved["f1"] == FileMeta(name="b.csv", size_bytes=99)
    with pytest.raises(ValidationFailed) as error:
        resolver.resolve([FileRef("f2", None, None, "ok")], AttachmentKind.RESPONSE)
    assert error.value.reason == "file_details_required"
    with pytest.raises(UploadRejected):
        resolver.resolve([FileRef("f3", "../x", 1, "ok")], AttachmentKind.RESPONSE)


def test_unknown_files_wait_and_other_users_uploads_are_refused() -> None:
    with pytest.raises(PreconditionFailed) as waiting:
        _resolver().resolve([FileRef("f1")], AttachmentKind.RESPONSE)
    assert waiting.value.reason == "file_not_ready"
    with pytest.raises(PermissionDenied) as theirs:
        _resolver({"f1": _upload("f1", 1, by="someone")}).resolve(
            [FileRef("f1")], AttachmentKind.RESPONSE
        )
    assert theirs.value.reason == "file_not_yours"
    with pytest.raises(PermissionDenied):
        _resolver().resolve([FileRef("f1", "a.pdf", 1, "forged")], AttachmentKind.RESPONSE)


def test_files_already_on_the_complaint_need_no_proof() -> None:
    known = {"f1": FileMeta(name="kept.pdf", size_bytes=5)}
    resolved = _resolver(known=known).resolve([FileRef("f1")], AttachmentKind.RESPONSE)
    assert resolved == known


def test_bare_ids_and_attachments_merge_in_order_with_details_winning() -> None:
    refs = merge_refs([" f1 ", "f2"], [FileRef("f2", "two.pdf", 2, "t"), FileRef("f3")])
    assert refs == [FileRef("f1"), FileRef("f2", "two.pdf", 2, "t"), FileRef("f3")]
    with pytest.raises(ValidationFailed):
        merge_refs([" "], [])
