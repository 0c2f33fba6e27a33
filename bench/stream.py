"""How many idle live-update streams does one gevent worker hold, and how fast does a new
comment reach all of them?

1. start ``engage serve`` with one gevent worker on a fresh SQLite database (no Redis: the
   worker's listener polls the change log every ``LIVE_POLL_SECONDS``, the slowest path; pass
   ``--redis`` to wake it by Redis pub/sub instead);
2. open ``--streams`` (default 2,000) ``GET /api/v1/stream`` connections from this process
   (non-blocking sockets, one thread) to one article, and wait until every one has its
   response headers; read the worker's resident memory before the first and after the last;
3. publish one comment on the article through the public API and time until every stream has
   received its ``event: comment`` frame.

Prints the worker's memory per connection (RSS growth / streams) and the time from the POST's
answer to the last stream's event (and the median), and whether every stream got it. The
baseline in the same run is the time to the *first* stream's event: the rest is fan-out.

Usage: ``.venv/bin/python bench/stream.py [--streams 2000] [--redis]``
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import socket
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers import EngageServer, free_port  # noqa: E402

ARTICLE = "/bench/live"
UA = "Mozilla/5.0 (X11; Linux x86_64) bench-stream"


def worker_pid(server) -> int:
    with open(f"/proc/{server.process.pid}/task/{server.process.pid}/children") as f:
        return int(f.read().split()[0])


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def post_comment(base: str, body: str) -> None:
    payload = {"article": ARTICLE, "author_name": "Bench", "author_email": "bench@example.org",
               "body": body}
    request = urllib.request.Request(base + "/api/v1/comments", json.dumps(payload).encode(),
                                     {"Content-Type": "application/json", "User-Agent": UA})
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201, answer.status


class Streams:
    """``n`` raw HTTP/1.1 stream requests, driven by one selector."""

    def __init__(self, port: int, n: int):
        self.selector = selectors.DefaultSelector()
        self.buffers: dict[socket.socket, bytearray] = {}
        request = (f"GET /api/v1/stream?article={ARTICLE} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   f"User-Agent: {UA}\r\nAccept: text/event-stream\r\n\r\n").encode()
        for i in range(n):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.sendall(request)
            sock.setblocking(False)
            self.buffers[sock] = bytearray()
            self.selector.register(sock, selectors.EVENT_READ)
            if i % 200 == 199:
                self.pump(0.05)
                print(f"  {i + 1} streams opened", flush=True)

    def pump(self, timeout: float) -> None:
        for key, _ in self.selector.select(timeout):
            sock = key.fileobj
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                self.selector.unregister(sock)
                continue
            self.buffers[sock] += data

    def count(self, marker: bytes) -> int:
        return sum(1 for buffer in self.buffers.values() if marker in buffer)

    def wait_for(self, marker: bytes, deadline: float, times: dict | None = None) -> int:
        while time.monotonic() < deadline:
            self.pump(0.01)
            if times is not None:
                now = time.monotonic()
                for sock, buffer in self.buffers.items():
                    if sock not in times and marker in buffer:
                        times[sock] = now
            done = self.count(marker)
            if done == len(self.buffers):
                return done
        return self.count(marker)

    def close(self) -> None:
        for sock in self.buffers:
            sock.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=2000)
    parser.add_argument("--redis", action="store_true",
                        help="wake the listener with Redis (ENGAGE_BENCH_REDIS_URL)")
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="engage-bench-stream-")
    settings = {"INSTANCE_PATH": instance, "SECRET_KEY": "bench", "DEMO_ENABLED": False,
                "FLOOD_SECONDS": 0, "MIN_SUBMIT_SECONDS": 0, "LIVE_STREAMS": "on",
                "LIVE_MAX_STREAMS": args.streams + 100,
                "LIVE_MAX_STREAMS_PER_NETWORK": args.streams + 100,
                "WORKER_CONNECTIONS": args.streams + 200, "CLASSIFIER_STARTER_ENABLED": False}
    if args.redis:
        settings["REDIS_URL"] = os.environ.get("ENGAGE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
        settings["REDIS_PREFIX"] = f"bench-stream-{os.getpid()}:"
    server = EngageServer(settings, port=free_port(), workers=1)
    server.start()
    streams = None
    try:
        base = server.url
        post_comment(base, "The first comment, so the article exists.")
        pid = worker_pid(server)
        before = rss_kib(pid)
        print(f"opening {args.streams} streams to one gevent worker (pid {pid})", flush=True)
        started = time.monotonic()
        streams = Streams(server.port, args.streams)
        opened = streams.wait_for(b"\r\n\r\n", time.monotonic() + 120)
        print(f"  {opened} streams have their headers after {time.monotonic() - started:.1f} s")
        time.sleep(1.0)
        streams.pump(0.1)
        after = rss_kib(pid)
        times: dict = {}
        post_comment(base, "Published while everyone waits.")
        posted = time.monotonic()
        got = streams.wait_for(b"event: comment", posted + 60, times)
        delays = sorted(t - posted for t in times.values())
        per_conn = (after - before) / max(1, opened)
        print(f"worker RSS {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB with "
              f"{opened} streams: {per_conn:.1f} KiB per connection")
        if delays:
            print(f"event reached {got}/{args.streams} streams; first after "
                  f"{delays[0] * 1000:.0f} ms, median {statistics.median(delays) * 1000:.0f} ms, "
                  f"last after {delays[-1] * 1000:.0f} ms (from the POST's answer; "
                  f"listener: {'Redis' if args.redis else 'polling the database'})")
        ok = got == args.streams == opened
        print("every stream received the event" if ok else "SOME STREAMS MISSED THE EVENT")
        return 0 if ok else 1
    finally:
        if streams is not None:
            streams.close()
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
