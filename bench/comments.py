"""Comments API throughput next to a bare Flask endpoint served the same way, in one run.

Starts ``engage serve`` (gunicorn, engage's worker class: ``ENGAGE_WORKER_CLASS`` or gevent) on a
fresh database and ``bench/bare_app.py`` under the same gunicorn settings, then drives each with the same closed-loop load:

- ``POST /api/v1/comments`` (distinct clean comments) vs a bare JSON ``POST`` that commits one
  row to SQLite (``/bare/commit``; issue 22's baseline) and vs one that stores nothing;
- ``GET /api/v1/comments`` of a 200-comment thread (``limit=200``) vs a bare JSON ``GET``.

Each side and its baselines take turns in half-second slices (``bench.loadgen.interleaved``),
so a neighbour's burst of load on the shared machine lands on both. Prints requests per second
for each and the ratio engage/bare; targets (issue 22): posts >= 0.25x the committing bare
POST, thread reads >= 0.5x the bare GET. Absolute numbers depend on the machine; the ratio is
the figure to compare.

Then thread reads by thread size (``--sizes``, default 100 and 10,000 approved comments, stored
straight into the database before the server starts): each thread is read as the widget reads
it (pages of 50, following ``next``) and whole in pages of 200. For each, the first page and
the later pages (every later page in turn, round-robin) are loaded separately and their p50
and p99 printed; target: p99 of the biggest thread <= 3x p99 of the smallest, for the first
page and for the later pages (a thread with no later page compares with its first page).

    .venv/bin/python bench/comments.py [--seconds 5] [--concurrency 8] [--database-url URL]
                                       [--only all|throughput|sizes] [--sizes 100,10000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Replace the script's own folder on the path: bench/queue.py would shadow the stdlib queue.
sys.path[0] = str(ROOT)

from bench.loadgen import interleaved  # noqa: E402
from engage.serving.worker_classes import configured_worker_class  # noqa: E402
from tests.servers import BareServer, EngageServer, free_port  # noqa: E402

WORKERS, THREADS = 2, 8
THREAD_ARTICLE = "/bench/two-hundred"
WIDGET_PAGE, WHOLE_PAGE = 50, 200  # engage.js's PAGE_SIZE; COMMENTS_MAX_PAGE_SIZE
SIZE_TARGET = 3.0
POST_TARGET, READ_TARGET = 0.25, 0.5  # issue 22: of a bare POST committing a row, a bare GET
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


def sized_article(size: int) -> str:
    return f"/bench/thread-of-{size}"


def seed_sized_threads(settings: dict, sizes: list[int]) -> None:
    """Migrate the database and store one thread of each size, approved, in one transaction
    (posting 10,000 comments through the API would take most of the run)."""
    from engage import create_app
    from engage.articles import get_or_create_article
    from engage.cli import upgrade_schema
    from engage.comments.models import Comment, CommentStatus
    from engage.comments.rendering import render_body
    from engage.db import db, utcnow

    app = create_app({key: value for key, value in settings.items()})
    with app.app_context():
        upgrade_schema()
        start = utcnow() - timedelta(days=1)
        for size in sizes:
            article = get_or_create_article(db.session, sized_article(size))
            rows = []
            for n in range(size):
                comment = clean_comment(n)
                rows.append(Comment(
                    article=article, site_id=article.site_id, status=CommentStatus.APPROVED,
                    author_name=comment["author_name"], author_email=comment["author_email"],
                    body=comment["body"], body_html=render_body(comment["body"]),
                    reasons=[], created_at=start + timedelta(seconds=n)))
            db.session.add_all(rows)
            db.session.flush()
            for n in range(9, size, 10):  # every tenth comment answers the one before it
                rows[n].parent_id = rows[n - 1].id
            db.session.commit()
        db.engine.dispose()


def thread_pages(url: str, article: str, limit: int) -> list[str]:
    """The paths of every page of the thread, first to last, following ``next``."""
    paths, cursor = [], None
    while True:
        path = f"/api/v1/comments?article={article}&limit={limit}"
        if cursor:
            path += f"&cursor={cursor}"
        with urllib.request.urlopen(url + path, timeout=30) as response:
            data = json.load(response)
        paths.append(path)
        cursor = data["next"]
        if not cursor:
            return paths


def timed_reads(url: str, paths: list[str], concurrency: int, seconds: float,
                once: bool = False) -> list[float]:
    """Closed-loop GETs of ``paths`` in turn (round-robin over all threads) for ``seconds``,
    or each path once (``once``); the latency of each in seconds. Any answer but 200 is an
    error."""
    parts = urllib.parse.urlsplit(url)
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(10**12))
    deadline = time.monotonic() + seconds

    def worker():
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        local = []
        while once or time.monotonic() < deadline:
            with lock:
                n = next(counter)
            if once and n >= len(paths):  # ``once``: the list, once through
                break
            began = time.perf_counter()
            connection.request("GET", paths[n % len(paths)])
            response = connection.getresponse()
            response.read()
            local.append(time.perf_counter() - began)
            if response.status != 200:
                raise RuntimeError(f"{paths[n % len(paths)]}: HTTP {response.status}")
        connection.close()
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if values \
        else float("nan")


def measure_sizes(url: str, sizes: list[int], concurrency: int, seconds: float) -> bool:
    """Print p50/p99 of first and later pages per thread size and page size; True if every
    ratio against the smallest thread meets SIZE_TARGET.

    The sizes take turns in slices of a quarter second (``seconds`` in all for each): the
    machine is shared, and a burst of someone else's load then lands on both sides alike."""
    results: dict[tuple[int, int, str], list[float]] = {}
    slices = max(1, int(seconds / 0.25))
    for limit in (WIDGET_PAGE, WHOLE_PAGE):
        pages = {size: thread_pages(url, sized_article(size), limit) for size in sizes}
        for kind in ("first", "later"):
            paths = {size: pages[size][:1] if kind == "first" else pages[size][1:]
                     for size in sizes}
            paths = {size: value for size, value in paths.items() if value}
            for size, value in paths.items():  # walks first (every worker): the steady state
                timed_reads(url, value * 2 * WORKERS, concurrency, 0, once=True)
            for _ in range(slices):
                for size, value in paths.items():
                    results.setdefault((size, limit, kind), []).extend(
                        timed_reads(url, value, concurrency, seconds / slices))
        for size in sizes:
            print(f"  thread of {size:>6,}  limit {limit:>3}  {len(pages[size]):>4} pages  "
                  + "  ".join(f"{kind} p50 {percentile(values, 50):6.1f} ms "
                              f"p99 {percentile(values, 99):6.1f} ms ({len(values)} reads)"
                              for (s, l, kind), values in results.items()
                              if s == size and l == limit), flush=True)
    ok = True
    small = min(sizes)
    for limit in (WIDGET_PAGE, WHOLE_PAGE):
        for size in sizes:
            if size == small:
                continue
            for kind in ("first", "later"):
                if (size, limit, kind) not in results:
                    continue
                reference = results.get((small, limit, kind)) or results[(small, limit, "first")]
                ratio = percentile(results[(size, limit, kind)], 99) / percentile(reference, 99)
                verdict = "ok" if ratio <= SIZE_TARGET else "OVER TARGET"
                ok = ok and ratio <= SIZE_TARGET
                print(f"  limit {limit:>3} {kind:5s} pages: p99 at {size:,} / p99 at {small:,}"
                      f" = {ratio:.2f}  {verdict}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--only", choices=["all", "throughput", "sizes"], default="all")
    parser.add_argument("--sizes", default="100,10000",
                        help="thread sizes to compare, comma-separated")
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="engage-bench-")
    settings = {"INSTANCE_PATH": instance, "FLOOD_SECONDS": 0, "MIN_SUBMIT_SECONDS": 0,
                "DEMO_ENABLED": False}
    if args.database_url:
        settings["DATABASE_URL"] = args.database_url
    sizes = sorted(int(size) for size in args.sizes.split(","))
    if args.only != "throughput":
        seed_sized_threads(settings, sizes)
    engage = EngageServer(settings, port=free_port(), workers=WORKERS, threads=THREADS)
    engage.start()
    if args.only == "sizes":
        try:
            database = "PostgreSQL" if args.database_url else "SQLite (embedded default)"
            print(f"thread reads by thread size, gunicorn {configured_worker_class()} "
                  f"{WORKERS} workers, {args.concurrency} client threads, "
                  f"{args.seconds:.0f} s each, {database}")
            ok = measure_sizes(engage.url, sizes, args.concurrency, args.seconds)
            print(f"target: p99 at {max(sizes):,} <= {SIZE_TARGET:.0f}x p99 at {min(sizes):,}"
                  f" -> {'met' if ok else 'NOT met'}")
            return 0
        finally:
            engage.stop()
    bare = BareServer(free_port(), WORKERS, THREADS, Path(instance) / "bare.log",
                      env={**os.environ, "BARE_SQLITE": str(Path(instance) / "bare.db")})
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

        def bare_commit(n):
            return ("POST", "/bare/commit", json.dumps(clean_comment(offset + n)).encode(),
                    json_headers)

        def engage_thread(n):
            return "GET", f"/api/v1/comments?article={THREAD_ARTICLE}&limit=200", None, {}

        def bare_get(n):
            return "GET", "/bare", None, {}

        load = dict(concurrency=args.concurrency, seconds=args.seconds)
        # Each side takes turns with its baseline in half-second slices (bench.loadgen).
        bare_commits, bare_posts, engage_posts = interleaved(
            [(bare_url, bare_commit), (bare_url, bare_post), (engage.url, engage_post)], **load)
        bare_gets, engage_reads = interleaved(
            [(bare_url, bare_get), (engage.url, engage_thread)], **load)
        rows = [("POST /api/v1/comments", engage_posts, bare_commits),
                ("GET 200-comment thread", engage_reads, bare_gets)]
        database = "PostgreSQL" if args.database_url else "SQLite (embedded default)"
        print(f"engage vs bare Flask, gunicorn {configured_worker_class()} {WORKERS} workers "
              f"(threads: {THREADS}, gthread only), "
              f"{args.concurrency} client threads, {args.seconds:.0f} s each, {database}")
        for (name, engage_result, bare_result), (baseline, target) in zip(rows, (
                ("bare POST committing one row", POST_TARGET),
                ("bare JSON GET", READ_TARGET))):
            ratio = engage_result.rps / bare_result.rps if bare_result.rps else float("nan")
            print(f"{name:24s} engage {engage_result.summary()}")
            print(f"{'':24s} bare   {bare_result.summary()}  ({baseline})")
            print(f"{'':24s} ratio engage/bare = {ratio:.2f}  (target >= {target:g}: "
                  f"{'met' if ratio >= target else 'NOT met'})")
            if name.startswith("POST"):
                print(f"{'':24s} bare   {bare_posts.summary()}  (bare POST storing nothing)")
                print(f"{'':24s} ratio engage/bare storing nothing = "
                      f"{engage_result.rps / bare_posts.rps:.2f}")
        if args.only == "all":
            print("thread reads by thread size")
            ok = measure_sizes(engage.url, sizes, args.concurrency, args.seconds)
            print(f"target: p99 at {max(sizes):,} <= {SIZE_TARGET:.0f}x p99 at {min(sizes):,}"
                  f" -> {'met' if ok else 'NOT met'}")
        failures = sum(r.errors + sum(v for k, v in r.statuses.items() if k >= 500)
                       for _, r, _ in rows)
        return 1 if failures else 0
    finally:
        engage.stop()
        bare.stop(10)


if __name__ == "__main__":
    sys.exit(main())
