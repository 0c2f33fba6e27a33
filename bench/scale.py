"""One engage instance against two behind a load balancer, on PostgreSQL + Redis, same run.

What it does:

1. creates a private PostgreSQL database (dropped at the end), migrates it once, and starts two
   ``engage serve --no-migrate`` instances (gunicorn, 2 workers each, engage's worker class) sharing it and
   one Redis key prefix, as two machines of one site would;
2. puts a small round-robin TCP load balancer (``RoundRobin`` below, per connection) in front:
   "one instance" sends everything through it to instance A only, "two instances" to A and B,
   so both sides pay the same extra hop;
3. drives each side with the same closed-loop mixed load for ``--duration`` seconds and
   ``--rounds`` rounds, alternating which side goes first: per 10 requests, 6 views (each a new
   reader, so each must count), 3 thread reads, 1 comment post (each a new reader);
4. prints throughput, p50/p99 per kind and the error count for each side;
5. stops both instances (SIGTERM: workers flush) and checks that nothing was lost: every view
   answered ``"counted": true`` is stored exactly once, every comment answered 201/202 is stored.

This machine has two cores shared by the load generator, the balancer, PostgreSQL, Redis and
every worker, so two instances cannot be faster here; the point is that they are correct and
lose nothing under load. Exit code 1 on any error or loss.

Usage: ``.venv/bin/python bench/scale.py [--duration 8] [--rounds 2] [--concurrency 8]``
PostgreSQL admin URL from ``ENGAGE_BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``), Redis from ``ENGAGE_BENCH_REDIS_URL`` (default
``redis://127.0.0.1:6379/0``; keys under a unique prefix, deleted after).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds modules named like the standard library's (queue.py): keep it off sys.path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
from engage.serving.worker_classes import configured_worker_class  # noqa: E402
from tests.servers import EngageServer, free_port, start_all  # noqa: E402

WORKERS, THREADS = 2, 8
ARTICLES = 50
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
KINDS = ("view", "read", "post")
EXPECTED = {"view": {200}, "read": {200}, "post": {201, 202}}


# --------------------------------------------------------------------------- balancer


class RoundRobin:
    """Accepts on 127.0.0.1 and hands each new connection to the next backend in turn."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.backends: list[int] = []
        self._next = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            port = self.backends[self._next % len(self.backends)]
            self._next += 1
            try:
                upstream = socket.create_connection(("127.0.0.1", port))
            except OSError:
                client.close()
                continue
            # Forward each write at once: with Nagle on, a response written in two parts
            # (headers, body) waits ~40 ms for the client's delayed ACK.
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def close(self) -> None:
        self._listener.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


# --------------------------------------------------------------------------- load


class Readers:
    """A new reader (own /24 network and email) for every request."""

    def __init__(self, run: str):
        self._n = 0
        self._lock = threading.Lock()
        self.run = run

    def next(self) -> int:
        with self._lock:
            self._n += 1
            return self._n


def _ip(n: int) -> str:
    """A /24 of its own for reader ``n`` (engage keys readers and visitors by /24)."""
    return f"{10 + (n >> 16) % 200}.{(n >> 8) & 255}.{n & 255}.1"


class Result:
    def __init__(self):
        self.seconds = 0.0
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.errors = 0  # sockets that failed, or a status no client should get
        self.counted_views = 0
        self.comment_ids: list[int] = []

    def merge(self, other: "Result") -> None:
        self.seconds += other.seconds
        for kind in KINDS:
            self.latencies[kind] += other.latencies[kind]
            self.statuses[kind].update(other.statuses[kind])
        self.errors += other.errors
        self.counted_views += other.counted_views
        self.comment_ids += other.comment_ids

    @property
    def completed(self) -> int:
        return sum(sum(c.values()) for c in self.statuses.values())


def _request(n: int, readers: Readers, run: str):
    kind = "view" if n % 10 < 6 else "read" if n % 10 < 9 else "post"
    article = f"/bench-scale/{run}/{n % ARTICLES}"
    reader = readers.next()
    headers = {"User-Agent": BROWSER, "X-Forwarded-For": _ip(reader)}
    if kind == "view":
        return kind, "POST", f"/api/v1/views?article={article}", b"", headers
    if kind == "read":
        return kind, "GET", f"/api/v1/comments?article={article}", None, headers
    body = json.dumps({"article": article, "author_name": f"Reader {reader}",
                       "author_email": f"r{reader}.{run}@example.org",
                       "body": f"Reader {reader} says this was a useful article."}).encode()
    return kind, "POST", "/api/v1/comments", body, {**headers,
                                                     "Content-Type": "application/json"}


def drive(port: int, seconds: float, concurrency: int, readers: Readers, run: str) -> Result:
    """Closed loop: ``concurrency`` keep-alive clients, back to back, for ``seconds``."""
    total = Result()
    lock = threading.Lock()
    counter = iter(range(10**12))
    deadline = time.monotonic() + seconds

    def client() -> None:
        mine = Result()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            with lock:
                n = next(counter)
            kind, method, path, body, headers = _request(n, readers, run)
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                mine.errors += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.latencies[kind].append(time.perf_counter() - started)
            mine.statuses[kind][response.status] += 1
            if response.status not in EXPECTED[kind]:
                mine.errors += 1
            elif kind == "view":
                mine.counted_views += json.loads(data)["counted"]
            elif kind == "post":
                mine.comment_ids.append(json.loads(data)["comment"]["id"])
        connection.close()
        with lock:
            total.merge(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total.seconds = time.monotonic() - started
    return total


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def report(name: str, r: Result) -> str:
    every = [x for kind in KINDS for x in r.latencies[kind]]
    lines = [f"{name:>14}: {r.completed / r.seconds:7.1f} req/s  p50 {_pct(every, 50):6.1f} ms  "
             f"p99 {_pct(every, 99):7.1f} ms  errors {r.errors}  ({r.completed} requests in "
             f"{r.seconds:.1f} s)"]
    for kind in KINDS:
        lines.append(f"{'':>16}{kind:>5}: {len(r.latencies[kind]):6d}  p50 "
                     f"{_pct(r.latencies[kind], 50):6.1f} ms  p99 {_pct(r.latencies[kind], 99):7.1f}"
                     f" ms  statuses {dict(r.statuses[kind])}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- servers


def private_database(admin_url: str):
    from sqlalchemy import create_engine, text

    from engage.config import database_url

    admin = create_engine(database_url(admin_url, Path(".")), isolation_level="AUTOCOMMIT")
    name = f"engage_bench_scale_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :n"), {"n": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return url, drop


def migrate(url: str, workdir: Path) -> None:
    from engage import create_app
    from engage.cli import upgrade_schema
    from engage.db import db

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(workdir)})
    with app.app_context():
        upgrade_schema()
        db.engine.dispose()


def stored(url: str, run: str) -> tuple[int, set[int]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    like = {"k": f"/bench-scale/{run}/%"}
    with engine.connect() as connection:
        views = connection.execute(text(
            "SELECT coalesce(sum(v.count), 0) FROM article_views v JOIN articles a "
            "ON a.id = v.article_id WHERE a.key LIKE :k"), like).scalar_one()
        ids = set(connection.execute(text(
            "SELECT c.id FROM comments c JOIN articles a ON a.id = c.article_id "
            "WHERE a.key LIKE :k"), like).scalars())
    engine.dispose()
    return int(views), ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per measured run")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of (one, two) instances")
    parser.add_argument("--concurrency", type=int, default=8, help="closed-loop clients")
    parser.add_argument("--database-url", default=os.environ.get(
        "ENGAGE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--redis-url", default=os.environ.get(
        "ENGAGE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()

    import redis

    run = uuid.uuid4().hex[:8]
    prefix = f"engage-bench-scale:{run}:"
    url, drop = private_database(args.database_url)
    balancer = RoundRobin()
    instances: list[EngageServer] = []
    exits: list[int] = []
    results = {"one instance": Result(), "two instances": Result()}
    try:
        with tempfile.TemporaryDirectory(prefix="engage-bench-scale-") as tmp:
            workdir = Path(tmp)
            migrate(url, workdir)
            settings = {"DATABASE_URL": url, "REDIS_URL": args.redis_url, "REDIS_PREFIX": prefix,
                        "SECRET_KEY": "bench-scale", "TRUSTED_PROXIES": "127.0.0.1",
                        "DEMO_ENABLED": False, "FLOOD_SECONDS": 60, "MIN_SUBMIT_SECONDS": 0,
                        "LOG_LEVEL": "WARNING"}
            for name in ("a", "b"):
                (workdir / name).mkdir()
                instances.append(EngageServer({**settings, "INSTANCE_PATH": str(workdir / name)},
                                              free_port(), WORKERS, THREADS, migrate=False))
            start_all(instances)
            print(f"2 instances x gunicorn {WORKERS} {configured_worker_class()} workers on PostgreSQL "
                  f"+ Redis; {args.concurrency} keep-alive clients through a round-robin TCP "
                  f"balancer; mix per 10 requests: 6 views, 3 thread reads, 1 comment post; "
                  f"{args.rounds} rounds x {args.duration:g} s per side, order alternating")
            readers = Readers(run)
            sides = {"one instance": [instances[0].port],
                     "two instances": [i.port for i in instances]}
            warm = results["warm-up"] = Result()  # each instance briefly, not measured
            for port in sides["two instances"]:
                balancer.backends = [port]
                warm.merge(drive(balancer.port, 1.5, args.concurrency, readers, run))
            for round_no in range(args.rounds):
                order = list(sides) if round_no % 2 == 0 else list(sides)[::-1]
                for side in order:
                    balancer.backends = sides[side]
                    results[side].merge(drive(balancer.port, args.duration, args.concurrency,
                                              readers, run))
            exits = [instance.stop(60) for instance in instances]
    finally:
        for instance in instances:
            instance.stop(60)
        balancer.close()
        client = redis.Redis.from_url(args.redis_url)
        leftovers = list(client.scan_iter(match=prefix + "*", count=1000))
        pending = [k for k in leftovers if b":v:pending:" in k or b":v:batch" in k]
        if leftovers:
            client.delete(*leftovers)
        client.close()
        stored_views, stored_ids = stored(url, run)
        drop()

    print()
    for side in ("one instance", "two instances"):
        r = results[side]
        print(report(side, r))
    every = Result()
    for r in results.values():
        every.merge(r)
    acknowledged = set(every.comment_ids)
    lost = acknowledged - stored_ids
    exact_views = stored_views == every.counted_views
    print(f"\nviews answered counted: {every.counted_views}, stored after SIGTERM: {stored_views}"
          f" ({'exact' if exact_views else 'MISMATCH'}); Redis pending keys left: {len(pending)}")
    print(f"comments acknowledged (201/202): {len(acknowledged)}, stored: "
          f"{len(acknowledged & stored_ids)}, lost: {len(lost)}; exit codes {exits}")
    ratio = ((results["two instances"].completed / results["two instances"].seconds)
             / (results["one instance"].completed / results["one instance"].seconds))
    print(f"throughput two/one instances: {ratio:.2f} (2 shared cores: ~1 is expected)")
    failed = every.errors or lost or not exact_views or any(exits)
    print("\nPASS" if not failed else "\nFAIL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
