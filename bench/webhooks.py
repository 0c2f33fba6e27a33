"""Comment POST rate with a webhook on every comment against none, in one run; delivery rate.

Starts ``engage serve`` (2 workers, engage's worker class) on a fresh database and a real HTTP
receiver on loopback, then alternates rounds of closed-loop ``POST /api/v1/comments`` load
without webhooks ("off") and with one webhook on ``comment.created`` ("on"): each published
comment then also writes one outbox row in its transaction, and the server processes deliver
them in the background while the load runs. Prints the POST rate of each, the ratio on/off
(issue 18's target: >= 0.9) and the messages delivered per second (from the start of a round
until its last message arrived). The receiver runs in a process of its own.

    .venv/bin/python bench/webhooks.py [--seconds 5] [--rounds 2] [--concurrency 8]
                                       [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # bench/queue.py would shadow the stdlib queue

from bench.loadgen import median, run_load  # noqa: E402
from tests.servers import EngageServer, free_port  # noqa: E402

WORKERS, THREADS = 2, 8


def prepare(settings: dict) -> str:
    """Migrate and create an admin; returns an API token."""
    from engage import create_app
    from engage.cli import upgrade_schema
    from engage.db import db
    from engage.moderators.accounts import create_moderator, issue_token

    app = create_app(settings)
    with app.app_context():
        upgrade_schema()
        admin = create_moderator(db.session, "bench-admin", "bench password 12345")
        token = issue_token(db.session, admin)
        db.session.commit()
        db.engine.dispose()
    return token


def call(url: str, method: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(url, method=method,
                                     data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        text = answer.read()
    return json.loads(text) if text else {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="engage-bench-")
    settings = {"INSTANCE_PATH": instance, "FLOOD_SECONDS": 0, "MIN_SUBMIT_SECONDS": 0,
                "DEMO_ENABLED": False, "SECRET_KEY": "bench-secret", "WEBHOOKS_ALLOW_PRIVATE": True,
                "CLASSIFIER_STARTER_ENABLED": False}
    if args.database_url:
        settings["DATABASE_URL"] = args.database_url
    token = prepare(settings)
    engage = EngageServer(settings, port=free_port(), workers=WORKERS, threads=THREADS,
                          migrate=False)
    counter = iter(range(10**9))

    def post(n):
        n = next(counter)
        body = {"article": f"/bench/hook/{n % 50}", "author_name": f"Reader {n}",
                "author_email": f"reader{n}@example.org",
                "body": f"A calm remark about the harbour plan, number {n}. Thanks."}
        return "POST", "/api/v1/comments", json.dumps(body).encode(), {
            "Content-Type": "application/json"}

    rates = {"off": [], "on": []}
    port = free_port()
    receiver = subprocess.Popen([sys.executable, "-m", "tests.notifications.receiver", str(port)],
                                cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert receiver.stdout.readline().strip() == "ready"
    delivered_total, delivery_seconds = 0, 0.0
    engage.start()
    hooks = engage.url + "/api/v1/moderation/webhooks"
    try:
        for _ in range(args.rounds):
            for mode in ("off", "on"):
                if mode == "on":
                    hook = call(hooks, "POST", token, {"url": f"http://127.0.0.1:{port}/hook",
                                                       "events": ["comment.created"]})
                time.sleep(2.5)  # every process's webhook list is re-read (2 s)
                started = time.monotonic()
                result = run_load(engage.url, post, concurrency=args.concurrency,
                                  seconds=args.seconds)
                rates[mode].append(result.rps)
                print(f"{mode:>3}: {result.summary()}")
                if mode == "on":
                    expected = result.statuses.get(201, 0)
                    drained = wait_delivered(settings, delivered_total + expected)
                    delivered_total += expected
                    delivery_seconds += drained - started
                    call(f"{hooks}/{hook['id']}", "DELETE", token)
    finally:
        engage.stop()
        receiver.terminate()
        counts = json.loads(receiver.communicate(timeout=30)[0].strip().splitlines()[-1])
    off, on = median(rates["off"]), median(rates["on"])
    print(f"POST rate: off {off:.1f}/s, on {on:.1f}/s, on/off {on / off:.2f} "
          f"(target >= 0.90 -> {'met' if on / off >= 0.9 else 'NOT met'})")
    print(f"webhooks: {delivered_total} delivered in {delivery_seconds:.1f} s from the start of "
          f"the 'on' rounds ({delivered_total / delivery_seconds:.1f} messages/s); the receiver "
          f"got {counts['requests']} requests with {counts['deliveries']} distinct ids")
    return 0


def wait_delivered(settings: dict, count: int, timeout: float = 120.0) -> float:
    """Wait until ``count`` messages are delivered; returns the monotonic time then."""
    from sqlalchemy import create_engine, text

    from engage.config import load_config

    engine = create_engine(load_config(settings)["DATABASE_URL"])
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                done = connection.execute(text(
                    "SELECT count(*) FROM outbox_messages WHERE state = 'delivered'")).scalar()
            if done >= count:
                return time.monotonic()
            time.sleep(0.05)
    finally:
        engine.dispose()
    raise RuntimeError(f"only {done} of {count} messages delivered after {timeout:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
