"""A reader's website: one canonical, harmless form, at input and again at publication.

``normalize_website`` is what ``author_url`` becomes when a comment is posted (the schema turns
its ValueError into a 422), and ``public_website`` re-applies it to stored values when they are
published, so rows written before it existed are published in the same form (or not at all).

The canonical form: scheme and host lower case; an internationalised host in its ASCII (IDNA
2008 / UTS #46) form, so look-alike Unicode cannot pass as another name and one site has one
spelling; no default port; characters outside URL syntax in the path,
query and fragment percent-encoded. Refused: anything but ``http(s)://`` with a host, user
names or passwords (``https://trusted.example@evil.example/`` shows one host and goes to
another), backslashes (browsers read them as ``/``, Python does not), whitespace, control and
invisible format characters, ports out of range, and hosts that are not valid names or IPs.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote, urlsplit, urlunsplit

import idna

from engage.privacy import url_has_email

INVALID = "Website must be an http:// or https:// address."
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ASCII_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
# RFC 3986 reserved and unreserved characters and '%': everything else gets percent-encoded.
_URL_SAFE = "!#$&'()*+,/:;=?@[]~-._%"


def normalize_website(value: str) -> str:
    """The canonical form of ``value``, or ValueError with a reason a reader can act on."""
    value = value.strip()
    if "\\" in value or any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")
                            for ch in value):
        raise ValueError(INVALID)
    try:
        parts = urlsplit(value)
        port = parts.port  # ValueError when not a number in range
    except ValueError as error:
        raise ValueError(INVALID) from error
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(INVALID)
    if "@" in parts.netloc:
        raise ValueError("Website must not contain a user name or password.")
    host = _canonical_host(parts.hostname, bracketed="[" in parts.netloc)
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, quote(parts.path, safe=_URL_SAFE),
                       quote(parts.query, safe=_URL_SAFE), quote(parts.fragment, safe=_URL_SAFE)))


@lru_cache(maxsize=16384)
def public_website(stored: str | None) -> str | None:
    """``stored`` as it may be published: canonical, and None when it is not a valid website
    or shows an email address anywhere (decoded: ``%40`` and ``&#64;`` count)."""
    if not stored:
        return None
    try:
        website = normalize_website(stored)
    except ValueError:
        return None
    return None if url_has_email(stored) or url_has_email(website) else website


def _canonical_host(host: str, bracketed: bool) -> str:
    """The host's one spelling: a compressed IP literal or a lower-case ASCII name."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if bracketed:  # only IPv6 literals go in brackets
            raise ValueError(INVALID) from None
    else:
        return f"[{address.compressed}]" if address.version == 6 else address.compressed
    host = host.rstrip(".")
    if "%" in host or len(host) > 253:
        raise ValueError(INVALID)
    if host.isascii() and not any(label.startswith("xn--") for label in host.split(".")):
        if all(_ASCII_LABEL.fullmatch(label) for label in host.split(".")):
            return host
        raise ValueError(INVALID)
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as error:
        raise ValueError(INVALID) from error
