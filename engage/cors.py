"""CORS for the public API: browsers may call it only from the configured site origins.

Moderation endpoints never get CORS headers: moderators use engage's own pages or bearer
tokens from servers. With the demo on, engage's own host under its other loopback name
(``localhost`` ⇄ ``127.0.0.1``) is allowed too, so the demo page exercises real CORS.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

PREFLIGHT_MAX_AGE = 600
_LOOPBACK_NAMES = {"localhost", "127.0.0.1"}


def _public_api(path: str) -> bool:
    return path.startswith("/api/v1/") and not path.startswith("/api/v1/moderation")


def origin_allowed(origin: str) -> bool:
    if origin in current_app.config["ALLOWED_ORIGINS"]:
        return True
    if not current_app.config["DEMO_ENABLED"]:
        return False
    sent, own = urlsplit(origin), urlsplit(request.host_url)
    return (sent.hostname in _LOOPBACK_NAMES and own.hostname in _LOOPBACK_NAMES
            and sent.port == own.port and sent.scheme == own.scheme)


def init_app(app: Flask) -> None:
    @app.before_request
    def _preflight():
        if request.method == "OPTIONS" and _public_api(request.path):
            response = app.make_default_options_response()
            _add_headers(response)
            response.status_code = 204
            return response
        return None

    @app.after_request
    def _cors(response: Response) -> Response:
        if _public_api(request.path):
            _add_headers(response)
        return response


def _add_headers(response: Response) -> None:
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if not origin or not origin_allowed(origin):
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    else:
        response.headers["Access-Control-Expose-Headers"] = "Retry-After, ETag"
