"""Facts about the current request that several features need, read in one place."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from flask import current_app, request
from werkzeug.sansio.utils import get_current_url

from engage.errors import ApiError
from engage.privacy import anonymize_ip, client_ip
from engage.web.proxy import trusted_proxies

# A DNS name or an IP literal, with an optional port: nothing that could add a path, a query,
# user info or markup to a URL built from it.
_HOST = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_.])?|\[[0-9A-Fa-f:.]+\])"
                   r"(?::[0-9]{1,5})?")


def client_address() -> str | None:
    """The client's real address (X-Forwarded-For believed only from trusted proxies)."""
    return client_ip(request.remote_addr, request.headers.get("X-Forwarded-For"),
                     trusted_proxies(current_app.config["TRUSTED_PROXIES"]))


_PREFIX_KEY = "engage.client_ip_prefix"
log = logging.getLogger(__name__)
_warned = []


def client_ip_prefix() -> str | None:
    """The client's anonymised network (/24 or /48): the only form engage ever stores."""
    return client_ip_prefix_of(request.environ, current_app.config["TRUSTED_PROXIES"])


def client_ip_prefix_of(environ: dict, proxies) -> str | None:
    """``client_ip_prefix`` from a WSGI environ (also outside Flask: the view beacon).

    Worked out once per request and kept in the environ (the request log and the features that
    store it all ask). ``proxies`` is the ``TRUSTED_PROXIES`` setting (addresses, CIDR networks).
    """
    try:
        return environ[_PREFIX_KEY]
    except KeyError:
        remote, forwarded = environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR")
        proxies = trusted_proxies(proxies)
        prefix = environ[_PREFIX_KEY] = anonymize_ip(client_ip(remote, forwarded, proxies))
        if forwarded and not _warned and remote not in proxies:
            _warn_untrusted_forwarding(prefix)
        return prefix


def _warn_untrusted_forwarding(peer_network: str | None) -> None:
    """Once per process: behind a proxy that is not trusted, every reader has the proxy's
    address, so every limit (flood, views, logins) is shared by all of them."""
    _warned.append(True)
    log.warning("X-Forwarded-For from %s was ignored: that peer is not in "
                "ENGAGE_TRUSTED_PROXIES. If engage runs behind a proxy, list the proxy there "
                "(addresses or networks); until then all its readers share one address.",
                peer_network or "an unknown peer")


def public_base_url() -> str:
    """Absolute base URL of this engage, for links that other origins load (avatars).

    ``PUBLIC_URL`` when it is configured: then no request header can change a link. Without
    it the request's own scheme and ``Host`` are the only base an unconfigured engage knows, so
    every response carrying such links must stay out of shared caches (``links_follow_host``),
    or one request with ``Host: evil.example`` would rewrite the links that every reader gets.
    A ``Host`` that is not a plain host name or IP (with a port) is a 400.
    """
    configured = current_app.config["PUBLIC_URL"]
    if configured:
        return configured.rstrip("/")
    return _base_url(request.scheme, request.host)


@lru_cache(maxsize=256)
def _base_url(scheme: str, host: str) -> str:
    """``request.host_url`` without its slash, which depends on nothing else (werkzeug builds
    it anew for every request, at a cost comparable to serving a cached page)."""
    if not _HOST.fullmatch(host):
        raise ApiError("The Host header is not a valid host name.", code="bad_host")
    return get_current_url(scheme, host).rstrip("/")


def links_follow_host() -> bool:
    """Whether ``public_base_url`` comes from the request (no ``PUBLIC_URL``): a response
    with such links may be cached by the browser that asked, never by a shared cache."""
    return not current_app.config["PUBLIC_URL"]
