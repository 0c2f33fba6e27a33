"""A real HTTP receiver on loopback for webhook tests (a ``http.server`` thread).

``Receiver.plan`` is a list of behaviours taken one per request, then ``"ok"`` for ever:
``"ok"`` (204), an int status, ``"slow"`` (sleeps ``slow_seconds`` before answering),
``"garbage"`` (bytes that are not HTTP). Every request is recorded (path, headers, body), even
those answered badly; ``deliveries()`` counts the Engage-Delivery ids.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


class Receiver:
    def __init__(self, plan=None, slow_seconds: float = 3.0, port: int = 0):
        self.plan = list(plan or [])
        self.slow_seconds = slow_seconds
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests.append(Received(self.path, dict(self.headers), body))
                    step = receiver.plan.pop(0) if receiver.plan else "ok"
                if step == "slow":
                    time.sleep(receiver.slow_seconds)
                    step = "ok"
                if step == "garbage":
                    self.wfile.write(b"\x00\xffnot http at all\r\n\r\n")
                    self.close_connection = True
                    return
                self.send_response(204 if step == "ok" else int(step))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def deliveries(self) -> Counter:
        with self.lock:
            return Counter(r.headers.get("Engage-Delivery") for r in self.requests)

    def wait_for(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return
            time.sleep(0.02)
        raise AssertionError(f"{len(self.requests)} requests received, {count} expected")


def main() -> None:
    """``python -m tests.notifications.receiver PORT``: serve until SIGTERM, then print
    ``{"requests": N, "deliveries": distinct ids}`` (benchmarks run it in its own process, so
    that their load threads do not slow it down)."""
    import json
    import signal
    import sys

    receiver = Receiver(port=int(sys.argv[1]))
    signal.signal(signal.SIGTERM, lambda *_: receiver.server.shutdown())
    with receiver:
        print("ready", flush=True)
        receiver.thread.join()
    print(json.dumps({"requests": len(receiver.requests),
                      "deliveries": len(receiver.deliveries())}), flush=True)


if __name__ == "__main__":
    main()
