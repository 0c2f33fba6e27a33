"""Headers every response carries: no MIME sniffing, no framing of engage's own pages.

``security_headers(path)`` decides them; the Flask hook below and the view beacon's WSGI fast
path (``engage.pageviews.beacon``) both use it. A header a view already set is kept.
"""

from __future__ import annotations

from flask import Flask, Response, request

_ALWAYS = (("X-Content-Type-Options", "nosniff"),
           ("Referrer-Policy", "strict-origin-when-cross-origin"))
_NOT_FRAMED = _ALWAYS + (("X-Frame-Options", "DENY"),)
# Embedded in site pages (widget, demo) or read by other origins (API): may be framed.
_FRAMEABLE_PREFIXES = ("/api/", "/widget/", "/demo")


def security_headers(path: str) -> tuple[tuple[str, str], ...]:
    """The security headers of a response to ``path``."""
    return _ALWAYS if path.startswith(_FRAMEABLE_PREFIXES) else _NOT_FRAMED


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        # one scan for the names a view set, not one per header (Headers.setdefault scans)
        present = {name.lower() for name, _ in headers.items()}
        for name, value in security_headers(request.path):
            if name.lower() not in present:
                headers.add(name, value)
        return response
