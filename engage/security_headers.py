"""Headers every response carries: no MIME sniffing, no framing of engage's own pages."""

from __future__ import annotations

from flask import Flask, Response, request


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if not request.path.startswith(("/api/", "/widget/", "/demo")):
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response
