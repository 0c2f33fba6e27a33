"""Moderation queue latency at a million comments, next to ``GET /healthz`` in the same run.

For each database (SQLite always; PostgreSQL when ``--postgres URL`` or
``ENGAGE_BENCH_DATABASE_URL`` is given, in a private database dropped afterwards):

1. migrate a fresh database and seed ``--comments`` comments (default 1,000,000) over
   ``--articles`` articles (default 10,000) with mixed statuses, in one transaction
   (``executemany`` on SQLite, ``COPY`` on PostgreSQL); the count triggers run as in production;
2. start ``engage serve`` (gunicorn) on it, log a moderator in and issue an API token;
3. time, interleaved round by round, one request at a time on a keep-alive connection:
   ``GET /healthz`` (the baseline: a request that also touches the database), and the queue
   API and page: first page, a filtered page (one article), page 50 (keyset cursor), and text
   searches (``q=``: a common phrase, a rare one, a name, an email, a word no comment has),
   and the Reported tab (``reported=1``, API and page) over ``--reports`` open reports
   (default 10,000; about 2.5 per reported comment, below the hold threshold);
4. print each median in milliseconds and its ratio to the healthz median. Target: < 10x.

    .venv/bin/python bench/queue.py [--comments 1000000] [--articles 10000] [--rounds 40]
                                    [--reports 10000]
                                    [--postgres postgresql://postgres@127.0.0.1:5432/test]
                                    [--only sqlite|postgresql]
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named queue.py, like the standard library module that psycopg and others
# import: keep its own directory off the import path so `import queue` finds the real one.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import http.client
import json
import os
import random
import re
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import EngageServer, free_port  # noqa: E402

STATUSES = ["approved"] * 70 + ["spam"] * 15 + ["pending"] * 10 + ["rejected"] * 5
WORDS = ("council budget bridge harbour school library tram market river election mayor "
         "museum park housing rent bus festival storm flood energy price wage").split()
REASONS = {
    "pending": json.dumps([{"rule": "links", "reason": "3 links (held from 3)",
                            "evidence": ["https://a.example", "https://b.example",
                                         "https://c.example"]}]),
    "spam": json.dumps([{"rule": "blocked_words", "reason": "contains blocked words",
                         "evidence": ["casino"]}]),
}
TARGET = 10.0
SEARCHES = [  # (q, other filters)
    ("harbour tram", {"status": "pending"}),
    ("Comment 777777", {"status": "all"}),
    ("Reader 4242", {"status": "pending"}),
    ("reader4242@example.org", {"status": "all"}),
    ("zeppelin", {"status": "pending"}),
    ("zeppelin", {"status": "all"}),
]
MODERATOR, PASSWORD = "bench", "bench moderator password"


# --------------------------------------------------------------------------- seeding


def comment_rows(count: int, articles: int, start: datetime, seed: int = 7):
    """Rows for the comments table, oldest first (ids ascend with created_at)."""
    rng = random.Random(seed)
    for n in range(1, count + 1):
        status = STATUSES[rng.randrange(len(STATUSES))]
        words = " ".join(rng.choice(WORDS) for _ in range(12))
        body = f"About the {words}. Comment {n}."
        yield (n, rng.randrange(1, articles + 1), status, f"Reader {n % 50000}",
               f"reader{n % 50000}@example.org", body, f"<p>{body}</p>",
               f"198.51.{n % 200}.0/24", "Mozilla/5.0 (bench)", REASONS.get(status, "[]"),
               0.9 if status == "spam" else None,
               (start + timedelta(seconds=n)).replace(tzinfo=None).isoformat(sep=" "))


COLUMNS = ("id, article_id, status, author_name, author_email, body, body_html, ip_prefix, "
           "user_agent, reasons, spam_score, created_at")


def report_rows(reports: int, comments: int, start: datetime, seed: int = 11):
    """Open reports on random comments, about 2.5 per reported comment."""
    rng = random.Random(seed)
    reasons = ("spam", "abuse", "off_topic", "other", "illegal")
    targets = rng.sample(range(1, comments + 1), max(1, min(comments, reports * 2 // 5)))
    when = start.replace(tzinfo=None).isoformat(sep=" ")
    for n in range(reports):
        reason = reasons[n % len(reasons)]
        yield (uuid.uuid4().hex, targets[n % len(targets)], "default", f"{n:032x}",
               f"{n % 997:032x}", reason, "bench note" if reason == "illegal" else None,
               reason == "illegal", "open", when)


REPORT_COLUMNS = ("reference, comment_id, site_id, reporter, network, reason, message, "
                  "good_faith, state, created_at")


def seed(url: str, comments: int, articles: int, reports: int = 0) -> float:
    """Migrate and fill the database; returns seconds spent inserting."""
    from engage import create_app
    from engage.cli import upgrade_schema
    from engage.db import db
    from engage.queue.search_index import index_pending

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-q-")})
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    with app.app_context():
        upgrade_schema()
        began = time.perf_counter()
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            article_rows = [(i, f"/bench/article/{i}", start.replace(tzinfo=None).isoformat(sep=" "))
                            for i in range(1, articles + 1)]
            postgres = db.engine.dialect.name == "postgresql"
            if postgres:
                _seed_postgres(cursor, article_rows, comment_rows(comments, articles, start))
            else:
                _seed_sqlite(cursor, article_rows, comment_rows(comments, articles, start))
            mark = "%s" if postgres else "?"
            rows = [row[:-1] + (row[-1] + ("+00" if postgres else ""),)
                    for row in report_rows(reports, comments, start)]
            cursor.executemany(f"INSERT INTO comment_reports ({REPORT_COLUMNS}) VALUES "
                               f"({', '.join([mark] * 10)})", rows)
            raw.commit()
            cursor.execute("ANALYZE")
            raw.commit()
        finally:
            raw.close()
        # SQLite: the comments join the queue search index (a server does it in batches)
        index_pending(db.session)
        elapsed = time.perf_counter() - began
        db.engine.dispose()
    return elapsed


def _seed_sqlite(cursor, article_rows, rows) -> None:
    cursor.executemany("INSERT INTO articles (id, key, created_at) VALUES (?, ?, ?)", article_rows)
    batch = []
    sql = f"INSERT INTO comments ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    for row in rows:
        batch.append(row)
        if len(batch) == 50_000:
            cursor.executemany(sql, batch)
            batch.clear()
    if batch:
        cursor.executemany(sql, batch)


def _seed_postgres(cursor, article_rows, rows) -> None:
    with cursor.copy("COPY articles (id, key, created_at) FROM STDIN") as copy:
        for row in article_rows:
            copy.write_row((row[0], row[1], row[2] + "+00"))
    with cursor.copy(f"COPY comments ({COLUMNS}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row[:-1] + (row[-1] + "+00",))
    for table in ("articles", "comments"):
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT max(id) FROM {table}))")


def add_moderator(url: str) -> str:
    """Create the bench moderator; return a new API token."""
    from engage import create_app
    from engage.db import db
    from engage.moderators.accounts import create_moderator, issue_token

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-q-")})
    with app.app_context():
        account = create_moderator(db.session, MODERATOR, PASSWORD)
        token = issue_token(db.session, account)
        db.session.commit()
        db.engine.dispose()
    return token


# --------------------------------------------------------------------------- HTTP


class Client:
    """One keep-alive connection; remembers cookies."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # the server closed this keep-alive connection while slow searches held the other
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def log_in(self) -> None:
        status, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        body = urlencode({"name": MODERATOR, "password": PASSWORD, "csrf_token": token})
        status, _ = self.request("POST", "/login", body,
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"login failed: {status}")


def page_cursor(client: Client, headers: dict, page: int) -> int:
    """The cursor that opens page ``page`` of the pending queue (walking the pages)."""
    cursor = None
    for _ in range(page - 1):
        query = {"status": "pending", **({"cursor": cursor} if cursor else {})}
        status, data = client.request("GET", "/api/v1/moderation/comments?" + urlencode(query),
                                      headers=headers)
        cursor = json.loads(data)["next"]
    return cursor


def measure(base: str, token: str, rounds: int, busiest_article: str) -> dict[str, list[float]]:
    api = Client(base)
    browser = Client(base)
    browser.log_in()
    bearer = {"Authorization": f"Bearer {token}"}
    cursor50 = page_cursor(api, bearer, 50)
    filtered = {"status": "pending", "article": busiest_article}
    requests = {
        "GET /healthz": (api, "/healthz", {}),
        "API first page": (api, "/api/v1/moderation/comments?status=pending", bearer),
        "API filtered (article)": (api, "/api/v1/moderation/comments?" + urlencode(filtered),
                                   bearer),
        "API page 50": (api, f"/api/v1/moderation/comments?status=pending&cursor={cursor50}",
                        bearer),
        "page first page": (browser, "/moderate", {}),
        "page filtered (article)": (browser, "/moderate?" + urlencode(filtered), {}),
        "page page 50": (browser, f"/moderate?status=pending&cursor={cursor50}", {}),
        # Text search: a common phrase (pages fill at once), a rare one (one comment in a
        # million), a name, an email, and a word no comment has (a scan reads every row).
        **{f"API q={q!r} ({extra['status']})":
           (api, "/api/v1/moderation/comments?" + urlencode({**extra, "q": q}), bearer)
           for q, extra in SEARCHES},
        "page q='harbour tram'": (browser, "/moderate?" + urlencode({"q": "harbour tram"}), {}),
        "API Reported tab": (api, "/api/v1/moderation/comments?reported=1", bearer),
        "API Reported tab, oldest": (api, "/api/v1/moderation/comments?reported=1&order=oldest",
                                     bearer),
        "page Reported tab": (browser, "/moderate?reported=1", {}),
    }
    timings: dict[str, list[float]] = {name: [] for name in requests}
    for name, (client, path, headers) in requests.items():  # warm up caches and connections
        status, _ = client.request("GET", path, headers=headers)
        if status != 200:
            raise RuntimeError(f"{name}: HTTP {status}")
    for _ in range(rounds):
        for name, (client, path, headers) in requests.items():
            began = time.perf_counter()
            status, _ = client.request("GET", path, headers=headers)
            timings[name].append((time.perf_counter() - began) * 1000)
            assert status == 200, (name, status)
    return timings


def report(label: str, timings: dict[str, list[float]], seed_seconds: float, comments: int) -> bool:
    base = statistics.median(timings["GET /healthz"])
    print(f"\n{label}: {comments:,} comments seeded in {seed_seconds:.1f} s")
    print(f"  {'request':<40} {'median ms':>10} {'x healthz':>10}")
    ok = True
    for name, values in timings.items():
        median = statistics.median(values)
        ratio = median / base
        informational = "(info)" in name or name == "GET /healthz"
        verdict = "" if informational else ("ok" if ratio < TARGET else "OVER TARGET")
        ok = ok and (informational or ratio < TARGET)
        print(f"  {name:<40} {median:>10.2f} {ratio:>10.1f}  {verdict}")
    return ok


def busiest_article(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        article_id = connection.execute(text(
            "SELECT article_id FROM comments WHERE status = 'pending' GROUP BY article_id "
            "ORDER BY count(*) DESC LIMIT 1")).scalar()
    engine.dispose()
    return f"/bench/article/{article_id}"


def run(label: str, url: str, args) -> bool:
    from engage.config import database_url

    url = database_url(url, Path("."))
    seconds = seed(url, args.comments, args.articles, args.reports)
    token = add_moderator(url)
    article = busiest_article(url)
    instance = tempfile.mkdtemp(prefix="bench-q-serve-")
    server = EngageServer({"DATABASE_URL": url, "INSTANCE_PATH": instance, "SECRET_KEY": "bench",
                           "DEMO_ENABLED": False}, port=free_port(), workers=1, threads=4)
    server.start(timeout=120)
    try:
        timings = measure(server.url, token, args.rounds, article)
    finally:
        server.stop()
    return report(label, timings, seconds, args.comments)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--postgres", default=os.environ.get("ENGAGE_BENCH_DATABASE_URL", ""))
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None,
                        help="run one database only")
    args = parser.parse_args()
    ok = True
    if args.only != "postgresql":
        with tempfile.TemporaryDirectory(prefix="bench-queue-") as directory:
            ok &= run("SQLite", f"sqlite:///{directory}/queue.sqlite3", args)
    if args.postgres and args.only != "sqlite":
        ok &= run_postgres(args)
    print(f"\ntarget: every queue request under {TARGET:.0f}x GET /healthz -> "
          f"{'met' if ok else 'NOT met'}")
    return 0  # timings depend on the machine's load: report, do not fail `make bench`


def run_postgres(args) -> bool:
    from sqlalchemy import create_engine, text

    from engage.config import database_url

    admin_url = database_url(args.postgres, Path("."))
    name = f"engage_bench_queue_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        return run("PostgreSQL", url, args)
    finally:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name"), {"name": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
