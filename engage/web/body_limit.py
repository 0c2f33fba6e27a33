"""Request bodies sent without a Content-Length (``Transfer-Encoding: chunked``) get the same
limit as the others: more than ``MAX_BODY_BYTES`` is a 413.

With a Content-Length, werkzeug answers 413 before anything is read. A chunked body has no
length to check, and werkzeug's reader then stops silently at the limit, so a 70 kB body
reached the JSON parser cut at 64 KiB and answered 400 "not valid JSON" (a form would lose
fields the same way). Here a streamed body is read up to one byte past the limit before any
view runs: within the limit it is handed on as an ordinary buffered body, beyond it the
request is refused. The rest of an oversized body is read and discarded up to ``DRAIN_BYTES``,
so that a client which closes after sending still receives the 413 instead of a reset
connection; past that the server leaves the remainder to gunicorn.
"""

from __future__ import annotations

import io

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

DRAIN_BYTES = 1024 * 1024
_READ_SIZE = 64 * 1024


def init_app(app: Flask) -> None:
    app.before_request(buffer_streamed_body)


def buffer_streamed_body() -> None:
    """Buffer a streamed body that fits the limit; 413 for one that does not."""
    environ = request.environ
    if "HTTP_TRANSFER_ENCODING" not in environ or request.content_length is not None \
            or "wsgi.input_terminated" not in environ:
        return  # no body, or one with a Content-Length (werkzeug checks that one)
    limit = current_app.config["MAX_BODY_BYTES"]
    stream = environ["wsgi.input"]
    body = _read(stream, limit + 1)
    if len(body) > limit:
        _read(stream, DRAIN_BYTES, keep=False)
        raise RequestEntityTooLarge(f"The body is larger than {limit} bytes.")
    environ["wsgi.input"] = io.BytesIO(body)


def _read(stream, size: int, keep: bool = True) -> bytes:
    chunks, total = [], 0
    while total < size:
        chunk = stream.read(min(_READ_SIZE, size - total))
        if not chunk:
            break
        total += len(chunk)
        if keep:
            chunks.append(chunk)
    return b"".join(chunks)
