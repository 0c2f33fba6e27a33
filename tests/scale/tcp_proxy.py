"""A tiny TCP proxy on 127.0.0.1 that a test can cut and restore, to fake a network fault.

Servers under test talk to PostgreSQL or Redis through it, so a test can take a backend away
from *its* servers only: the shared PostgreSQL and Redis keep serving every other test.

- ``cut()``: every open connection is closed at once and new connections are accepted and
  closed straight away (as a restarting server or a dropped link looks to a client).
- ``restore()``: new connections are forwarded again.

The proxy runs in a process of its own (``python -m tests.scale.tcp_proxy HOST PORT``, driven
by ``cut``/``restore`` lines on its standard input), so that the test's own threads, which
send thousands of requests, never delay the servers' database and Redis traffic.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class TcpProxy:
    """A ``Forwarder`` in a child process; ``port`` is where it listens."""

    def __init__(self, target_host: str, target_port: int):
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.scale.tcp_proxy", target_host, str(target_port)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self._process.stdout.readline())

    def _command(self, word: str) -> None:
        self._process.stdin.write(word + "\n")
        self._process.stdin.flush()
        answer = self._process.stdout.readline().strip()
        assert answer == word, f"tcp proxy answered {answer!r} to {word!r}"

    def cut(self) -> None:
        self._command("cut")

    def restore(self) -> None:
        self._command("restore")

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.stdin.close()  # end of input: the proxy stops
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


class Forwarder:
    """Forwards connections to 127.0.0.1:``port`` on to the target, until cut."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._cut = False
        self._closed = False
        self.connections = 0  # forwarded connections so far
        self._thread = threading.Thread(target=self._accept_loop, daemon=True,
                                        name=f"tcp-proxy-{self.port}")
        self._thread.start()

    # --- control ------------------------------------------------------------------------
    def cut(self) -> None:
        with self._lock:
            self._cut = True
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            _close(sock)

    def restore(self) -> None:
        with self._lock:
            self._cut = False

    def close(self) -> None:
        self._closed = True
        self.cut()
        _close(self._listener)

    # --- forwarding -----------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                refused = self._cut
            if refused:
                _close(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
                for sock in (client, upstream):  # no Nagle delay on relayed small writes
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._cut:  # cut while we were connecting
                    _close(client), _close(upstream)
                    continue
                self._open.update((client, upstream))
                self.connections += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.discard(source)
                self._open.discard(sink)
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def main(host: str, port: str) -> None:
    forwarder = Forwarder(host, int(port))
    print(forwarder.port, flush=True)
    for line in sys.stdin:
        word = line.strip()
        if word == "cut":
            forwarder.cut()
        elif word == "restore":
            forwarder.restore()
        print(word, flush=True)
    forwarder.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
