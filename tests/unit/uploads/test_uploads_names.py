"""File-name rules at their exact boundaries and against hostile names (DESIGN §2)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ses_core.errors import UploadRejected
from ses_core.uploads import UploadPolicy, normalize_filename

POLICY = UploadPolicy()
COMBINING_ACUTE = "\u0301"
ASTRAL = "\U0001d49c"  # MATHEMATICAL SCRIPT CAPITAL A, outside the BMP
QA = "\u0958"  # DEVANAGARI LETTER QA: NFC turns it into two code points


def rejection(name: str) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        POLICY.check_filename(name)
    return caught.value


@pytest.mark.parametrize(
    "name",
    [
        "a" * 200,
        ("e" + COMBINING_ACUTE) * 200,  # 400 code points typed, 200 after NFC
        ASTRAL * 200,
        "😀" * 200,
        QA * 100,  # 200 code points after NFC
        "x",
        "report.pdf",
        "Jahresbericht Müller 2026 (final).xlsx",
        "  padded name  ",
        ".hidden",
        "...",
        "a..b",
        "／fullwidth solidus is only a look-alike",
        "👩\u200d💻 zero-width joiner in an emoji sequence.png",
    ],
)
def test_names_within_the_rules_are_accepted(name: str) -> None:
    POLICY.check_filename(name)


@pytest.mark.parametrize(
    ("name", "length"),
    [
        ("a" * 201, 201),
        (("e" + COMBINING_ACUTE) * 201, 201),
        (ASTRAL * 201, 201),
        ("😀" * 201, 201),
        (QA * 101, 202),  # NFC lengthens it past the limit
        ("a" * 10_000, 10_000),
    ],
)
def test_names_over_200_code_points_after_nfc_are_rejected(name: str, length: int) -> None:
    error = rejection(name)
    assert error.reason == "name_too_long"
    assert error.details == {"length": length, "limit": 200}
    assert f"is {length:,} characters long; the limit is 200" in error.message
    assert len(error.message) < 300  # a long name is cut in the message


@pytest.mark.parametrize(
    ("name", "described"),
    [
        ("../x", "a slash (/)"),
        ("a/b", "a slash (/)"),
        ("a\\b", "a backslash (\\)"),
        ("..\\..\\windows", "a backslash (\\)"),
        ("a\x00b", "a NUL character (U+0000)"),
        ("report\n.pdf", "a control character (U+000A)"),
        ("tab\there", "a control character (U+0009)"),
        ("bell\x07", "a control character (U+0007)"),
        ("del\x7f", "a control character (U+007F)"),
        ("c1\x85control", "a control character (U+0085)"),
        ("invoice\u202efdp.exe", "a text-direction control (U+202E)"),
        ("isolate\u2066x", "a text-direction control (U+2066)"),
        ("line\u2028break", "a line separator (U+2028)"),
        ("para\u2029break", "a paragraph separator (U+2029)"),
        ("lone\ud800surrogate", "an unpaired surrogate (U+D800)"),
    ],
)
def test_names_with_forbidden_characters_are_rejected(name: str, described: str) -> None:
    error = rejection(name)
    assert error.reason == "name_forbidden_character"
    assert f"contains {described}" in error.message
    # The message quotes the name with invisible characters escaped, never raw.
    assert not any(unicodedata.category(char) == "Cc" for char in error.message)
    assert "\u202e" not in error.message


@pytest.mark.parametrize("name", [".", ".."])
def test_dot_and_dot_dot_are_reserved(name: str) -> None:
    assert rejection(name).reason == "name_reserved"


@pytest.mark.parametrize("name", [" ", "   ", "\u00a0", "\u3000", " \u200b "])
def test_names_of_only_spaces_are_rejected(name: str) -> None:
    assert rejection(name).reason == "name_blank"


def test_an_empty_name_is_rejected() -> None:
    error = rejection("")
    assert error.reason == "name_empty"
    assert "1 to 200 characters" in error.message


def test_a_deployment_may_set_its_own_name_limit() -> None:
    policy = UploadPolicy(max_name_chars=10)
    policy.check_filename("a" * 10)
    with pytest.raises(UploadRejected):
        policy.check_filename("a" * 11)


def test_normalize_filename_gives_the_nfc_form_that_is_counted() -> None:
    assert normalize_filename("e" + COMBINING_ACUTE) == "\u00e9"


FORBIDDEN = ["/", "\\", "\x00", "\r", "\n", "\t", "\x1b", "\u202e", "\u2028"]
names = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from([*FORBIDDEN, ".", " ", COMBINING_ACUTE])),
    max_size=260,
)


@settings(max_examples=500, deadline=None)
@given(names)
def test_an_accepted_name_is_short_and_free_of_forbidden_characters(name: str) -> None:
    try:
        POLICY.check_filename(name)
    except UploadRejected as error:
        rejected_for: str | None = error.reason
    else:
        rejected_for = None
    if rejected_for is not None:
        assert rejected_for.startswith("name_")
        return
    nfc = unicodedata.normalize("NFC", name)
    assert 1 <= len(nfc) <= 200
    for text in (name, nfc):
        assert not any(char in "/\\\x00" for char in text)
        assert not any(unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") for char in text)
    assert nfc not in (".", "..")
    assert not nfc.isspace()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(categories=("L", "N", "Zs", "P", "S")), min_size=1))
def test_a_name_of_ordinary_characters_is_accepted_whenever_it_fits(name: str) -> None:
    nfc = unicodedata.normalize("NFC", name)
    if len(nfc) > 200 or nfc in (".", "..") or nfc.isspace() or any(c in "/\\" for c in nfc):
        return
    POLICY.check_filename(name)
