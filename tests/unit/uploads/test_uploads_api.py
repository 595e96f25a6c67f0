"""Pins the public surface of ses_core.uploads named in DESIGN §2."""

from __future__ import annotations

import inspect
from collections.abc import Sequence

import ses_core.uploads as uploads_module
from ses_core.errors import SesError, UploadRejected, ValidationFailed
from ses_core.uploads import AttachmentKind, FileSpec, UploadPolicy


def test_exported_names() -> None:
    assert sorted(uploads_module.__all__) == [
        "AttachmentKind",
        "FileSpec",
        "GIB",
        "KIB",
        "MIB",
        "RECOMMENDED_EXTENSIONS",
        "UploadPolicy",
        "format_size",
        "normalize_filename",
        "normalize_response_text",
    ]


def test_attachment_kinds() -> None:
    assert {kind.name for kind in AttachmentKind} == {
        "RESPONSE",
        "INFORMATION_REQUEST",
        "COMPLAINT_DOCUMENT",
        "INTERACTION",
    }


def test_file_spec_takes_name_and_size() -> None:
    spec = FileSpec("report.pdf", 10)
    assert (spec.name, spec.size, spec.sha256) == ("report.pdf", 10, None)


def test_the_design_signatures() -> None:
    def parameters(name: str) -> list[tuple[str, object, object]]:
        signature = inspect.signature(getattr(UploadPolicy, name), eval_str=True)
        return [(p.name, p.annotation, p.default) for p in signature.parameters.values()][1:]

    empty = inspect.Parameter.empty
    assert parameters("check_batch") == [
        ("files", Sequence[FileSpec], empty),
        ("kind", AttachmentKind, AttachmentKind.RESPONSE),
    ]
    assert parameters("check_filename") == [("name", str, empty)]
    assert parameters("check_response_text") == [("text", str, empty)]
    assert parameters("check_link") == [("url", str, empty)]


def test_both_error_families_derive_from_ses_error() -> None:
    assert issubclass(UploadRejected, SesError)
    assert issubclass(ValidationFailed, SesError)
