"""Structured logs: JSON lines, one per request, and no reader's email or raw IP anywhere.

- Every request gets an id: the caller's ``X-Request-ID`` when it is a sane token (a proxy's or
  load balancer's id, so one id follows the request through every log), else a new random one.
  It is sent back in ``X-Request-ID`` and added to every log line written during the request.
- When the request ends, the ``engage.request`` logger writes one record: method, route (the
  URL rule, not the raw path, which may carry anything), status, duration in ms and the
  client's anonymised network (``/24``, ``/48``), never the address.
- ``JsonFormatter`` turns any record into one JSON object per line. As a last guard it masks
  email addresses and cuts IP addresses to their network in every message it formats, because a
  log line written by some library or a future feature must not leak them either.
- ``gunicorn_log_config(level)`` is the logging setup ``engage serve`` hands gunicorn: JSON
  lines on stderr for engage's and gunicorn's own records, and gunicorn's access log switched
  off (it would print raw client addresses; the request record above replaces it). Lines are
  written by ``BatchedStreamHandler``: INFO lines in batches from a writer thread, warnings
  and errors at once.
  ``configure(level, stream)`` does the same for a process without gunicorn. Building an app
  (tests, scripts) leaves the process's logging alone.
"""

from __future__ import annotations

import json
import logging
import random
import re
import sys
import time
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

from engage.observability.drained_queue import DrainedQueue
from engage.privacy import anonymize_ip, mask_emails
from engage.web.request_info import client_ip_prefix

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{8,128}$")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{1,4})*"
                   r"(?![\w:])")
request_log = logging.getLogger("engage.request")


def scrub(text: str) -> str:
    """``text`` with emails masked and every IP address replaced by its network."""
    # Each pattern needs a character most lines lack; checking for it first is much cheaper
    # than running the pattern (every request's log line passes through here).
    if "@" in text:
        text = mask_emails(text) or text
    if "." in text:
        text = _IPV4.sub(_network_of_match, text)
    if ":" in text:
        text = _IPV6.sub(_network_of_match, text)
    return text


def _network_of_match(match: re.Match) -> str:
    return _network(match.group(0))


def _network(raw: str) -> str:
    if raw.endswith("/24") or raw.endswith("/48"):
        return raw
    if raw in _SERVER_ADDRESSES:  # the server's own bind addresses name no reader
        return raw
    return anonymize_ip(raw) or raw


_SERVER_ADDRESSES = frozenset({"127.0.0.1", "0.0.0.0", "::", "::1"})


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``ts``, ``level``, ``logger``, ``msg``, extra ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc)
                          .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or _current_request_id()
        if request_id:
            entry["request_id"] = request_id
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["error"] = scrub(self.formatException(record.exc_info))
        return _ENCODER.encode(entry)


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


def _current_request_id() -> str | None:
    if has_request_context():
        return g.get("request_id")
    return None


class BatchedStreamHandler(logging.StreamHandler):
    """A stream handler whose INFO and DEBUG records are written by a writer thread, in batches.

    Why: a request thread that writes its own log line takes the handler's lock and makes a
    write system call, on every request (the lock convoy ``engage.observability.drained_queue`` describes).
    Here a record is only queued; the queue's thread formats and writes what is queued every
    ``WRITE_SECONDS``, in one write.

    Records at WARNING and above, and any with exception or stack information, are written at
    once, after everything queued before them, so an error is on disk even if the process dies
    right after. ``flush`` (run by ``logging.shutdown`` at exit, so also when a gunicorn worker
    stops) writes everything queued. A process that is killed loses at most ``WRITE_SECONDS`` of
    INFO lines. A record's message and request id are fixed when it is logged: the writer
    thread has no request context, and arguments may change later.
    """

    WRITE_SECONDS = 0.1

    def __init__(self, stream=None):
        super().__init__(stream)
        # Batches are written under the handler's own lock (logging.shutdown holds it while
        # it flushes), so the queue drains under that lock too: one lock, no order to get wrong.
        self._queue: DrainedQueue[logging.LogRecord] = DrainedQueue(
            self._write_batch, self.WRITE_SECONDS, "engage-log-writer", lock=self.lock)

    def handle(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING or record.exc_info or record.stack_info:
            self.flush()
            return bool(super().handle(record))
        if not self.filter(record):
            return False
        try:
            record.msg, record.args = record.getMessage(), None
        except Exception:  # as StreamHandler.emit would: report, do not raise
            self.handleError(record)
            return False
        if getattr(record, "request_id", None) is None:
            record.request_id = _current_request_id()
        self._queue.put(record)
        return True

    def _write_batch(self, records: list[logging.LogRecord]) -> None:
        lines = []
        for record in records:
            try:
                lines.append(self.format(record) + self.terminator)
            except Exception:
                self.handleError(record)
        try:  # the handler's lock is held (see __init__)
            self.stream.write("".join(lines))
            self.stream.flush()
        except Exception:
            self.handleError(records[-1])

    def flush(self) -> None:
        self._queue.drain()
        super().flush()


def configure(level: str = "INFO", stream=None) -> None:
    """Make ``stream`` (stderr) the only root handler, writing JSON lines."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = BatchedStreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())


def gunicorn_log_config(level: str = "INFO") -> dict:
    """gunicorn ``logconfig_dict``: everything as JSON lines on stderr, no access log."""
    handler = {"class": f"{__name__}.BatchedStreamHandler", "formatter": "json",
               "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {"console": handler, "error_console": handler},
        "root": {"level": level.upper(), "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"],
                               "propagate": False},
            # gunicorn's access lines carry the raw client address: never written.
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }


def incoming_request_id(raw: str | None) -> str:
    """The caller's id if it is a sane token, else a new one (32 hex characters).

    An id that looks like an IP address (or holds one) is refused too: it would put an
    address into every log line of the request.
    """
    if raw and _SANE_ID.match(raw) and scrub(raw) == raw:
        return raw
    return new_request_id()


def new_request_id() -> str:
    """32 random hex characters.

    A request id only has to be unique, not unguessable, so it comes from ``random`` (reseeded
    in every forked worker) rather than ``uuid4``, whose system call per request cost more than
    the rest of the id handling.
    """
    return f"{random.getrandbits(128):032x}"


def route_of_request() -> str:
    """The URL rule that matched (``/api/v1/comments/<int:comment_id>``) or ``<unmatched>``."""
    rule = request.url_rule
    return rule.rule if rule is not None else "<unmatched>"


def init_app(app: Flask, on_response=None) -> None:
    """Give every request an id and write one log record when it ends.

    ``on_response(method, route, status, seconds)`` is called for every response too (metrics).
    """

    def _start() -> None:
        g.request_started = time.perf_counter()
        g.request_id = incoming_request_id(request.headers.get(REQUEST_ID_HEADER))

    # First of all before-request hooks: another hook may answer early (CORS preflight, auth).
    app.before_request_funcs.setdefault(None, []).insert(0, _start)

    @app.after_request
    def _finish(response):
        started = g.get("request_started")
        if started is None:  # failed before our before_request ran (e.g. in an earlier hook)
            started = time.perf_counter()
            g.request_id = incoming_request_id(request.headers.get(REQUEST_ID_HEADER))
        seconds = time.perf_counter() - started
        route = route_of_request()
        response.headers[REQUEST_ID_HEADER] = g.request_id
        if on_response is not None:
            on_response(request.method, route, response.status_code, seconds)
        log_request(request.method, route, response.status_code, seconds, g.request_id,
                    client_ip_prefix())
        return response


def log_request(method: str, route: str, status: int, seconds: float, request_id: str,
                client: str | None) -> None:
    """Write the one ``engage.request`` record of a finished request.

    Called by the Flask hook above and by the view beacon's fast path, so that every request
    is logged the same way whichever path answered it.
    """
    if not request_log.isEnabledFor(logging.INFO):
        return
    # makeRecord + handle is Logger.info without looking up the caller's file and line in the
    # stack, which cost more than the rest of the record; the request record has no caller.
    request_log.handle(request_log.makeRecord(
        request_log.name, logging.INFO, "", 0, "%s %s %s", (method, route, status), None,
        extra={"request_id": request_id,
               "fields": {"event": "request", "method": method, "route": route,
                          "status": status, "duration_ms": round(seconds * 1000, 2),
                          "client": client}}))
