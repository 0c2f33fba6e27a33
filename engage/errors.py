"""One JSON error shape for the API, HTML error pages for the rest.

Every API error is ``{"error": {"code", "message", "fields"?}}`` with the matching status.
Services raise ``ApiError`` subclasses; handlers here turn them, and every werkzeug HTTP error
under ``/api`` and ``/feeds``, into that shape. Unexpected exceptions become a JSON 500 that leaks nothing, and
a database that cannot be reached becomes a 503 with ``Retry-After``.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from engage.db import db

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_error", 429: "too_many_requests",
    500: "internal_error", 503: "unavailable",
}


class ApiError(Exception):
    """An error a client caused or must know about; rendered as the JSON error shape."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None,
                 code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields
        self.headers = headers or {}
        if code:
            self.code = code


class ValidationFailed(ApiError):
    status, code = 422, "validation_error"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "duplicate"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class TooManyRequests(ApiError):
    status, code = 429, "too_many_requests"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, headers={"Retry-After": str(max(1, int(retry_after)))})
        self.retry_after = max(1, int(retry_after))


def error_response(status: int, code: str, message: str, fields=None, headers=None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/feeds/")) or request.path in ("/healthz",
                                                                             "/metrics")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(error: ApiError):
        # A refused request keeps nothing it wrote before refusing (the flood claim before a
        # 429, say), and ends its transaction now rather than at teardown: on SQLite an open
        # write transaction holds the database's write lock (and this process's write gate).
        db.session.rollback()
        return error_response(error.status, error.code, error.message, error.fields, error.headers)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if not _wants_json():
            return error
        code = _CODES.get(error.code or 500, "error")
        headers = {}
        if error.code == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        return error_response(error.code or 500, code, error.description or code, headers=headers)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_down(error: Exception):
        log.warning("database unavailable: %s", type(error).__name__)
        db.session.rollback()
        return error_response(503, "unavailable", "The database is unavailable; try again shortly.",
                              headers={"Retry-After": "5"})

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if not _wants_json():
            return "Internal Server Error", 500
        return error_response(500, "internal_error", "Something went wrong on our side.")
