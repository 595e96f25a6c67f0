"""Files attached to a complaint: ids from the files service, checked before they are kept.

Trust model. The files service owns the bytes: it checks an upload's declared
size against the limit of its kind before a byte moves, verifies size and SHA-256
when the upload completes, hands the uploader a signed ``attach`` grant
(``ses_core.platform.grants``) and publishes ``UploadCompleted``, which this
service projects (``directory.uploaded_files``). A file new to a complaint must be
the caller's own upload, shown by either

- its attach grant (checked here without a call: same shared secret), or
- the projection, whose ``uploaded_by`` is the caller.

Its name and size are then the ones the files service verified when the
projection knows the file (a differing declared size is refused), else the ones
declared with the grant. The size must fit the limit of what the file is
attached to (25 MiB on the Interactions tab, 1 GiB elsewhere), so a large upload
of another kind cannot be posted as an interaction once the projection knows it.
What remains trusted from the client is the declared name and size of a file
attached in the moment between completion and the event's arrival: they are
display data, and the files service enforced its own kind's limit on the bytes.

An undeclared file that is neither proven nor known yet is refused with
FAILED_PRECONDITION (retry once the upload completed, or send its grant); another
user's upload with PERMISSION_DENIED. Files already on the complaint keep what was
recorded (the Company POC may resubmit a contributor's files). Downloads never
trust this service's copy: they need a grant (``IssueFileGrant``) that the files
service verifies.

Telling the files service. Every command that makes files part of a complaint
raises ``FilesAttached`` (one per place: complaint documents, an IR's documents,
a response draft, an interaction, closure documents) through the unit of work's
outbox, for the files the complaint did not reference before the command
(``files_attached``: where the complaint references files, before and after). The
aggregate does not raise it because it has no notion of where a file came from;
comparing what it references is the one place that cannot forget a command. The
files service then keeps those files for the complaint and announces each with
``FileAttached``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ses_complaints.directory import UploadedFile
from ses_complaints.extras import FileMeta
from ses_core.errors import PermissionDenied, PreconditionFailed, ValidationFailed
from ses_core.models import Complaint
from ses_core.models.complaint_events import FilePlacement, FilesAttached
from ses_core.uploads import AttachmentKind, FileSpec, UploadPolicy, format_size

GrantCheck = Callable[[str, str], None]
"""``check(token, file_id)`` raises unless ``token`` is the caller's attach grant for the file."""


@dataclass(frozen=True)
class FileRef:
    """A file named by a request: its id and, when attached with details, name, size, grant."""

    file_id: str
    name: str | None = None
    size_bytes: int | None = None
    grant_token: str = ""


def merge_refs(file_ids: Sequence[str], attached: Sequence[FileRef]) -> list[FileRef]:
    """Bare ids and attached files as one list in first-seen order; details win."""
    by_id: dict[str, FileRef] = {}
    for file_id in file_ids:
        by_id.setdefault(_file_id(file_id), FileRef(_file_id(file_id)))
    for ref in attached:
        file_id = _file_id(ref.file_id)
        by_id[file_id] = FileRef(file_id, ref.name or None, ref.size_bytes, ref.grant_token)
    return list(by_id.values())


def _file_id(value: str) -> str:
    if not value.strip():
        raise ValidationFailed(
            "A file id is blank; pass the file_id the files service returned for the upload.",
            reason="file_id_required",
        )
    return value.strip()


@dataclass(frozen=True)
class FileResolver:
    """Resolves the files of one request for one caller."""

    actor_id: str
    policy: UploadPolicy
    uploaded: Mapping[str, UploadedFile]
    already_known: Mapping[str, FileMeta]
    check_grant: GrantCheck

    def resolve(self, refs: Sequence[FileRef], kind: AttachmentKind) -> dict[str, FileMeta]:
        """Name and size of every referenced file, each checked as the module says."""
        resolved: dict[str, FileMeta] = {}
        for index, ref in enumerate(refs):
            known = self.already_known.get(ref.file_id)
            if known is None:
                known = self._new_file(ref)
                self.policy.check_file(FileSpec(known.name, known.size_bytes), kind, index=index)
            resolved[ref.file_id] = known
        return resolved

    def _new_file(self, ref: FileRef) -> FileMeta:
        upload = self.uploaded.get(ref.file_id)
        if ref.grant_token:
            self.check_grant(ref.grant_token, ref.file_id)
        elif upload is None:
            raise PreconditionFailed(
                f"File {ref.file_id} has not finished uploading as far as this service knows; "
                "complete the upload and retry, or attach it with the attach_grant_token that "
                "CompleteUpload returned.",
                reason="file_not_ready",
                file_id=ref.file_id,
            )
        elif upload.uploaded_by != self.actor_id:
            raise PermissionDenied(
                f"{upload.name} was uploaded by another user; you can attach only files you "
                "uploaded yourself, so ask them to attach it or upload it again.",
                reason="file_not_yours",
                file_id=ref.file_id,
            )
        if upload is not None:
            return _verified(ref, upload)
        if ref.name is None or ref.size_bytes is None:
            raise ValidationFailed(
                f"Give file_name and size_bytes of file {ref.file_id} with its attach grant, "
                "as the upload reported them.",
                reason="file_details_required",
                file_id=ref.file_id,
            )
        return FileMeta(name=ref.name, size_bytes=ref.size_bytes)


def _verified(ref: FileRef, upload: UploadedFile) -> FileMeta:
    if ref.size_bytes is not None and ref.name is not None and ref.size_bytes != upload.size_bytes:
        raise ValidationFailed(
            f"{upload.name} was uploaded with {format_size(upload.size_bytes)} "
            f"({upload.size_bytes:,} bytes) but is declared here with {ref.size_bytes:,} "
            "bytes; declare the size the upload reported, or leave it out.",
            reason="declared_size_mismatch",
            file_id=ref.file_id,
        )
    return FileMeta(name=upload.name, size_bytes=upload.size_bytes)


@dataclass(frozen=True)
class Placement:
    """Where on a complaint a file is attached."""

    attached_as: FilePlacement
    information_request_id: str | None = None
    interaction_id: str | None = None


def placements(complaint: Complaint) -> dict[str, Placement]:
    """Every file the complaint references, with where (the first place, if several)."""
    found: dict[str, Placement] = {}

    def put(file_ids: Iterable[str], placement: Placement) -> None:
        for file_id in file_ids:
            found.setdefault(file_id, placement)

    put(complaint.document_file_ids, Placement(FilePlacement.COMPLAINT_DOCUMENT))
    for ir in complaint.information_requests:
        put(ir.document_file_ids, Placement(FilePlacement.INFORMATION_REQUEST, ir.id))
        for response in ir.responses:
            put(response.content.file_ids, Placement(FilePlacement.RESPONSE, ir.id))
        if ir.draft is not None:
            put(ir.draft.content.file_ids, Placement(FilePlacement.RESPONSE_DRAFT, ir.id))
    for interaction in complaint.interactions:
        placement = Placement(FilePlacement.INTERACTION, interaction_id=interaction.id)
        put(interaction.file_ids, placement)
    if complaint.closure is not None:
        put(complaint.closure.document_file_ids, Placement(FilePlacement.CLOSURE_DOCUMENT))
    return found


def files_attached(
    complaint: Complaint, before: Collection[str], *, by: str, now: datetime
) -> list[FilesAttached]:
    """One ``FilesAttached`` per place where ``complaint`` references files not in ``before``."""
    grouped: dict[Placement, list[str]] = {}
    for file_id, placement in placements(complaint).items():
        if file_id not in before:
            grouped.setdefault(placement, []).append(file_id)
    return [
        FilesAttached(
            occurred_at=now,
            complaint_id=complaint.id,
            reference_number=complaint.reference_number,
            company_id=complaint.company_id,
            actor_id=by,
            attached_as=placement.attached_as,
            file_ids=tuple(file_ids),
            information_request_id=placement.information_request_id,
            interaction_id=placement.interaction_id,
        )
        for placement, file_ids in grouped.items()
    ]
