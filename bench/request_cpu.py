"""CPU time per request of the hot public endpoints, measured in-process (no HTTP, no load).

On a shared machine throughput swings with the neighbours; the process's own CPU time per
request does not, so this is the figure to develop against. The WSGI app (engage's full
middleware chain, hooks and logging as ``engage serve`` configures them, gevent-patched as
served) is called directly ``--requests`` times per endpoint, after a warm-up, and the process
CPU time (``time.process_time``: every thread and greenlet, the log writer and the metrics
publisher included) per request is printed beside the same measure of the bare Flask app
(``bench/bare_app.py``), whose figure is the ceiling of the ratio the HTTP benches report.

Endpoints: ``POST /api/v1/views`` (a new reader each time; embedded buffer, or Redis with
``--redis-url``), ``GET /api/v1/comments?article=…&limit=200`` of a 200-comment thread
(served from the page cache after the first read), and the bare app's ``POST /api/v1/views``
(204) and ``GET /bare``.

    .venv/bin/python bench/request_cpu.py [--requests 5000] [--redis-url redis://127.0.0.1:6379/6]
                                          [--only views|thread|bare] [--profile]

``--profile`` prints a pyinstrument profile of each endpoint (``pip install pyinstrument``;
not a project dependency).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Replace the script's own folder on the path: bench/queue.py would shadow the stdlib queue.
sys.path[0] = str(ROOT)
from engage.serving.worker_classes import configured_worker_class, prepare_process  # noqa: E402

prepare_process(configured_worker_class())  # before anything else exists, as `engage serve`

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
ARTICLE = "/bench/two-hundred"


def environ(method: str, path: str, query: str = "", headers: dict | None = None,
            body: bytes = b"") -> dict:
    """A WSGI environ as gunicorn builds it for a request from 127.0.0.1."""
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
           "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
           "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000", "SCRIPT_NAME": "",
           "HTTP_HOST": "127.0.0.1:8000", "wsgi.url_scheme": "http", "wsgi.version": (1, 0),
           "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
           "wsgi.errors": sys.stderr, "wsgi.input_terminated": True,
           "CONTENT_LENGTH": str(len(body))}
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        env[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key] = value
    env["wsgi.input"] = io.BytesIO(body)
    return env


def call(app, env: dict) -> tuple[str, bytes]:
    status = []

    def start_response(line, headers, exc_info=None):
        status.append(line)

    result = app(env, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return status[0], body


def measure(name: str, app, make_env, requests: int, expect: str, profile: bool) -> float:
    """CPU µs per request of ``app`` for environs ``make_env(n)``; checks the status."""
    for n in range(min(500, requests)):  # warm-up: caches, connections, lazy threads
        status, body = call(app, make_env(-n - 1))
        if not status.startswith(expect):
            raise SystemExit(f"{name}: {status} {body[:300]!r}")
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    # Five slices, and the cheapest one reported: a neighbour's load only ever adds to a
    # slice's CPU time (caches, frequency), so the minimum is the steadiest figure.
    slices, per_slice = [], max(1, requests // 5)
    wall = time.perf_counter()
    for first in range(0, per_slice * 5, per_slice):
        started = time.process_time()
        for n in range(first, first + per_slice):
            call(app, make_env(n))
        slices.append((time.process_time() - started) / per_slice)
    wall = (time.perf_counter() - wall) / (per_slice * 5)
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=bool(os.environ.get("PROFILE_ALL"))))
    micros = min(slices) * 1e6
    print(f"{name:44s} {micros:7.1f} µs CPU per request (slices {min(slices) * 1e6:.0f}-"
          f"{max(slices) * 1e6:.0f}; {wall * 1e6:.0f} µs wall)", flush=True)
    return micros


def views_env(n: int) -> dict:
    index = 10_000_000 + n if n >= 0 else 20_000_000 - n
    ip = f"{11 + index // 65536 % 200}.{index // 256 % 256}.{index % 256}.1"
    return environ("POST", "/api/v1/views", f"article=/bench/{index % 50}",
                   {"X-Forwarded-For": ip, "User-Agent": BROWSER})


def thread_env(n: int) -> dict:
    return environ("GET", "/api/v1/comments", f"article={ARTICLE}&limit=200",
                   {"User-Agent": BROWSER})


def engage_app(redis_url: str | None, instance: str):
    import logging

    from engage import create_app
    from engage.cli import upgrade_schema
    from engage.observability.logging import configure

    settings = {"INSTANCE_PATH": instance, "SECRET_KEY": "bench", "TRUSTED_PROXIES": "127.0.0.1",
                "DEMO_ENABLED": False, "FLOOD_SECONDS": 0, "MIN_SUBMIT_SECONDS": 0,
                "DATABASE_URL": f"sqlite:///{instance}/engage.sqlite3"}
    if redis_url:
        settings.update(REDIS_URL=redis_url, REDIS_PREFIX=f"engage-cpu:{uuid.uuid4().hex[:8]}:")
    app = create_app(settings)
    with app.app_context():
        upgrade_schema()  # Alembic's env sets up logging of its own: replaced next, as served
    configure("INFO", open(os.devnull, "w"))  # as served: request records written (to nowhere)
    logging.getLogger("engage.request").setLevel(logging.NOTSET)
    return app, settings.get("REDIS_PREFIX")


def seed_thread(app) -> None:
    import json

    for n in range(200):
        body = json.dumps({"article": ARTICLE, "author_name": f"Reader {n}",
                           "author_email": f"reader{n}@example.org",
                           "body": f"I read the piece about the plan, note {n}. Thanks."}).encode()
        status, answer = call(app, environ("POST", "/api/v1/comments", "", {
            "Content-Type": "application/json", "User-Agent": BROWSER,
            "X-Forwarded-For": f"10.{n // 256}.{n % 256}.7"}, body))
        if not status.startswith("201"):
            raise SystemExit(f"seeding: {status} {answer[:300]!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--only", choices=("views", "thread", "bare"))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-counting", action="store_true",
                        help="replace recording a view by a constant answer, as bench/views.py's "
                             "breakdown server does")
    args = parser.parse_args()
    results = {}
    if args.only in (None, "bare"):
        sys.path.insert(0, str(ROOT / "bench"))
        from bench.bare_app import app as bare

        results["bare_204"] = measure("bare POST /api/v1/views (204)", bare,
                                      lambda n: environ("POST", "/api/v1/views"),
                                      args.requests, "204", args.profile)
        results["bare_get"] = measure("bare GET /bare", bare, lambda n: environ("GET", "/bare"),
                                      args.requests, "200", args.profile)

        def nothing(env, start_response):
            start_response("204 No Content", [])
            return [b""]

        measure("a WSGI function answering 204 (harness)", nothing, views_env, args.requests,
                "204", False)
    if args.only in (None, "views", "thread"):
        with tempfile.TemporaryDirectory(prefix="engage-cpu-") as instance:
            app, prefix = engage_app(args.redis_url, instance)
            if args.no_counting:
                from engage.pageviews import beacon
                from engage.pageviews.service import ViewOutcome

                beacon.count = lambda views, view: ViewOutcome(True, 0, None)
            if args.only in (None, "views"):
                backend = "redis" if args.redis_url else "embedded"
                results["views"] = measure(f"engage POST /api/v1/views ({backend})", app,
                                           views_env, args.requests, "200", args.profile)
            if args.only in (None, "thread"):
                seed_thread(app)
                results["thread"] = measure("engage GET 200-comment thread (cached)", app,
                                            thread_env, args.requests, "200", args.profile)
            if prefix:
                import redis

                client = redis.Redis.from_url(args.redis_url)
                keys = list(client.scan_iter(match=prefix + "*", count=1000))
                if keys:
                    client.delete(*keys)
    if "bare_204" in results and "views" in results:
        print(f"CPU ratio bare/engage, views: {results['bare_204'] / results['views']:.2f}")
    if "bare_get" in results and "thread" in results:
        print(f"CPU ratio bare/engage, thread read: {results['bare_get'] / results['thread']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
