"""Where webhooks may go: the rule that keeps the notify service from being aimed inside
the network it runs in (server-side request forgery, OWASP ASVS V12.6).

Pure: URLs are parsed and addresses classified with the standard library's ``urllib``
and ``ipaddress``; the notify service resolves host names and connects, to exactly the
addresses this module approved (see ``ses_notify.webhook_targets``). The same checks run
when an endpoint is registered and again before every delivery.

A target is refused (:class:`WebhookTargetRefused`, INVALID_ARGUMENT on field ``url``,
reason ``webhook_target_<rule>``) when any address it names or resolves to is in one of
the :data:`SPECIAL_RANGES`: loopback, private (RFC 1918), carrier-grade NAT shared,
link-local (where cloud metadata services answer), unique-local, multicast, unspecified
or reserved (IETF assignments, benchmarking, documentation, future use, broadcast). IPv6
is accepted only inside global unicast (``2000::/3``). Addresses that carry an IPv4
address inside an IPv6 one (IPv4-mapped, -compatible and -translated, NAT64, 6to4) are
judged by the IPv4 address they carry.

Choices where the issue is silent:

* Numeric host forms that only some parsers read as addresses (``2130706433``,
  ``0x7f.1``, ``017700000001``, ``127.1``; the WHATWG URL rule "ends in a number") are
  decoded as those parsers do and refused: with the rule of the address they stand for,
  or, when that address is public, as ``webhook_host_not_canonical`` (write the dotted
  quad). ``localhost`` and names under ``.localhost`` are loopback by definition
  (RFC 6761) and refused without asking DNS.
* ``allow_private`` (a deployment setting, off by default) opens loopback, private,
  shared and unique-local addresses, for trying webhooks on one machine. Link-local
  (cloud metadata) and reserved ranges stay closed to it; only ``allowed`` opens them.
* ``allowed`` lists host names (exact, case-insensitive) and networks (CIDR, or one
  address) that may be reached although special: an in-cluster receiver, say. Public
  targets need no listing. Unspecified (``0.0.0.0`` reaches the local machine) and
  multicast addresses are never opened, not even by ``allowed``.
* ``https://`` is required, except towards an address that ``allow_private`` or
  ``allowed`` opened: plain ``http://`` never leaves the network.
* A zone id (``[fe80::1%eth0]``) is refused: it only makes sense on a link-local
  address, which is not a webhook target.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_network
from urllib.parse import urlsplit

from ses_core.errors import ValidationFailed

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

MAX_URL_CHARS = 2048
URL_FIELD = "url"

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_HEX_PART = re.compile(r"0[xX][0-9a-fA-F]*")
_GLOBAL_UNICAST = IPv6Network("2000::/3")


class AddressRule(StrEnum):
    """Why an address is not a webhook target; ``webhook_target_<value>`` is the reason."""

    LOOPBACK = "loopback"
    PRIVATE = "private"
    SHARED = "shared"
    LINK_LOCAL = "link_local"
    UNIQUE_LOCAL = "unique_local"
    MULTICAST = "multicast"
    UNSPECIFIED = "unspecified"
    RESERVED = "reserved"


# Rules the deployment's "private targets" switch opens (one machine, one LAN).
OPENED_BY_ALLOW_PRIVATE = frozenset(
    {AddressRule.LOOPBACK, AddressRule.PRIVATE, AddressRule.SHARED, AddressRule.UNIQUE_LOCAL}
)
# Not destinations at all: 0.0.0.0 connects to the local machine, multicast to a group.
NEVER_OPENED = frozenset({AddressRule.UNSPECIFIED, AddressRule.MULTICAST})


@dataclass(frozen=True)
class SpecialRange:
    network: IPNetwork
    rule: AddressRule
    # Completes "… is <what>", for messages.
    what: str


def _range(network: str, rule: AddressRule, what: str) -> SpecialRange:
    return SpecialRange(ip_network(network), rule, what)


_R = AddressRule
SPECIAL_RANGES: tuple[SpecialRange, ...] = (
    _range("0.0.0.0/8", _R.UNSPECIFIED, "an unspecified address, which reaches this machine"),
    _range("10.0.0.0/8", _R.PRIVATE, "a private-network address (RFC 1918)"),
    _range("100.64.0.0/10", _R.SHARED, "a carrier-grade NAT shared address (RFC 6598)"),
    _range("127.0.0.0/8", _R.LOOPBACK, "a loopback address (this machine)"),
    _range("169.254.0.0/16", _R.LINK_LOCAL, "a link-local address (cloud metadata lives there)"),
    _range("172.16.0.0/12", _R.PRIVATE, "a private-network address (RFC 1918)"),
    _range("192.0.0.0/24", _R.RESERVED, "reserved for IETF protocol assignments (RFC 6890)"),
    _range("192.0.2.0/24", _R.RESERVED, "reserved for documentation (RFC 5737)"),
    _range("192.88.99.0/24", _R.RESERVED, "the retired 6to4 relay anycast range (RFC 7526)"),
    _range("192.168.0.0/16", _R.PRIVATE, "a private-network address (RFC 1918)"),
    _range("198.18.0.0/15", _R.RESERVED, "reserved for benchmarking (RFC 2544)"),
    _range("198.51.100.0/24", _R.RESERVED, "reserved for documentation (RFC 5737)"),
    _range("203.0.113.0/24", _R.RESERVED, "reserved for documentation (RFC 5737)"),
    _range("224.0.0.0/4", _R.MULTICAST, "a multicast address"),
    _range("240.0.0.0/4", _R.RESERVED, "reserved (RFC 1112), as is the broadcast address"),
    _range("::/128", _R.UNSPECIFIED, "the unspecified address, which reaches this machine"),
    _range("::1/128", _R.LOOPBACK, "the loopback address (this machine)"),
    _range("64:ff9b:1::/48", _R.RESERVED, "reserved for local-use NAT64 (RFC 8215)"),
    _range("100::/64", _R.RESERVED, "a discard-only address (RFC 6666)"),
    _range("2001::/23", _R.RESERVED, "reserved for IETF protocol assignments (RFC 2928)"),
    _range("2001:db8::/32", _R.RESERVED, "reserved for documentation (RFC 3849)"),
    _range("3fff::/20", _R.RESERVED, "reserved for documentation (RFC 9637)"),
    _range("5f00::/16", _R.RESERVED, "reserved for SRv6 segment identifiers (RFC 9602)"),
    _range("fc00::/7", _R.UNIQUE_LOCAL, "a unique-local address (RFC 4193)"),
    _range("fe80::/10", _R.LINK_LOCAL, "a link-local address"),
    _range("fec0::/10", _R.RESERVED, "a deprecated site-local address (RFC 3879)"),
    _range("ff00::/8", _R.MULTICAST, "a multicast address"),
)
_NOT_GLOBAL_UNICAST = SpecialRange(
    IPv6Network("::/0"), _R.RESERVED, "outside IPv6 global unicast (2000::/3)"
)

# IPv6 ranges that carry an IPv4 address in their last 32 bits: their name, and whether a
# connection to them reaches that IPv4 address (the others are not routed at all).
_CARRIER_RANGES: tuple[tuple[IPv6Network, str, bool], ...] = (
    (IPv6Network("::ffff:0:0/96"), "IPv4-mapped", True),
    (IPv6Network("64:ff9b::/96"), "NAT64", True),
    (IPv6Network("::ffff:0:0:0/96"), "IPv4-translated", False),
    (IPv6Network("::/96"), "IPv4-compatible", False),
)


@dataclass(frozen=True)
class SpecialAddress:
    """An address that is not public, and the range that says why."""

    address: IPAddress
    range: SpecialRange
    # The IPv4 address carried inside ``address``, when the range is that address's.
    carried: IPv4Address | None = None
    carried_as: str = ""

    @property
    def rule(self) -> AddressRule:
        return self.range.rule

    def describe(self) -> str:
        """E.g. "10.0.0.7, a private-network address (RFC 1918)"."""
        if self.carried is None:
            return f"{self.address}, {self.range.what}"
        return (
            f"{self.address}, which carries {self.carried} ({self.carried_as}): {self.range.what}"
        )


def special_address(address: IPAddress) -> SpecialAddress | None:
    """Why ``address`` is not public, or None when it is."""
    if isinstance(address, IPv6Address) and address.scope_id:
        address = IPv6Address(int(address))
    found = _special_range(address)
    if found is not None:
        return SpecialAddress(address, found)
    if isinstance(address, IPv4Address):
        return None
    carried = _carried_ipv4(address)
    if carried is not None:
        inner, name, reaches_it = carried
        inner_range = _special_range(inner)
        if inner_range is not None:
            return SpecialAddress(address, inner_range, inner, name)
        if reaches_it:
            return None
    if address not in _GLOBAL_UNICAST:
        return SpecialAddress(address, _NOT_GLOBAL_UNICAST)
    return None


def _special_range(address: IPAddress) -> SpecialRange | None:
    for special in SPECIAL_RANGES:
        if address.version == special.network.version and address in special.network:
            return special
    return None


def _carried_ipv4(address: IPv6Address) -> tuple[IPv4Address, str, bool] | None:
    for network, name, reaches_it in _CARRIER_RANGES:
        if address in network:
            return IPv4Address(int(address) & 0xFFFFFFFF), name, reaches_it
    if address.sixtofour is not None:
        return address.sixtofour, "6to4", True
    return None


# -- URLs --------------------------------------------------------------------------------


class WebhookTargetRefused(ValidationFailed):
    """A webhook URL the platform will not send to; the message says why and what to do."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, reason=reason, field=URL_FIELD)


@dataclass(frozen=True)
class WebhookTarget:
    """A webhook URL, taken apart: what the connection needs."""

    url: str
    scheme: str
    # Lower case, ASCII (IDNA), without brackets or a trailing dot.
    host: str
    port: int
    # Path and query, as sent in the request line.
    request_target: str
    # Set when the URL names an address instead of a host name: nothing to resolve.
    address: IPAddress | None

    @property
    def tls(self) -> bool:
        return self.scheme == "https"


def parse_webhook_url(url: str) -> WebhookTarget:
    """``url`` taken apart, or :class:`WebhookTargetRefused` when it is not a usable URL.

    Addresses are not judged here (see :meth:`WebhookTargetPolicy.check_url`).
    """
    url = url.strip()
    if not url or len(url) > MAX_URL_CHARS:
        raise _refused(
            f"url must be an https:// address of at most {MAX_URL_CHARS} characters.",
            "webhook_url_invalid",
        )
    if any(char.isspace() or unicodedata.category(char) in ("Cc", "Cs") for char in url):
        raise _refused(
            "url contains spaces or invisible characters; percent-encode them.",
            "webhook_url_invalid",
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refused(
            "url cannot be parsed as a URL (check the brackets and the port).",
            "webhook_url_invalid",
        ) from None
    if parts.scheme not in ("https", "http"):
        raise _refused(
            "url must start with https://: webhooks carry complaint notices.",
            "webhook_url_not_https",
        )
    if parts.username is not None or parts.password is not None:
        raise _refused(
            "url must not contain a user name or password; verify the webhook-signature "
            "header instead.",
            "webhook_url_credentials",
        )
    raw_host = parts.hostname or ""
    if not raw_host:
        raise _refused("url names no host.", "webhook_url_invalid")
    host, address = _host_and_address(raw_host, bracketed="[" in parts.netloc)
    query = f"?{parts.query}" if parts.query else ""
    return WebhookTarget(
        url=url,
        scheme=parts.scheme,
        host=host,
        port=port if port is not None else (443 if parts.scheme == "https" else 80),
        request_target=(parts.path or "/") + query,
        address=address,
    )


def _host_and_address(host: str, *, bracketed: bool) -> tuple[str, IPAddress | None]:
    if bracketed:
        if "%" in host:
            raise _refused(
                f"url's host {host} has a zone id (%…); name a global address or a host name.",
                "webhook_host_invalid",
            )
        try:
            return host, IPv6Address(host)
        except ValueError:
            raise _refused(
                f"url's host [{host}] is not an IPv6 address.", "webhook_host_invalid"
            ) from None
    name = _ascii_host_name(host)
    if _ends_in_a_number(name):
        return name, _dotted_quad(name)
    if not all(_LABEL.fullmatch(label) for label in name.split(".")) or len(name) > 253:
        raise _refused(f"url's host {name!r} is not a valid host name.", "webhook_host_invalid")
    if name == "localhost" or name.endswith(".localhost"):
        raise _refused(
            f"url points at {name}, a loopback name (this machine, RFC 6761): {_PUBLIC_ONLY}",
            f"webhook_target_{AddressRule.LOOPBACK}",
        )
    return name, None


def _ascii_host_name(host: str) -> str:
    host = host.lower().removesuffix(".")
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise _refused(
            f"url's host {host!r} is not a valid host name.", "webhook_host_invalid"
        ) from None


def _ends_in_a_number(host: str) -> bool:
    # The WHATWG URL rule: such a host is an IPv4 address for browsers and C resolvers.
    last = host.rsplit(".", 1)[-1]
    return last.isdigit() or _HEX_PART.fullmatch(last) is not None


def _dotted_quad(host: str) -> IPv4Address:
    """The address a numeric host stands for; refused unless written as a dotted quad."""
    address = _numeric_ipv4(host)
    if address is None:
        raise _refused(f"url's host {host!r} is not a valid IPv4 address.", "webhook_host_invalid")
    if str(address) == host:
        return address
    special = special_address(address)
    if special is not None:
        raise _refused(
            f"url's host {host} stands for {special.describe()}: {_PUBLIC_ONLY}",
            f"webhook_target_{special.rule}",
        )
    raise _refused(
        f"url's host {host} is {address} written as a number; write it as {address}.",
        "webhook_host_not_canonical",
    )


def _numeric_ipv4(host: str) -> IPv4Address | None:
    """``host`` read as ``inet_aton`` and the WHATWG URL parser read it, or None."""
    parts = host.split(".")
    if len(parts) > 4:
        return None
    numbers: list[int] = []
    for part in parts:
        if _HEX_PART.fullmatch(part):
            numbers.append(int(part[2:] or "0", 16))
        elif part.isdigit() and part.isascii():
            octal = len(part) > 1 and part.startswith("0")
            if octal and not all(digit in "01234567" for digit in part):
                return None
            numbers.append(int(part, 8 if octal else 10))
        else:
            return None
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for position, number in enumerate(leading):
        value += number << (8 * (3 - position))
    return IPv4Address(value)


# -- the policy --------------------------------------------------------------------------


_PUBLIC_ONLY = "webhooks go to public addresses only, unless the platform's operators allow it."


@dataclass(frozen=True)
class AllowedTargets:
    """Host names and networks a deployment lets webhooks reach although not public."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowedTargets:
        """From entries such as ``hooks.internal.example``, ``10.20.0.0/16`` or ``::1``;
        ``ValueError`` names the first entry that is neither a host name nor a network."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            text = entry.strip()
            try:
                networks.append(ip_network(text.strip("[]")))
                continue
            except ValueError:
                pass
            name = text.lower().removesuffix(".")
            valid = name.isascii() and all(_LABEL.fullmatch(label) for label in name.split("."))
            if not valid or _ends_in_a_number(name):
                raise ValueError(
                    f"{entry!r} is neither a host name nor a network such as 10.20.0.0/16"
                )
            hosts.add(name)
        return cls(frozenset(hosts), tuple(networks))

    def covers(self, host: str, special: SpecialAddress) -> bool:
        if host in self.hosts:
            return True
        candidates = [special.address] + ([special.carried] if special.carried else [])
        return any(
            candidate.version == network.version and candidate in network
            for candidate in candidates
            for network in self.networks
        )


@dataclass(frozen=True)
class WebhookTargetPolicy:
    """Which webhook targets a deployment sends to (see the module docstring)."""

    allow_private: bool = False
    allowed: AllowedTargets = AllowedTargets()

    def check_url(self, url: str) -> WebhookTarget:
        """``url`` taken apart, when its form and any address it names are acceptable.

        A host name still has to be resolved and its addresses checked
        (:meth:`check_addresses`) before anything is sent.
        """
        target = parse_webhook_url(url)
        if target.address is not None:
            self.check_addresses(target, (target.address,))
        return target

    def check_addresses(self, target: WebhookTarget, addresses: Sequence[IPAddress]) -> None:
        """Refuse unless every address ``target`` resolved to may be reached."""
        for address in addresses:
            special = special_address(address)
            if special is None:
                if not target.tls:
                    raise _refused(
                        f"url must start with https://: {target.host} is on the public "
                        "internet, and plain http:// is only for receivers inside the network "
                        "that the platform's operators allowed.",
                        "webhook_url_not_https",
                    )
            elif not self._opens(target.host, special):
                via = "" if target.address is not None else f"{target.host}, which resolves to "
                raise _refused(
                    f"url points at {via}{special.describe()}: {_PUBLIC_ONLY}",
                    f"webhook_target_{special.rule}",
                )

    def _opens(self, host: str, special: SpecialAddress) -> bool:
        if special.rule in NEVER_OPENED:
            return False
        if self.allow_private and special.rule in OPENED_BY_ALLOW_PRIVATE:
            return True
        return self.allowed.covers(host, special)


def _refused(message: str, reason: str) -> WebhookTargetRefused:
    return WebhookTargetRefused(message, reason=reason)
