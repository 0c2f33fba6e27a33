"""Comments API throughput next to a bare Flask endpoint served the same way, in one run.

Starts ``engage serve`` (gunicorn, engage's worker class: ``ENGAGE_WORKER_CLASS`` or gevent) on a
fresh database and ``bench/bare_app.py`` under the same gunicorn settings, then drives each with the same closed-loop load:

- ``POST /api/v1/comments`` (distinct clean comments) vs a bare JSON ``POST``;
- ``GET /api/v1/comments`` of a 200-comment thread (``limit=200``) vs a bare JSON ``GET``.

Prints requests per second for each and the ratio engage/bare. Absolute numbers depend on the
machine; the ratio is the figure to compare.

    .venv/bin/python bench/comments.py [--seconds 5] [--concurrency 8] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Replace the script's own folder on the path: bench/queue.py would shadow the stdlib queue.
sys.path[0] = str(ROOT)

from bench.loadgen import run_load  # noqa: E402
from engage.serving.worker_classes import configured_worker_class  # noqa: E402
from tests.servers import BareServer, EngageServer, free_port  # noqa: E402

WORKERS, THREADS = 2, 8
THREAD_ARTICLE = "/bench/two-hundred"
TOPICS = ["bridge", "council", "budget", "school", "harbour", "library", "tram", "market"]


def clean_comment(n: int) -> dict:
    topic = TOPICS[n % len(TOPICS)]
    return {"article": f"/bench/post/{n % 50}", "author_name": f"Reader {n}",
            "author_email": f"reader{n}@example.org",
            "body": f"I read the piece about the {topic} plan, note {n}. Thanks for reporting it."}


def seed_thread(url: str, count: int) -> None:
    for n in range(count):
        body = json.dumps({**clean_comment(n + 10**6), "article": THREAD_ARTICLE}).encode()
        request = urllib.request.Request(url + "/api/v1/comments", data=body,
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).read()
    with urllib.request.urlopen(f"{url}/api/v1/comments?article={THREAD_ARTICLE}&limit=200") as r:
        published = json.load(r)["count"]
    if published != count:
        raise RuntimeError(f"expected {count} published comments in the thread, got {published}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="engage-bench-")
    settings = {"INSTANCE_PATH": instance, "FLOOD_SECONDS": 0, "MIN_SUBMIT_SECONDS": 0,
                "DEMO_ENABLED": False}
    if args.database_url:
        settings["DATABASE_URL"] = args.database_url
    engage = EngageServer(settings, port=free_port(), workers=WORKERS, threads=THREADS)
    engage.start()
    bare = BareServer(free_port(), WORKERS, THREADS, Path(instance) / "bare.log")
    bare_url = bare.url
    try:
        bare.start(timeout=30)
        seed_thread(engage.url, 200)
        json_headers = {"Content-Type": "application/json"}
        offset = 10**7

        def engage_post(n):
            return "POST", "/api/v1/comments", json.dumps(clean_comment(offset + n)).encode(), json_headers

        def bare_post(n):
            return "POST", "/bare", json.dumps(clean_comment(offset + n)).encode(), json_headers

        def engage_thread(n):
            return "GET", f"/api/v1/comments?article={THREAD_ARTICLE}&limit=200", None, {}

        def bare_get(n):
            return "GET", "/bare", None, {}

        load = dict(concurrency=args.concurrency, seconds=args.seconds)
        rows = []
        for name, engage_factory, bare_factory in (
                ("POST /api/v1/comments", engage_post, bare_post),
                ("GET 200-comment thread", engage_thread, bare_get)):
            bare_result = run_load(bare_url, bare_factory, **load)
            engage_result = run_load(engage.url, engage_factory, **load)
            rows.append((name, engage_result, bare_result))
        database = "PostgreSQL" if args.database_url else "SQLite (embedded default)"
        print(f"engage vs bare Flask, gunicorn {configured_worker_class()} {WORKERS} workers "
              f"(threads: {THREADS}, gthread only), "
              f"{args.concurrency} client threads, {args.seconds:.0f} s each, {database}")
        for name, engage_result, bare_result in rows:
            ratio = engage_result.rps / bare_result.rps if bare_result.rps else float("nan")
            print(f"{name:24s} engage {engage_result.summary()}")
            print(f"{'':24s} bare   {bare_result.summary()}")
            print(f"{'':24s} ratio engage/bare = {ratio:.2f}")
        failures = sum(r.errors + sum(v for k, v in r.statuses.items() if k >= 500)
                       for _, r, _ in rows)
        return 1 if failures else 0
    finally:
        engage.stop()
        bare.stop(10)


if __name__ == "__main__":
    sys.exit(main())
