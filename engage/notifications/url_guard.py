"""The webhooks' SSRF guard: which URLs engage may POST to, and where they really lead.

A URL must be ``http`` or ``https`` with a host, no credentials, and every address its host
resolves to must be public (``ipaddress``'s ``is_global``, not multicast): loopback, private,
link-local (cloud metadata at 169.254.169.254), shared (100.64/10), reserved and unspecified
addresses are refused, as are IPv4-mapped IPv6 forms of them. ``allow_private`` (the setting
``WEBHOOKS_ALLOW_PRIVATE``) lifts the address rule only. The check runs at registration and
again at each send (DNS can change), and the request then goes to the address that was
checked, so a name that resolves differently a moment later cannot redirect it.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_CHARS = 2000


class RefusedUrl(ValueError):
    """The URL may not be a webhook (the message says why, for the admin)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str          # as written (Host header, TLS server name)
    port: int
    path: str          # path and query, at least "/"
    address: str       # the checked address to connect to


def check(url: str, allow_private: bool = False) -> Target:
    """The target of ``url``, or ``RefusedUrl``."""
    if not isinstance(url, str) or len(url) > MAX_URL_CHARS or any(c in url for c in "\r\n\t "):
        raise RefusedUrl("The URL is not valid.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedUrl("The URL is not valid.") from None
    if parts.scheme not in ("http", "https"):
        raise RefusedUrl("Only http and https URLs can be webhooks.")
    if not parts.hostname:
        raise RefusedUrl("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise RefusedUrl("Credentials in the URL are not supported.")
    port = port or (443 if parts.scheme == "https" else 80)
    address = _resolve(parts.hostname, port, allow_private)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path, address)


def _resolve(host: str, port: int, allow_private: bool) -> str:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise RefusedUrl(f"The host {host!r} does not resolve.") from None
    addresses = [info[4][0] for info in found]
    if not addresses:
        raise RefusedUrl(f"The host {host!r} does not resolve.")
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise RefusedUrl(f"The host {host!r} resolves to a non-public address "
                                 f"({address}); set ENGAGE_WEBHOOKS_ALLOW_PRIVATE=1 to allow it.")
    return addresses[0]


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast
