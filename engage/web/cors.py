"""CORS for the public API: browsers may call it only from the configured site origins.

Moderation endpoints never get CORS headers: moderators use engage's own pages or bearer
tokens from servers. With the demo on, engage's own host under its other loopback name
(``localhost`` ⇄ ``127.0.0.1``) is allowed too, so the demo page exercises real CORS.

``cors_headers`` is the one place that decides the headers; the Flask hooks below and the view
beacon's WSGI fast path (``engage.pageviews.beacon``) both call it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

PREFLIGHT_MAX_AGE = 600
_LOOPBACK_NAMES = {"localhost", "127.0.0.1"}
_PREFLIGHT = (("Access-Control-Allow-Methods", "GET, POST"),
              ("Access-Control-Allow-Headers", "Content-Type"),
              ("Access-Control-Max-Age", str(PREFLIGHT_MAX_AGE)))
_EXPOSE = (("Access-Control-Expose-Headers", "Retry-After, ETag"),)


def public_api(path: str) -> bool:
    """Whether ``path`` is part of the API that site pages call from the browser."""
    return path.startswith("/api/v1/") and not path.startswith("/api/v1/moderation")


def origin_allowed(origin: str, allowed_origins: Collection[str], demo_enabled: bool,
                   own_url: Callable[[], str]) -> bool:
    """Whether a page on ``origin`` may read engage's answers; ``own_url()`` is engage's own
    base URL (only asked for in demo mode)."""
    if origin in allowed_origins:
        return True
    if not demo_enabled:
        return False
    sent, own = urlsplit(origin), urlsplit(own_url())
    return (sent.hostname in _LOOPBACK_NAMES and own.hostname in _LOOPBACK_NAMES
            and sent.port == own.port and sent.scheme == own.scheme)


def cors_headers(method: str, origin: str | None, allowed_origins: Collection[str],
                 demo_enabled: bool, own_url: Callable[[], str]) -> tuple[tuple[str, str], ...]:
    """The ``Access-Control-*`` headers for a public API answer to ``method`` from ``origin``
    (none for an origin that is not allowed). Every public API answer also varies by Origin."""
    if not origin or not origin_allowed(origin, allowed_origins, demo_enabled, own_url):
        return ()
    return (("Access-Control-Allow-Origin", origin),) + (
        _PREFLIGHT if method == "OPTIONS" else _EXPOSE)


def init_app(app: Flask) -> None:
    @app.before_request
    def _preflight():
        if request.method == "OPTIONS" and public_api(request.path):
            response = app.make_default_options_response()
            _add_headers(response)
            response.status_code = 204
            return response
        return None

    @app.after_request
    def _cors(response: Response) -> Response:
        if public_api(request.path):
            _add_headers(response)
        return response


def _add_headers(response: Response) -> None:
    response.vary.add("Origin")
    config = current_app.config
    for name, value in cors_headers(request.method, request.headers.get("Origin"),
                                    config["ALLOWED_ORIGINS"], config["DEMO_ENABLED"],
                                    lambda: request.host_url):
        response.headers[name] = value
