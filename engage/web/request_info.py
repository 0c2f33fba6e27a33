"""Facts about the current request that several features need, read in one place."""

from __future__ import annotations

from flask import current_app, request

from engage.privacy import anonymize_ip, client_ip


def client_address() -> str | None:
    """The client's real address (X-Forwarded-For believed only from trusted proxies)."""
    return client_ip(request.remote_addr, request.headers.get("X-Forwarded-For"),
                     tuple(current_app.config["TRUSTED_PROXIES"]))


_PREFIX_KEY = "engage.client_ip_prefix"


def client_ip_prefix() -> str | None:
    """The client's anonymised network (/24 or /48): the only form engage ever stores."""
    return client_ip_prefix_of(request.environ, current_app.config["TRUSTED_PROXIES"])


def client_ip_prefix_of(environ: dict, trusted_proxies) -> str | None:
    """``client_ip_prefix`` from a WSGI environ (also outside Flask: the view beacon).

    Worked out once per request and kept in the environ (the request log and the features that
    store it all ask).
    """
    try:
        return environ[_PREFIX_KEY]
    except KeyError:
        prefix = environ[_PREFIX_KEY] = anonymize_ip(client_ip(
            environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR"),
            tuple(trusted_proxies)))
        return prefix


def public_base_url() -> str:
    """Absolute base URL of this engage, for links that other origins load (avatars)."""
    return (current_app.config["PUBLIC_URL"] or request.host_url).rstrip("/")
