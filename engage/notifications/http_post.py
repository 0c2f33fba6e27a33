"""One bounded HTTP POST to a checked address (webhooks), with the standard library.

http.client, not requests/urllib3: it lets the connection go to the address the SSRF guard
checked while the Host header and TLS name stay the URL's, it never follows redirects, and it
adds no dependency. Bounds: ``timeout`` for connecting and for each read, the whole exchange
at most ``2 × timeout`` (a watchdog shuts the socket, so a receiver dripping bytes cannot
hold a deliverer), and at most ``MAX_RESPONSE_BYTES`` of the answer read.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading

from engage.notifications.url_guard import Target

MAX_RESPONSE_BYTES = 64 * 1024


class _Pinned:
    """Connect to ``target.address`` (already checked), not to a fresh lookup of the host."""

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        if isinstance(self, http.client.HTTPSConnection):
            sock = self._context.wrap_socket(sock, server_hostname=self.host)
        self.sock = sock


class _PinnedHTTP(_Pinned, http.client.HTTPConnection):
    pass


class _PinnedHTTPS(_Pinned, http.client.HTTPSConnection):
    pass


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """POST ``body``; returns (status, the start of the answer). Raises OSError,
    http.client.HTTPException or TimeoutError on a transport failure."""
    if target.scheme == "https":
        connection = _PinnedHTTPS(target.host, target.port, timeout=timeout,
                                  context=ssl.create_default_context())
    else:
        connection = _PinnedHTTP(target.host, target.port, timeout=timeout)
    connection._address = target.address
    watchdog = threading.Timer(2 * timeout, _cut, (connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(MAX_RESPONSE_BYTES)
        return response.status, answer
    finally:
        watchdog.cancel()
        connection.close()


def _cut(connection) -> None:
    sock = connection.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
