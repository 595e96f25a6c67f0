"""Upload limits (DESIGN §2) as one configurable value, checked before a byte moves."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum

from ses_core.errors import UploadRejected
from ses_core.uploads import _links, _names, _text
from ses_core.uploads._sizes import GIB, MIB, format_size_against

RECOMMENDED_EXTENSIONS: frozenset[str] = frozenset(
    {"pdf", "doc", "docx", "xls", "xlsx", "csv", "zip"}
)
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


class AttachmentKind(StrEnum):
    RESPONSE = "response"
    INFORMATION_REQUEST = "information_request"
    COMPLAINT_DOCUMENT = "complaint_document"
    INTERACTION = "interaction"


@dataclass(frozen=True)
class FileSpec:
    """A file as declared before upload: display name, size in bytes, optional SHA-256 (hex)."""

    name: str
    size: int
    sha256: str | None = None


@dataclass(frozen=True, kw_only=True)
class UploadPolicy:
    """The limits of DESIGN §2; the defaults are the spec's, each overridable per deployment.

    Choices where the spec is silent: an empty batch is refused (nothing to
    upload is always a mistake); empty (0-byte) files are accepted; the same
    name twice in one batch is accepted (names are display-only); a declared
    SHA-256 must be 64 hex digits. ``recommended_extensions`` are compared
    case-insensitively, without the dot.
    """

    max_file_bytes: int = GIB
    max_interaction_file_bytes: int = 25 * MIB
    max_files_per_batch: int = 25
    max_name_chars: int = 200
    max_response_text_chars: int = 4000
    max_link_chars: int = 2048
    recommended_extensions: frozenset[str] = field(default=RECOMMENDED_EXTENSIONS)

    def __post_init__(self) -> None:
        for limit in fields(self):
            value = getattr(self, limit.name)
            if limit.name.startswith("max_") and value < 1:
                raise ValueError(f"{limit.name} must be at least 1; got {value}.")
        normalized = frozenset(ext.lower().lstrip(".") for ext in self.recommended_extensions)
        object.__setattr__(self, "recommended_extensions", normalized)

    def max_bytes_for(self, kind: AttachmentKind) -> int:
        if kind is AttachmentKind.INTERACTION:
            return self.max_interaction_file_bytes
        return self.max_file_bytes

    def check_batch(
        self, files: Sequence[FileSpec], kind: AttachmentKind = AttachmentKind.RESPONSE
    ) -> None:
        """Refuse the whole batch at the first broken rule: count first, then file by file."""
        if not files:
            raise UploadRejected(
                "The upload has no files: choose at least one file to upload.",
                reason="empty_batch",
            )
        limit = self.max_files_per_batch
        if len(files) > limit:
            raise UploadRejected(
                f"{len(files)} files in one upload; the limit is {limit}: upload the first "
                f"{limit}, save the draft, then upload the rest",
                reason="too_many_files",
                # A client that splits files into batches reads the limit here (ses_sdk).
                metadata={"limit": str(limit)},
                count=len(files),
                limit=limit,
            )
        for index, spec in enumerate(files):
            self.check_file(spec, kind, index=index)

    def check_file(
        self,
        spec: FileSpec,
        kind: AttachmentKind = AttachmentKind.RESPONSE,
        *,
        index: int = 0,
    ) -> None:
        """One declared file; ``index`` (its place in the batch) is reported in the details
        (``file_index``) of every refusal, its name's included."""
        try:
            self.check_filename(spec.name)
        except UploadRejected as error:
            error.details.setdefault("file_index", index)
            raise
        name = _names.shown_name(_names.normalize_filename(spec.name))
        if spec.size < 0:
            raise UploadRejected(
                f"{name} is declared with a negative size ({spec.size:,} bytes): declare the "
                "file's real size in bytes.",
                reason="negative_size",
                file_index=index,
                file_name=spec.name,
            )
        limit = self.max_bytes_for(kind)
        if spec.size > limit:
            shown_size, shown_limit = format_size_against(spec.size, limit)
            where = (
                " for files on the Interactions tab" if kind is AttachmentKind.INTERACTION else ""
            )
            raise UploadRejected(
                f"{name} is {shown_size}; the limit{where} is {shown_limit}: zip it, split it "
                "or attach a file-sharing link",
                reason="file_too_large",
                file_index=index,
                file_name=spec.name,
                size=spec.size,
                limit=limit,
            )
        if spec.sha256 is not None and not _SHA256_HEX.fullmatch(spec.sha256):
            raise UploadRejected(
                f"The SHA-256 declared for {name} is not 64 hexadecimal digits: send the "
                "checksum in hex, or leave it out.",
                reason="checksum_malformed",
                file_index=index,
                file_name=spec.name,
            )

    def check_filename(self, name: str) -> None:
        _names.check_filename(name, self.max_name_chars)

    def check_response_text(self, text: str) -> None:
        _text.check_response_text(text, self.max_response_text_chars)

    def check_link(self, url: str) -> None:
        _links.check_link(url, self.max_link_chars)

    def warnings_for(self, files: Sequence[FileSpec]) -> list[str]:
        """One sentence per file not in a recommended format; such files are still accepted."""
        recommended = ", ".join(f".{ext}" for ext in sorted(self.recommended_extensions))
        return [
            f"{_names.shown_name(spec.name)} is not in a recommended format ({recommended}); "
            "it will be uploaded, but the recipient may not be able to open it."
            for spec in files
            if _extension(spec.name) not in self.recommended_extensions
        ]


def _extension(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""
