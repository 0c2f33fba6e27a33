"""A small server-sent-events reader over one real HTTP connection, for tests and benchmarks."""

from __future__ import annotations

import http.client
import json
import time


class EventReader:
    """``GET path`` on ``host:port``, read as ``text/event-stream``.

    ``status`` and ``headers`` are the answer's; ``next_event(deadline)`` returns the next event
    as ``(name, data, id)`` (heartbeats skipped), or raises ``TimeoutError`` at ``deadline``
    (a ``time.monotonic()`` value) and ``EOFError`` when the server ends the stream.
    """

    def __init__(self, host: str, port: int, path: str, headers: dict | None = None,
                 timeout: float = 10):
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout)
        self.connection.request("GET", path, headers={"Accept": "text/event-stream",
                                                      **(headers or {})})
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.headers = self.response.headers

    def next_event(self, deadline: float) -> tuple[str, dict, str | None]:
        fields: dict[str, str] = {}
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no event before the deadline")
            self.connection.sock.settimeout(left)
            try:
                line = self.response.readline()
            except TimeoutError:
                raise
            except OSError as error:  # socket.timeout is TimeoutError; others end the stream
                raise EOFError(str(error)) from error
            if not line:
                raise EOFError("the server ended the stream")
            line = line.decode().rstrip("\r\n")
            if not line:
                if "event" in fields:
                    return fields["event"], json.loads(fields.get("data", "null")), fields.get("id")
                fields = {}
            elif not line.startswith(":") and ":" in line:
                name, _, value = line.partition(":")
                fields[name] = value[1:] if value.startswith(" ") else value

    def read_to_end(self, deadline: float) -> None:
        """Read until the server closes the stream (EOFError is the expected end)."""
        while True:
            try:
                self.next_event(deadline)
            except EOFError:
                return

    def close(self) -> None:
        self.connection.close()
