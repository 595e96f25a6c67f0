"""A refused StartUpload names the request field at fault (google.rpc.BadRequest).

The upload policy judges files, not requests; ``mappers.start_upload_fields`` turns its
refusals into StartUploadRequest paths. Each rule is driven through the real policy, so
a renamed reason fails here instead of silently losing the field.
"""

from __future__ import annotations

import pytest

from ses_core.errors import SesError
from ses_core.uploads import GIB, AttachmentKind, FileSpec, UploadPolicy
from ses_files.mappers import start_upload_fields

POLICY = UploadPolicy()
FINE = FileSpec("fine.pdf", 1)


def field_of(files: list[FileSpec]) -> str | None:
    with pytest.raises(SesError) as refused, start_upload_fields():
        POLICY.check_batch(files, AttachmentKind.RESPONSE)
    return refused.value.field


@pytest.mark.parametrize(
    ("broken", "field"),
    [
        (FileSpec("", 1), "name"),
        (FileSpec("   ", 1), "name"),
        (FileSpec("x" * 201, 1), "name"),
        (FileSpec("a/b.pdf", 1), "name"),
        (FileSpec("..", 1), "name"),
        (FileSpec("big.pdf", -1), "size_bytes"),
        (FileSpec("big.pdf", GIB + 1), "size_bytes"),
        (FileSpec("a.pdf", 1, "not-hex"), "sha256_hex"),
    ],
)
def test_a_refused_file_is_named_by_its_place_and_field(broken: FileSpec, field: str) -> None:
    assert field_of([FINE, FINE, broken]) == f"files[2].{field}"


def test_a_refused_batch_is_the_files_field() -> None:
    assert field_of([]) == "files"
    assert field_of([FINE] * 26) == "files"


def test_a_field_already_named_is_kept() -> None:
    with pytest.raises(SesError) as refused, start_upload_fields():
        raise SesError("Bad kind.", reason="kind_missing", field="kind")
    assert refused.value.field == "kind"
