"""CORS for the public API: browsers may call it only from the origins of the site called.

Each site answers its own origins (``sites.origins``); ``default`` also answers the global
``ALLOWED_ORIGINS``. A request names its site with ``site`` (``web.site_param``); the origins
of every site are answered where no single site is known: a preflight without ``site`` in
its query (the JSON body of the request it prepares may name any site) and an error about the
site itself (an unknown or invalid ``site``), so that the page can read why it failed.

Moderation and admin endpoints never get CORS headers: moderators use engage's own pages or bearer
tokens from servers. With the demo on, engage's own host under its other loopback name
(``localhost`` ⇄ ``127.0.0.1``) is allowed too, so the demo page exercises real CORS.

``cors_headers`` is the one place that decides the headers; the Flask hooks below and the view
beacon's WSGI fast path (``engage.pageviews.beacon``) both call it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

from engage.site_directory import site_directory
from engage.web.site_param import G_KEY, request_site

PREFLIGHT_MAX_AGE = 600
_LOOPBACK_NAMES = {"localhost", "127.0.0.1"}
_PREFLIGHT = (("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE"),
              ("Access-Control-Allow-Headers", "Content-Type, Authorization"),
              ("Access-Control-Max-Age", str(PREFLIGHT_MAX_AGE)))
_EXPOSE = (("Access-Control-Expose-Headers", "Retry-After, ETag"),)


def public_api(path: str) -> bool:
    """Whether ``path`` is part of the API that site pages call from the browser."""
    return path.startswith("/api/v1/") and not path.startswith(("/api/v1/moderation",
                                                                "/api/v1/admin"))


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


def _allowed_origins() -> Collection[str]:
    """The origins this request's answer is for (see the module docstring)."""
    site = request_site()
    named = g.get(G_KEY) is not None or "site" in request.args
    if site is None or (request.method == "OPTIONS" and not named):
        return site_directory().every_origin()
    return site.cors_origins


def _add_headers(response: Response) -> None:
    headers = response.headers
    if "Vary" in headers:
        response.vary.add("Origin")
    else:  # the common case, without parsing and re-serialising an empty Vary header set
        headers["Vary"] = "Origin"
    origin = request.headers.get("Origin")
    if not origin:
        return
    for name, value in cors_headers(request.method, origin, _allowed_origins(),
                                    current_app.config["DEMO_ENABLED"],
                                    lambda: request.host_url):
        response.headers[name] = value
