"""The outbound destination policy: which URLs and addresses Parley may call.

A URL Parley is asked to call (a hub callback, a webhook, a workflow call-out) must be
``http`` or ``https``, carry no credentials, no fragment, no control character, space,
backslash or non-ASCII character, and name a host whose every address is public: none may
be loopback, private, link-local, multicast, unspecified or reserved (IPv4 or IPv6, also
inside IPv4-mapped, 6to4 and NAT64 addresses). ``localhost`` and ``*.localhost`` are refused
by name. PARLEY_OUTBOUND_ALLOW lets an administrator name hosts, addresses and networks
(each with an optional ``:port``) that may be called all the same.

The URL is checked when it is registered (``check_url``), and the address again when the
connection is made (``parley.outbound.http``), on what the host resolves to then; the
connection goes to the address that was checked.

This module imports nothing of Parley: the settings check PARLEY_OUTBOUND_ALLOW with it.
"""

import re
import socket
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import (
    IPv4Address,
    IPv4Network,
    IPv6Address,
    IPv6Network,
    ip_address,
    ip_network,
)
from urllib.parse import urlsplit

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network

DEFAULT_PORTS = {"http": 80, "https": 443}
NAT64 = IPv6Network("64:ff9b::/96")  # RFC 6052's well-known prefix: the IPv4 address inside
# One message for every refusal found by resolving: the caller learns neither whether a name
# exists nor what it resolves to (an oracle of internal names otherwise).
NOT_CALLABLE = "the host is unknown or not one Parley may call (outbound policy)"
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)")


class Refused(Exception):
    """A URL or an address the policy does not let Parley call; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Allowed:
    """One PARLEY_OUTBOUND_ALLOW entry: a host name or a network, and perhaps a port."""

    name: str | None = None
    network: IPNetwork | None = None
    port: int | None = None

    def admits_name(self, host: str, port: int) -> bool:
        return self.name is not None and self.name == host and self.port in (None, port)

    def admits_address(self, address: IPAddress, port: int) -> bool:
        if self.network is None or self.port not in (None, port):
            return False
        mapped = getattr(address, "ipv4_mapped", None)
        return any(
            a.version == self.network.version and a in self.network for a in (address, mapped) if a
        )


@dataclass(frozen=True)
class Target:
    """What a URL that passed the checks calls: its host (lower case, as written) and port."""

    scheme: str
    host: str
    port: int
    address: IPAddress | None  # the host, when it is an address (in any spelling)


# -- addresses --------------------------------------------------------------------------------


def forbidden(address: IPAddress) -> bool:
    """Whether an address is one Parley never calls unless allowed: loopback, private,
    link-local, multicast, unspecified, reserved, or not globally reachable; an IPv6
    address carrying an IPv4 one (mapped, 6to4, NAT64) is judged by that one too."""
    if isinstance(address, IPv6Address):
        inside = address.ipv4_mapped or address.sixtofour
        if address in NAT64:
            inside = IPv4Address(int(address) & 0xFFFFFFFF)
        if inside is not None:
            if forbidden(inside):
                return True
            if address.ipv4_mapped or address in NAT64:
                return False  # the IPv4 address is what is reached
        if address.is_site_local:
            return True
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or not address.is_global
    )


def loose_ipv4(host: str) -> IPv4Address | None:
    """The IPv4 address a host spelled as ``inet_aton`` reads it means (``2130706433``,
    ``0177.0.0.1``, ``0x7f.1``, ``127.1``), or None if it is no such spelling."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMERIC_LABEL.fullmatch(p) for p in parts):
        return None
    numbers = []
    for part in parts:
        if part.startswith("0x"):
            if len(part) == 2:
                return None
            numbers.append(int(part, 16))
        elif len(part) > 1 and part.startswith("0"):
            if not set(part) <= set("01234567"):
                return None
            numbers.append(int(part, 8))
        else:
            numbers.append(int(part))
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        return None
    value = last
    for position, number in enumerate(head):
        value += number << (8 * (3 - position))
    return IPv4Address(value)


# -- the allow-list ---------------------------------------------------------------------------


def parse_allow(text: str | None) -> tuple[Allowed, ...]:
    """PARLEY_OUTBOUND_ALLOW: comma-separated host names, addresses and networks (CIDR),
    each with an optional ``:port``; IPv6 in brackets when a port follows
    (``[fd00::/8]:8443``). Raises ValueError naming a bad entry."""
    entries = []
    for raw in (text or "").split(","):
        entry = raw.strip().lower()
        if entry:
            try:
                entries.append(_allowed(entry))
            except ValueError:
                raise ValueError(
                    f"{raw.strip()!r} is not a host name, address or network (CIDR) with an "
                    "optional :port"
                ) from None
    return tuple(entries)


def _allowed(entry: str) -> Allowed:
    port = None
    bracketed = re.fullmatch(r"\[([^\]]+)\](?::([0-9]+))?", entry)
    if bracketed:
        host, port = bracketed.group(1), bracketed.group(2)
    elif entry.count(":") >= 2:
        host = entry  # IPv6 without a port
    else:
        host, _, port = entry.partition(":")
        port = port if ":" in entry else None
    number = None
    if port is not None:
        number = int(port) if port.isdigit() else 0
        if not 1 <= number <= 65535:
            raise ValueError(entry)
    if "/" in host or ":" in host or re.fullmatch(r"[0-9.]+", host):
        return Allowed(network=ip_network(host), port=number)
    name = host.rstrip(".")
    if not _valid_name(name) or _NUMERIC_LABEL.fullmatch(name.rsplit(".", 1)[-1]):
        raise ValueError(entry)
    return Allowed(name=name, port=number)


def _valid_name(name: str) -> bool:
    return 0 < len(name) <= 253 and all(_LABEL.fullmatch(label) for label in name.split("."))


# -- the policy -------------------------------------------------------------------------------


class OutboundPolicy:
    """The rules with one allow-list. ``check_url`` when a URL is registered; ``resolve``
    when a connection is made (it answers only addresses that passed)."""

    def __init__(self, allow: tuple[Allowed, ...] = ()):
        self.allow = tuple(allow)

    @staticmethod
    @lru_cache(maxsize=32)
    def of(allow_text: str | None) -> "OutboundPolicy":
        """The policy for a PARLEY_OUTBOUND_ALLOW value (settings.outbound_allow)."""
        return OutboundPolicy(parse_allow(allow_text))

    def trusting(self, url: str) -> "OutboundPolicy":
        """This policy, also admitting the host and port of ``url``: for an address the
        operator set (PARLEY_BILLING_URL, PARLEY_ORDERING_URL), which no caller can change."""
        target = check_syntax(url)
        if target.address is not None:
            extra = Allowed(network=ip_network(target.address), port=target.port)
        else:
            extra = Allowed(name=target.host.rstrip("."), port=target.port)
        return OutboundPolicy((*self.allow, extra))

    def check_url(self, url: str, resolve: bool = True) -> Target:
        """Raises Refused unless Parley may call ``url``: its form, then its host. A host name
        is resolved (``resolve``) and every address checked; one that does not resolve is
        refused too (it could be an internal name)."""
        target = check_syntax(url)
        try:
            self.check_host(target.host, target.port, resolve)
        except OSError:
            raise Refused(NOT_CALLABLE) from None
        return target

    def check_host(self, host: str, port: int, resolve: bool = True) -> None:
        """Refused unless the host may be called on this port: by name or address, and
        (``resolve``) by every address it resolves to; OSError if it does not resolve."""
        if self.name_allowed(host, port):
            return
        literal = _literal(host)
        if literal is not None:
            self.check_address(literal, port)
        elif _is_localhost(host):
            raise Refused(NOT_CALLABLE)
        elif resolve:
            self.resolve(host, port)

    def name_allowed(self, host: str, port: int) -> bool:
        name = host.lower().rstrip(".")
        return any(entry.admits_name(name, port) for entry in self.allow)

    def check_address(self, address: IPAddress, port: int) -> None:
        if forbidden(address) and not any(e.admits_address(address, port) for e in self.allow):
            raise Refused(NOT_CALLABLE)

    def resolve(self, host: str, port: int) -> list[tuple]:
        """``socket.getaddrinfo``'s answers for ``host`` (TCP) once, every address checked:
        all of them pass, or Refused is raised. OSError when the name does not resolve."""
        named = self.name_allowed(host, port)
        if not named:
            self.check_host(host, port, resolve=False)
        try:
            answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except UnicodeError:
            raise Refused("the host is not a valid host name or address") from None
        if not answers:
            raise OSError(f"no address for {host}")
        if not named:
            for answer in answers:
                self.check_address(_address_of(answer[4][0]), port)
        return answers


def check_syntax(url: str) -> Target:
    """The checks of a URL's form alone (no allow-list, no resolving): scheme, credentials,
    characters, fragment, host and port. Raises Refused."""
    if not isinstance(url, str) or not url:
        raise Refused("an http(s) URL is needed")
    if any(not 0x21 <= ord(c) <= 0x7E or c == "\\" for c in url):
        raise Refused(
            "spaces, control characters, backslashes and non-ASCII characters are not allowed "
            "(percent-encode them; an international host name in its xn-- form)"
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        raise Refused("an http(s) URL is needed") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.netloc:
        raise Refused("an http(s) URL is needed")
    if "#" in url:
        raise Refused("a fragment (#) is not allowed")
    if "@" in parts.netloc:
        raise Refused("credentials (user:password@) are not allowed in the URL")
    try:
        port = parts.port
    except ValueError:
        raise Refused("the port is not a number from 1 to 65535") from None
    if port == 0:
        raise Refused("the port is not a number from 1 to 65535")
    host = (parts.hostname or "").lower()
    if not host:
        raise Refused("an http(s) URL with a host is needed")
    address: IPAddress | None
    if parts.netloc.startswith("["):
        try:
            address = IPv6Address(host)
        except ValueError:
            raise Refused("the host is not a valid IPv6 address") from None
    else:
        address = _literal(host)
        name = host.rstrip(".")
        if address is None and (
            not _valid_name(name) or _NUMERIC_LABEL.fullmatch(name.rsplit(".", 1)[-1])
        ):
            raise Refused("the host is not a valid host name or address")
    return Target(scheme, host, port or DEFAULT_PORTS[scheme], address)


def _literal(host: str) -> IPAddress | None:
    """The address a host is written as, in any spelling (IPv6 with or without brackets)."""
    host = host.strip("[]")
    if ":" in host:
        try:
            return IPv6Address(host)
        except ValueError:
            return None
    return loose_ipv4(host.rstrip(".")) if host else None


def _address_of(text: str) -> IPAddress:
    return ip_address(text.split("%", 1)[0])  # a link-local IPv6 answer may carry a zone


def _is_localhost(host: str) -> bool:
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")
