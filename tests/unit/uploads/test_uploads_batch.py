"""Upload batches: file count, per-kind size limits and declared checksums (DESIGN §2)."""

from __future__ import annotations

import pytest

from ses_core.errors import SesError, UploadRejected
from ses_core.uploads import GIB, MIB, AttachmentKind, FileSpec, UploadPolicy

POLICY = UploadPolicy()
ONE_GIB = 1_073_741_824
TWENTY_FIVE_MIB = 26_214_400


def rejection(
    files: list[FileSpec], kind: AttachmentKind = AttachmentKind.RESPONSE
) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        POLICY.check_batch(files, kind)
    return caught.value


def test_the_defaults_are_the_spec_limits() -> None:
    assert (GIB, 25 * MIB) == (ONE_GIB, TWENTY_FIVE_MIB)
    assert POLICY.max_file_bytes == ONE_GIB
    assert POLICY.max_interaction_file_bytes == TWENTY_FIVE_MIB
    assert POLICY.max_files_per_batch == 25
    assert POLICY.max_name_chars == 200
    assert POLICY.max_response_text_chars == 4000
    assert POLICY.max_link_chars == 2048
    assert POLICY.recommended_extensions == {"pdf", "doc", "docx", "xls", "xlsx", "csv", "zip"}


def test_twenty_five_files_are_one_batch() -> None:
    POLICY.check_batch([FileSpec(f"part {n}.pdf", 1) for n in range(25)])


def test_a_26th_file_is_refused_with_advice_to_upload_in_two_batches() -> None:
    error = rejection([FileSpec(f"part {n}.pdf", 1) for n in range(26)])
    assert error.reason == "too_many_files"
    assert error.metadata == {"limit": "25"}  # for clients that split into batches
    assert error.message == (
        "26 files in one upload; the limit is 25: upload the first 25, save the draft, "
        "then upload the rest"
    )


def test_an_empty_batch_is_refused() -> None:
    assert rejection([]).reason == "empty_batch"


@pytest.mark.parametrize(
    "kind",
    [
        AttachmentKind.RESPONSE,
        AttachmentKind.INFORMATION_REQUEST,
        AttachmentKind.COMPLAINT_DOCUMENT,
    ],
)
def test_one_gib_is_the_largest_document(kind: AttachmentKind) -> None:
    POLICY.check_batch([FileSpec("report.pdf", ONE_GIB)], kind)
    error = rejection([FileSpec("report.pdf", ONE_GIB + 1)], kind)
    assert error.reason == "file_too_large"
    assert error.details["size"] == ONE_GIB + 1
    assert error.details["limit"] == ONE_GIB
    # Rounded, both would read "1 GiB": the message gives exact bytes instead.
    assert error.message == (
        "report.pdf is 1,073,741,825 bytes; the limit is 1 GiB (1,073,741,824 bytes): "
        "zip it, split it or attach a file-sharing link"
    )


def test_a_clearly_oversized_file_is_described_in_rounded_units() -> None:
    error = rejection([FileSpec("report.pdf", 1_288_490_189)])
    assert error.message == (
        "report.pdf is 1.2 GiB; the limit is 1 GiB: zip it, split it or attach a file-sharing link"
    )


def test_an_interaction_file_is_limited_to_25_mib() -> None:
    POLICY.check_batch([FileSpec("call notes.pdf", TWENTY_FIVE_MIB)], AttachmentKind.INTERACTION)
    error = rejection([FileSpec("call notes.pdf", TWENTY_FIVE_MIB + 1)], AttachmentKind.INTERACTION)
    assert error.reason == "file_too_large"
    assert error.details["limit"] == TWENTY_FIVE_MIB
    assert "the limit for files on the Interactions tab is 25 MiB" in error.message


def test_the_default_kind_is_a_response() -> None:
    POLICY.check_batch([FileSpec("big.zip", TWENTY_FIVE_MIB + 1)])
    assert POLICY.max_bytes_for(AttachmentKind.RESPONSE) == ONE_GIB


def test_the_offending_file_is_named_by_its_place_in_the_batch() -> None:
    files = [FileSpec("fine.pdf", 10), FileSpec("huge.iso", ONE_GIB + 1)]
    error = rejection(files)
    assert error.details["file_index"] == 1
    assert error.details["file_name"] == "huge.iso"


def test_a_bad_name_in_a_batch_refuses_the_batch() -> None:
    assert rejection([FileSpec("ok.pdf", 1), FileSpec("../etc/passwd", 1)]).reason == (
        "name_forbidden_character"
    )


def test_empty_files_are_accepted() -> None:
    POLICY.check_batch([FileSpec("empty.txt", 0)])


def test_a_negative_size_is_refused() -> None:
    assert rejection([FileSpec("report.pdf", -1)]).reason == "negative_size"


def test_a_declared_sha256_must_be_64_hex_digits() -> None:
    POLICY.check_batch([FileSpec("a.pdf", 1, "ab" * 32), FileSpec("b.pdf", 1, "AB" * 32)])
    for digest in ("", "ab" * 31, "ab" * 33, "zz" * 32):
        assert rejection([FileSpec("a.pdf", 1, digest)]).reason == "checksum_malformed"


def test_upload_rejections_are_ses_errors_with_the_invalid_kind() -> None:
    error = rejection([])
    assert isinstance(error, SesError)
    assert error.kind == "invalid"


def test_a_deployment_may_configure_its_own_limits() -> None:
    policy = UploadPolicy(max_files_per_batch=2, max_file_bytes=10)
    policy.check_batch([FileSpec("a", 10), FileSpec("b", 10)])
    with pytest.raises(UploadRejected, match="3 files in one upload; the limit is 2"):
        policy.check_batch([FileSpec("a", 1)] * 3)
    with pytest.raises(UploadRejected, match="the limit is 10 bytes"):
        policy.check_batch([FileSpec("a", 11)])


@pytest.mark.parametrize("field", ["max_file_bytes", "max_files_per_batch", "max_link_chars"])
def test_a_limit_below_one_is_a_configuration_error(field: str) -> None:
    with pytest.raises(ValueError, match=f"{field} must be at least 1"):
        UploadPolicy(**{field: 0})  # type: ignore[arg-type]


# -- recommended formats: warned about, never refused ------------------------


def test_files_in_recommended_formats_draw_no_warning() -> None:
    files = [
        FileSpec(f"file.{ext}", 1) for ext in ("pdf", "DOCX", "Xls", "xlsx", "csv", "zip", "doc")
    ]
    assert POLICY.warnings_for(files) == []


def test_other_formats_draw_one_warning_each_and_are_still_accepted() -> None:
    files = [FileSpec("photo.heic", 1), FileSpec("report.pdf", 1), FileSpec("README", 1)]
    POLICY.check_batch(files)
    warnings = POLICY.warnings_for(files)
    assert len(warnings) == 2
    assert warnings[0].startswith("photo.heic is not in a recommended format (.csv, .doc")
    assert warnings[1].startswith("README is not in a recommended format")


def test_a_leading_dot_is_not_an_extension() -> None:
    assert len(POLICY.warnings_for([FileSpec(".pdf", 1)])) == 1


def test_recommended_extensions_are_compared_without_dot_or_case() -> None:
    policy = UploadPolicy(recommended_extensions=frozenset({".PNG"}))
    assert policy.recommended_extensions == {"png"}
    assert policy.warnings_for([FileSpec("scan.png", 1)]) == []


def test_every_refusal_of_a_file_says_which_file_of_the_batch() -> None:
    fine = FileSpec("fine.pdf", 1)
    for broken in (FileSpec("", 1), FileSpec("a/b.pdf", 1), FileSpec("big.pdf", ONE_GIB + 1)):
        assert rejection([fine, broken]).details["file_index"] == 1
