"""gunicorn responses whose headers go out in the same write as the first body bytes.

Why: gunicorn writes a response's headers with one ``sendall`` and each body chunk with
another, so every JSON answer (a view beacon's ``{"article",…}`` included) costs two system
calls and, with ``TCP_NODELAY``, two packets. On this project's 2-core VM system calls are
dear: one write per answer cut the server CPU of a view from about 270 to 250 µs and raised
views per second by about 9 % (``bench/views.py``; a bare endpoint answering 204 has no body
and already takes one write).

How: ``write`` (the body path of every WSGI answer) renders the headers as gunicorn does but
keeps them until ``_emit_body`` puts the first chunk on the wire, prefixed with them. Only
responses that are not chunked are held (a chunked body frames each chunk itself). Whatever
``write`` does (a body dropped for a HEAD request, a length already sent, an error), the held
headers are written before it returns, so nothing is ever left unsent. Every other path
(``sendfile``, ``close`` without a body) is gunicorn's own and writes the headers at once.

``install`` puts the class in place of gunicorn's ``Response`` (which ``gunicorn.http.wsgi
.create`` builds for every HTTP/1 request) when gunicorn has the ``_emit_body`` hook this relies
on (gunicorn 27 has it); with a gunicorn that lacks it, it changes nothing. ``_emit_body`` and
``send_headers``'s rendering (which ``_header_bytes`` mirrors) are gunicorn internals, tested
with gunicorn 27 only, so ``pyproject.toml`` pins that major version: recheck before raising it.
"""

from __future__ import annotations

from gunicorn import util
from gunicorn.http import wsgi


class CoalescedResponse(wsgi.Response):
    """A gunicorn response that sends its headers with the first body chunk."""

    _held: bytes | None = None

    def write(self, arg):
        if not self.headers_sent and not self.chunked:
            self._held = self._header_bytes()
            self.headers_sent = True
        try:
            super().write(arg)
        finally:
            self._send_held()

    def _emit_body(self, data):
        if self._held is not None and not self.chunked:
            data, self._held = self._held + data, None
        super()._emit_body(data)

    def _header_bytes(self) -> bytes:
        """The status line and headers exactly as ``Response.send_headers`` writes them."""
        lines = self.default_headers()
        lines.extend(["%s: %s\r\n" % (k, v) for k, v in self.headers])
        return util.to_bytestring("%s\r\n" % "".join(lines), "latin-1")

    def _send_held(self) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            util.write(self.sock, held)


def install() -> bool:
    """Make gunicorn build ``CoalescedResponse``; returns whether it did."""
    if wsgi.Response is CoalescedResponse:
        return True
    if not hasattr(wsgi.Response, "_emit_body"):
        return False
    wsgi.Response = CoalescedResponse
    return True
