"""Whose address a request comes from, believing X-Forwarded-For only from trusted proxies.

Without this, anyone could send ``X-Forwarded-For: 1.2.3.<n>`` and get a fresh rate-limit bucket per
request. ``NAVIGATOR_TRUSTED_PROXIES`` lists the reverse proxies (addresses or CIDRs); the client is
the right-most forwarded address that is not one of them. Default: no proxy is trusted, the
socket's peer is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request, proxies: list[str]) -> str:
    peer = request.client.host if request.client else "unknown"
    networks = trusted_networks(tuple(proxies))
    if not networks or not is_trusted(peer, networks):
        return peer
    forwarded = [
        part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()
    ]
    for address in reversed(forwarded):
        if not is_trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return peer  # garbage from the proxy's client: count it against the proxy's peer
    return peer
