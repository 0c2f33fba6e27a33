"""A small thread-safe HTTP/1.1 client with one keep-alive connection per thread and server.

Thousands of requests through ``urllib`` would open thousands of connections (and run the
client out of ephemeral ports' patience); real browsers and load balancers keep connections
open, and so does this.
"""

from __future__ import annotations

import http.client
import json
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body) if self.body else None


class Http:
    def __init__(self, timeout: float = 30):
        self.timeout = timeout
        self._local = threading.local()

    def _connection(self, base: str) -> http.client.HTTPConnection:
        pool = self._local.__dict__.setdefault("pool", {})
        connection = pool.get(base)
        if connection is None:
            parts = urlsplit(base)
            connection = pool[base] = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=self.timeout)
        return connection

    def request(self, method: str, url: str, *, json_body=None, headers=None) -> Answer:
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        body, sent = None, {"User-Agent": FIREFOX, **(headers or {})}
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        elif method == "POST":
            body = b""
        for attempt in range(2):  # a keep-alive connection the server closed: reconnect once
            connection = self._connection(base)
            try:
                connection.request(method, path, body=body, headers=sent)
                response = connection.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                              data)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
                    http.client.CannotSendRequest, http.client.ResponseNotReady):
                connection.close()
                self._local.pool.pop(base, None)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def get(self, url: str, **kwargs) -> Answer:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> Answer:
        return self.request("POST", url, **kwargs)
