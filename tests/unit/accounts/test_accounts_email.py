"""E-mail addresses: the documented RFC 5322 subset, and case-insensitive identity."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ses_core.accounts import check_email_address, email_key, email_problem, is_email_address
from ses_core.errors import ValidationFailed


@pytest.mark.parametrize(
    "address",
    [
        "ann@example.com",
        "ann.lee@mail.example.co.uk",
        "ann+complaints@example.org",
        "o'brien@example.ie",
        "a!#$%&'*+/=?^_`{|}~-z@example.com",
        "x@sub-domain.example.museum",
        "ann@xn--bcher-kva.example",
        "ann@example.xn--p1ai",
        "1234@123.example",
    ],
)
def test_common_real_world_addresses_are_accepted(address: str) -> None:
    assert is_email_address(address)
    assert check_email_address(address) == address


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("", "it is blank"),
        ("   ", "it is blank"),
        ("ann.example.com", "exactly one @"),
        ("ann@@example.com", "exactly one @"),
        ("ann@lee@example.com", "exactly one @"),
        ("@example.com", "the part before the @ is empty"),
        ("ann@", "needs a dot"),
        ("ann@localhost", "needs a dot"),
        (".ann@example.com", "single dots"),
        ("ann.@example.com", "single dots"),
        ("ann..lee@example.com", "single dots"),
        ('"ann lee"@example.com', "single dots"),
        ("ann lee@example.com", "single dots"),
        ("ann@exa mple.com", "each dot-separated part"),
        ("ann@-example.com", "each dot-separated part"),
        ("ann@example-.com", "each dot-separated part"),
        ("ann@example..com", "each dot-separated part"),
        ("ann@example.com.", "each dot-separated part"),
        ("ann@example_x.com", "each dot-separated part"),
        ("ann@[10.0.0.1]", "each dot-separated part"),
        ("ann@10.0.0.1", "is not a top-level domain"),
        ("ann@example.c", "is not a top-level domain"),
        ("ann@example.c0m", "is not a top-level domain"),
        ("ännchen@example.com", "plain ASCII"),
        ("ann@bücher.example", "plain ASCII"),
        ("a" * 65 + "@example.com", "longer than 64"),
        ("ann@" + "a" * 64 + ".com", "each dot-separated part"),
        ("ann@" + ".".join(["abcdefghi"] * 25) + ".com", "longer than 254"),
    ],
)
def test_malformed_addresses_are_refused_with_the_problem_named(address: str, problem: str) -> None:
    assert email_problem(address) is not None
    assert problem in (email_problem(address) or "")
    assert not is_email_address(address)

    with pytest.raises(ValidationFailed) as refused:
        check_email_address(address)

    assert refused.value.reason == "email_invalid"
    assert problem in refused.value.message
    assert refused.value.message.endswith("write it as name@example.com.")


def test_the_message_names_the_field_when_told_which_it_is() -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_email_address("ann", what="the contact's e-mail")

    assert refused.value.message.startswith("The contact's e-mail 'ann' is not a valid e-mail")


def test_blanks_are_trimmed_and_only_the_domain_is_lowercased() -> None:
    assert check_email_address("  Ann.Lee@Example.COM \n") == "Ann.Lee@example.com"


def test_addresses_differing_only_in_case_have_the_same_key() -> None:
    assert email_key(" Ann@Example.com") == email_key("ann@EXAMPLE.COM") == "ann@example.com"


_ATEXT = st.sampled_from(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-"
)
_ATOM = st.text(_ATEXT, min_size=1, max_size=10)
_LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
_TLD = st.from_regex(r"[a-z]{2,6}", fullmatch=True)


@given(
    local=st.lists(_ATOM, min_size=1, max_size=4).map(".".join),
    labels=st.lists(_LABEL, min_size=1, max_size=3),
    tld=_TLD,
)
def test_every_dot_atom_address_within_the_limits_is_accepted(
    local: str, labels: list[str], tld: str
) -> None:
    address = f"{local}@{'.'.join([*labels, tld])}"
    assert check_email_address(address) == address
