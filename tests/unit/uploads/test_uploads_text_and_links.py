"""Response text and file-sharing links at their exact limits (DESIGN §2)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ses_core.errors import SesError, ValidationFailed
from ses_core.uploads import UploadPolicy, normalize_response_text

POLICY = UploadPolicy()


def text_rejection(text: str, policy: UploadPolicy = POLICY) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        policy.check_response_text(text)
    return caught.value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a" * 4000,
        "😀" * 4000,  # 4,000 code points, 8,000 UTF-16 units
        "é" * 4000,
        "a\r\n" * 2000,  # 6,000 typed, 4,000 after CRLF→LF
        "a\r" * 2000,  # a lone CR counts once, like LF
        "tabs\tand\nnewlines are prose",
    ],
)
def test_texts_of_at_most_4000_code_points_are_accepted(text: str) -> None:
    POLICY.check_response_text(text)


@pytest.mark.parametrize(
    "text",
    ["a" * 4001, "😀" * 4001, "x" + "a\r\n" * 2000, "a\r" * 2000 + "b", "e\u0301" * 2001],
)
def test_texts_over_4000_code_points_are_rejected(text: str) -> None:
    error = text_rejection(text)
    assert error.reason == "text_too_long"
    assert error.details["limit"] == 4000
    assert "the limit is 4,000: shorten it" in error.message


def test_a_nul_in_the_text_is_rejected_with_its_position() -> None:
    error = text_rejection("ab\x00c")
    assert error.reason == "text_forbidden_character"
    assert error.details["position"] == 3


def test_an_unpaired_surrogate_in_the_text_is_rejected() -> None:
    assert text_rejection("a\udc00").reason == "text_forbidden_character"


def test_normalized_text_has_only_lf_line_breaks() -> None:
    assert normalize_response_text("a\r\nb\rc\nd") == "a\nb\nc\nd"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "😀", "\r", "\n", "\r\n", "é"]), max_size=30).map("".join))
def test_text_is_accepted_exactly_when_its_normalized_length_fits(text: str) -> None:
    policy = UploadPolicy(max_response_text_chars=20)
    fits = len(text.replace("\r\n", "\n")) <= 20
    if fits:
        policy.check_response_text(text)
    else:
        assert text_rejection(text, policy).reason == "text_too_long"


# -- links --------------------------------------------------------------------

PREFIX = "https://files.example.com/"


def link_rejection(url: str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        POLICY.check_link(url)
    return caught.value


@pytest.mark.parametrize(
    "url",
    [
        PREFIX + "a" * (2048 - len(PREFIX)),
        "https://example.com",
        "HTTPS://Example.COM/Share?id=1#page=2",
        "https://example.com:8443/s/abc",
        "https://example.com:/s",
        "https://[2001:db8::1]/s",
        "https://192.0.2.10/s",
        "https://bücher.example/s/ü",
        "https://example.com./trailing-dot",
    ],
)
def test_https_links_of_at_most_2048_characters_are_accepted(url: str) -> None:
    POLICY.check_link(url)


def test_a_link_of_2049_characters_is_rejected() -> None:
    error = link_rejection(PREFIX + "a" * (2049 - len(PREFIX)))
    assert error.reason == "link_too_long"
    assert error.details == {"length": 2049, "limit": 2048}


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/file",
        "ftp://example.com/file",
        "javascript:alert(1)",
        "example.com/file",
        "//example.com/file",
    ],
)
def test_links_that_are_not_https_are_rejected(url: str) -> None:
    error = link_rejection(url)
    assert error.reason == "link_not_https"
    assert "https://" in error.message


@pytest.mark.parametrize(
    "url",
    [
        "https://user:secret@example.com/file",
        "https://token@example.com/file",
        "https://bank.example@evil.example/login",
        "https://@example.com/",
    ],
)
def test_links_with_credentials_are_rejected(url: str) -> None:
    assert link_rejection(url).reason == "link_has_credentials"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://",
        "https:///path",
        "https:example.com",
        "https://exa mple.com/",
        "https://example.com/\tfile",
        " https://example.com/",
        "https://example.com/\x00",
        "https://example.com:99999/",
        "https://example.com:port/",
        "https://[::1/",
        "https://[not-ipv6]/",
        "https://[v1.fe]/",
        "https://ex..com/",
        "https://ex%41mple.com/",
        "https://exa<mple.com/",
    ],
)
def test_malformed_links_are_rejected(url: str) -> None:
    error = link_rejection(url)
    assert error.reason == "link_malformed"
    assert error.message.startswith("The link is not a valid web address")


def test_link_and_text_errors_are_ses_errors() -> None:
    assert isinstance(link_rejection("http://x.com"), SesError)


def test_text_and_link_errors_name_their_request_field() -> None:
    policy = UploadPolicy()
    with pytest.raises(ValidationFailed) as long_text:
        policy.check_response_text("x" * 4001)
    with pytest.raises(ValidationFailed) as plain_link:
        policy.check_link("http://files.example.com/a")
    assert (long_text.value.field, plain_link.value.field) == ("text", "file_sharing_links")
