"""Where webhooks may go (``ses_core.notifications.WebhookTargetPolicy``): pure rules."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ses_core.errors import ErrorKind
from ses_core.notifications import (
    SPECIAL_RANGES,
    AddressRule,
    AllowedTargets,
    WebhookTargetPolicy,
    WebhookTargetRefused,
    parse_webhook_url,
    special_address,
)

CLOSED = WebhookTargetPolicy()

# Every form the issue lists, and the neighbours of each.
REFUSED_URLS = [
    ("https://169.254.169.254/latest/meta-data/", "webhook_target_link_local"),
    ("https://10.0.0.7/", "webhook_target_private"),
    ("https://192.168.1.10/", "webhook_target_private"),
    ("https://172.16.5.5/", "webhook_target_private"),
    ("https://127.0.0.1:4222/", "webhook_target_loopback"),
    ("http://localhost:8222/varz", "webhook_target_loopback"),
    ("https://api.localhost/", "webhook_target_loopback"),
    ("https://[::1]/", "webhook_target_loopback"),
    ("https://[fe80::1]/", "webhook_target_link_local"),
    ("https://[::ffff:127.0.0.1]/", "webhook_target_loopback"),
    ("https://[::ffff:a9fe:a9fe]/", "webhook_target_link_local"),
    ("https://[::127.0.0.1]/", "webhook_target_loopback"),
    ("https://[64:ff9b::10.0.0.1]/", "webhook_target_private"),
    ("https://[2002:c0a8:10a::]/", "webhook_target_private"),
    ("https://2130706433/", "webhook_target_loopback"),
    ("https://0x7f.1/", "webhook_target_loopback"),
    ("https://017700000001/", "webhook_target_loopback"),
    ("https://127.1/", "webhook_target_loopback"),
    ("https://0x7f000001/", "webhook_target_loopback"),
    ("https://127.0.0.1./", "webhook_target_loopback"),
    ("https://0.0.0.0/", "webhook_target_unspecified"),
    ("https://0/", "webhook_target_unspecified"),
    ("https://[::]/", "webhook_target_unspecified"),
    ("https://[fc00::1]/", "webhook_target_unique_local"),
    ("https://[fd12:3456::1]/", "webhook_target_unique_local"),
    ("https://224.0.0.1/", "webhook_target_multicast"),
    ("https://[ff02::1]/", "webhook_target_multicast"),
    ("https://100.64.0.1/", "webhook_target_shared"),
    ("https://192.0.0.8/", "webhook_target_reserved"),
    ("https://198.18.0.1/", "webhook_target_reserved"),
    ("https://240.0.0.1/", "webhook_target_reserved"),
    ("https://255.255.255.255/", "webhook_target_reserved"),
    ("https://192.0.2.1/", "webhook_target_reserved"),
    ("https://198.51.100.7/", "webhook_target_reserved"),
    ("https://203.0.113.9/", "webhook_target_reserved"),
    ("https://[2001:db8::1]/", "webhook_target_reserved"),
    ("https://[2001::1]/", "webhook_target_reserved"),
    ("https://[4000::1]/", "webhook_target_reserved"),
    ("https://134744072/", "webhook_host_not_canonical"),
    ("https://[fe80::1%25eth0]/", "webhook_host_invalid"),
    ("https://[v1.x]/", "webhook_host_invalid"),
    ("https://[::8.8.8.8]/", "webhook_target_reserved"),
    ("https://1.2.3.4.5/", "webhook_host_invalid"),
    ("https://09.1.1.1/", "webhook_host_invalid"),
    ("https://" + "ü" * 64 + ".example/", "webhook_host_invalid"),
    ("https:///no-host", "webhook_url_invalid"),
    ("https://256.1.1.1/", "webhook_host_invalid"),
    ("https://exa_mple.org/", "webhook_host_invalid"),
    ("http://8.8.8.8/", "webhook_url_not_https"),
    ("ftp://hooks.example.org/", "webhook_url_not_https"),
    ("https://user:pw@hooks.example.org/", "webhook_url_credentials"),
    ("https://hooks.example.org:99999/", "webhook_url_invalid"),
    ("https://hooks.example.org/a b", "webhook_url_invalid"),
    ("", "webhook_url_invalid"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED_URLS)
def test_every_form_of_an_inside_address_is_refused_naming_its_rule(url: str, reason: str) -> None:
    with pytest.raises(WebhookTargetRefused) as refused:
        CLOSED.check_url(url)
    assert refused.value.reason == reason
    assert refused.value.kind is ErrorKind.INVALID
    assert refused.value.field == "url"
    assert refused.value.message.startswith(("url ", "url's host"))


def test_a_numeric_host_is_named_with_the_address_it_stands_for() -> None:
    with pytest.raises(WebhookTargetRefused) as refused:
        CLOSED.check_url("https://2130706433/")
    assert "2130706433 stands for 127.0.0.1, a loopback address" in refused.value.message


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.org/ses",
        "https://8.8.8.8/hook",
        "https://[2606:4700::1111]/",
        "https://[::ffff:8.8.8.8]/",
        "https://[64:ff9b::8.8.8.8]/",
        "https://bücher.example/",
    ],
)
def test_public_https_targets_pass(url: str) -> None:
    assert CLOSED.check_url(f"  {url} ").url == url


def test_a_url_is_taken_apart_for_the_connection() -> None:
    target = parse_webhook_url("https://Hooks.Example.org.:8443/in?x=1#frag")
    assert (target.host, target.port, target.request_target) == (
        "hooks.example.org",
        8443,
        "/in?x=1",
    )
    assert target.tls
    assert target.address is None
    assert parse_webhook_url("http://[2606:4700::1]").request_target == "/"
    assert parse_webhook_url("http://[2606:4700::1]").port == 80
    assert parse_webhook_url("https://bücher.example/").host == "xn--bcher-kva.example"


def test_resolved_addresses_must_all_be_public() -> None:
    target = CLOSED.check_url("https://hooks.example.org/")
    CLOSED.check_addresses(target, [ip_address("93.184.215.14")])
    with pytest.raises(WebhookTargetRefused) as refused:
        CLOSED.check_addresses(target, [ip_address("93.184.215.14"), ip_address("10.1.2.3")])
    assert refused.value.reason == "webhook_target_private"
    assert "hooks.example.org, which resolves to 10.1.2.3" in refused.value.message


def test_the_private_switch_opens_this_machine_and_the_lan_and_plain_http_to_them() -> None:
    trial = WebhookTargetPolicy(allow_private=True)
    for url in ("http://127.0.0.1:8080/hook", "https://10.0.0.7/", "https://[fd00::1]/"):
        trial.check_url(url)
    local = trial.check_url("http://receiver.test:8080/")
    trial.check_addresses(local, [ip_address("127.0.0.1")])
    # Still closed: cloud metadata, reserved ranges, 0.0.0.0; and http to the internet.
    for url, reason in (
        ("https://169.254.169.254/", "webhook_target_link_local"),
        ("https://198.18.0.1/", "webhook_target_reserved"),
        ("https://0.0.0.0/", "webhook_target_unspecified"),
        ("http://8.8.8.8/", "webhook_url_not_https"),
    ):
        with pytest.raises(WebhookTargetRefused) as refused:
            trial.check_url(url)
        assert refused.value.reason == reason


def test_the_allowlist_opens_named_hosts_and_networks_only() -> None:
    allowed = AllowedTargets.parse(["hooks.internal.example", "10.20.0.0/16", "[fd00::5]"])
    policy = WebhookTargetPolicy(allowed=allowed)
    internal = policy.check_url("http://hooks.internal.example/in")
    policy.check_addresses(internal, [ip_address("169.254.1.1"), ip_address("10.9.9.9")])
    policy.check_url("https://10.20.3.4/")
    policy.check_url("https://[::ffff:10.20.3.4]/")
    policy.check_url("https://[fd00::5]/")
    for url in ("https://10.21.0.1/", "https://192.168.1.1/", "https://[fd00::6]/"):
        with pytest.raises(WebhookTargetRefused):
            policy.check_url(url)
    everything = WebhookTargetPolicy(allowed=AllowedTargets.parse(["0.0.0.0/0"]))
    with pytest.raises(WebhookTargetRefused) as never:
        everything.check_url("https://0.0.0.0/")
    assert never.value.reason == "webhook_target_unspecified"
    other = policy.check_url("https://other.example/")
    with pytest.raises(WebhookTargetRefused):
        policy.check_addresses(other, [ip_address("10.9.9.9")])


@pytest.mark.parametrize("entry", ["hooks example", "10.0.0.1/8", "127.1", ""])
def test_an_allowlist_entry_that_is_neither_host_nor_network_is_refused(entry: str) -> None:
    with pytest.raises(ValueError, match="neither a host name nor a network"):
        AllowedTargets.parse([entry])


def test_special_ranges_are_classified_by_their_table_row() -> None:
    for special in SPECIAL_RANGES:
        found = special_address(special.network.network_address)
        assert found is not None
        assert found.rule is special.rule
    scoped = special_address(ip_address("fe80::1%eth0"))
    assert scoped is not None
    assert scoped.rule is AddressRule.LINK_LOCAL
    assert special_address(ip_address("8.8.8.8")) is None
    assert special_address(ip_address("2606:4700::1111")) is None


_SPECIAL_V4 = [row for row in SPECIAL_RANGES if row.network.version == 4]


@st.composite
def special_ipv4(draw: st.DrawFn) -> tuple[IPv4Address, AddressRule]:
    row = draw(st.sampled_from(_SPECIAL_V4))
    first = int(row.network.network_address)
    offset = draw(st.integers(min_value=0, max_value=row.network.num_addresses - 1))
    return IPv4Address(first + offset), row.rule


@given(special_ipv4())
def test_an_inside_ipv4_address_is_refused_in_every_form_with_its_own_rule(
    drawn: tuple[IPv4Address, AddressRule],
) -> None:
    address, rule = drawn
    value = int(address)
    forms = [
        str(address),
        str(value),
        hex(value),
        f"[::ffff:{address}]",
        f"[64:ff9b::{address}]",
        f"[{IPv6Address((0x2002 << 112) | (value << 80))}]",
    ]
    for host in forms:
        with pytest.raises(WebhookTargetRefused) as refused:
            CLOSED.check_url(f"https://{host}/")
        assert refused.value.reason == f"webhook_target_{rule}", host


@given(
    st.integers(min_value=int(IPv4Address("8.0.0.0")), max_value=int(IPv4Address("8.255.255.255")))
)
def test_a_public_ipv4_address_passes_in_its_routed_forms_and_only_dotted(value: int) -> None:
    address = IPv4Address(value)
    for host in (str(address), f"[::ffff:{address}]", f"[64:ff9b::{address}]"):
        CLOSED.check_url(f"https://{host}/")
    with pytest.raises(WebhookTargetRefused) as refused:
        CLOSED.check_url(f"https://{value}/")
    assert refused.value.reason == "webhook_host_not_canonical"
