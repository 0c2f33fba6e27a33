"""Which peers are proxies whose forwarding headers engage believes, and the scheme they report.

``TRUSTED_PROXIES`` lists addresses and networks (CIDR: ``10.0.0.0/8``, ``fd00::/8``).
``trusted_proxies(entries)`` parses it once into a ``TrustedProxies`` set that answers
``address in proxies``; an entry that is neither an address nor a network (or a network with
host bits set, which is usually a typo for a much wider network) raises ValueError with the
entry, so engage refuses to start with it instead of silently trusting nobody (behind a proxy,
every reader would then share the proxy's address: one limit for everyone).

Behind nginx with TLS, engage itself is reached over plain HTTP; without ``TrustedProxyScheme``
cookies would lose their ``Secure`` flag and absolute URLs would say ``http``. Unlike werkzeug's
ProxyFix (which trusts a number of hops, whoever sent them), only a direct peer in
``TRUSTED_PROXIES`` may set the scheme. Client addresses are handled in ``engage.privacy``.
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Iterable


class TrustedProxies:
    """A set of proxy addresses and networks; ``"10.1.2.3" in proxies``. Never raises for
    what it is asked about: anything that is not an IP address is not a proxy."""

    def __init__(self, entries: Iterable[str]):
        self._networks = tuple(_network(entry) for entry in entries)
        # exact addresses answer without parsing (the hot path: one check per request)
        self._exact = frozenset(str(n.network_address) for n in self._networks
                                if n.num_addresses == 1)
        self._wide = tuple(n for n in self._networks if n.num_addresses > 1)

    def __bool__(self) -> bool:
        return bool(self._networks)

    def __contains__(self, address: object) -> bool:
        if not isinstance(address, str) or not self._networks:
            return False
        if address in self._exact:
            return True
        if not self._wide and _canonical_ipv4(address):
            return False  # spelled as str(ip_address()) would: not in _exact, no need to parse
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        ip = getattr(ip, "ipv4_mapped", None) or ip  # an IPv4 peer on a dual-stack socket
        return str(ip) in self._exact or any(ip in network for network in self._wide)


def _canonical_ipv4(address: str) -> bool:
    """Whether ``address`` is a dotted quad exactly as ``str(ipaddress.ip_address(...))``
    spells it (the client hop of every proxied request: parsing it cost more than the rest of
    finding the client's network)."""
    parts = address.split(".")
    return len(parts) == 4 and all(
        part.isascii() and part.isdigit() and len(part) <= 3 and int(part) <= 255
        and (len(part) == 1 or part[0] != "0") for part in parts)


def _network(entry: str):
    text = str(entry).strip()
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        try:
            wider = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValueError(f"ENGAGE_TRUSTED_PROXIES: {text!r} is neither an IP address nor "
                             "a network such as 10.0.0.0/8") from None
        raise ValueError(f"ENGAGE_TRUSTED_PROXIES: {text!r} has host bits set; write the "
                         f"network as {wider}") from None
    if isinstance(network, ipaddress.IPv6Network) and network.network_address.ipv4_mapped \
            and network.num_addresses == 1:
        network = ipaddress.ip_network(network.network_address.ipv4_mapped)
    return network


@functools.lru_cache(maxsize=16)
def _parsed(entries: tuple[str, ...]) -> TrustedProxies:
    return TrustedProxies(entries)


def trusted_proxies(entries) -> TrustedProxies:
    """``entries`` (the ``TRUSTED_PROXIES`` setting, or an already parsed set) parsed once."""
    if isinstance(entries, TrustedProxies):
        return entries
    if isinstance(entries, str):
        entries = [part for part in entries.split(",") if part.strip()]
    return _parsed(tuple(entries or ()))


class TrustedProxyScheme:
    """WSGI middleware: take the scheme from ``X-Forwarded-Proto`` of trusted peers only."""

    def __init__(self, app, proxies):
        self.app = app
        self.trusted = trusted_proxies(proxies)

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") in self.trusted:
            forwarded = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
            if forwarded in ("http", "https"):
                environ["wsgi.url_scheme"] = forwarded
        return self.app(environ, start_response)
