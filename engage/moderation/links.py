"""Find the links in a comment and the hosts they point to.

``url_host`` is the one URL-host parser: the moderation rules (through ``host_of``) and the
spam filter's features both read hosts with it.

A link is an ``http(s)://`` or ``www.`` URL, or a bare ``host.tld/path`` (how shortened links
are usually pasted: ``bit.ly/abc``). The same URL written twice (an HTML ``<a href=X>X</a>`` or
a Markdown ``[X](X)``) counts once.
"""

from __future__ import annotations

import re

_URL = re.compile(
    r"""(?:\bhttps?://|\bwww\.)[^\s<>"'`\])]+"""
    r"""|(?<![\w@.-])(?:[a-z0-9-]+\.)+[a-z]{2,}/[^\s<>"'`\])]*""",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?"


def find_links(text: str) -> tuple[str, ...]:
    """The distinct links in ``text``, in order of first appearance, trailing punctuation cut."""
    if "." not in text:
        return ()
    seen: dict[str, None] = {}
    for match in _URL.finditer(text):
        seen.setdefault(match.group(0).rstrip(_TRAILING).lower(), None)
    return tuple(seen)


def url_host(url: str) -> str:
    """The lower-case host of ``url``: a leading scheme, credentials, port, path and dots at
    either end dropped, ``www.`` kept; "" when there is none."""
    rest = re.sub(r"^[a-z]+://", "", url.strip().lower())
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0]
    return host.strip(".")


def host_of(url: str) -> str:
    """The host of ``url`` without ``www.``, as blocked hosts and shorteners are written."""
    host = url_host(url)
    return host[4:] if host.startswith("www.") else host


def host_matches(host: str, blocked: str) -> bool:
    """True when ``host`` is ``blocked`` or one of its subdomains."""
    return host == blocked or host.endswith("." + blocked)
