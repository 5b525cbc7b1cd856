"""The client address the limits count, from the address an edge was given (the TCP peer's,
or the one a trusted reverse proxy names: uvicorn puts it in its place)."""

import ipaddress

UNKNOWN = "unknown"


def address_of(host: str | None) -> str:
    """An IPv6 address counts as its /64 network (one subscriber's share), an IPv4-mapped one
    as the IPv4 address; what is no address (a test client's name) as given; none as
    ``unknown``."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return (host or "")[:64] or UNKNOWN
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)
