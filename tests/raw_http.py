"""Raw HTTP/1.1 over a socket, for attacks that an HTTP library would not send as written:
any Host header, chunked bodies without a Content-Length, bodies that are not JSON at all."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


def request(port: int, method: str, path: str, *, host: str = "127.0.0.1", body: bytes = b"",
            headers: dict[str, str] | None = None, chunked: bool = False,
            timeout: float = 30) -> RawAnswer:
    """Send one request exactly as given and read the answer (by its Content-Length).

    The body is written from another thread while the answer is read, so a server that
    answers before reading everything (a 413) cannot deadlock the test on full buffers.
    """
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        payload = b"".join(b"%x\r\n%s\r\n" % (len(part), part)
                           for part in _pieces(body, 8192)) + b"0\r\n\r\n"
    else:
        lines.append(f"Content-Length: {len(body)}")
        payload = body
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        writer = threading.Thread(target=_send, args=(sock, raw), daemon=True)
        writer.start()
        answer = _read_answer(sock.makefile("rb"))
        writer.join(timeout)
        return answer


def _pieces(data: bytes, size: int):
    return [data[i:i + size] for i in range(0, len(data), size)] or []


def _send(sock: socket.socket, raw: bytes) -> None:
    try:
        sock.sendall(raw)
    except OSError:
        pass  # the server may close once it has answered; the answer is what the test reads


def _read_answer(stream) -> RawAnswer:
    status_line = stream.readline().decode("latin-1")
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while True:
        line = stream.readline().decode("latin-1").rstrip("\r\n")
        if not line:
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    return RawAnswer(status, headers, stream.read(length))
