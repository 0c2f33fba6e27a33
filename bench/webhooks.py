"""Comment POST rate with a webhook on every comment against none, in one run; delivery rate.

Starts ``engage serve`` (2 workers, engage's worker class) on a fresh database and a real HTTP
receiver on loopback, then alternates rounds of closed-loop ``POST /api/v1/comments`` load
without webhooks ("off") and with one webhook on ``comment.created`` ("on"): each published
comment then also writes one outbox row in its transaction, and the server processes deliver
them in the background while the load runs. Prints the POST rate of each, the ratio on/off
(issue 18's target: >= 0.9) and the messages delivered per second.

    .venv/bin/python bench/webhooks.py [--seconds 5] [--rounds 2] [--concurrency 8]
                                       [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # bench/queue.py would shadow the stdlib queue

from bench.loadgen import median, run_load  # noqa: E402
from tests.notifications.receiver import Receiver  # noqa: E402
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
    with Receiver() as receiver:
        engage.start()
        hooks = engage.url + "/api/v1/moderation/webhooks"
        try:
            for _ in range(args.rounds):
                for mode in ("off", "on"):
                    if mode == "on":
                        hook = call(hooks, "POST", token,
                                    {"url": receiver.url, "events": ["comment.created"]})
                    time.sleep(2.5)  # every process's webhook list is re-read (2 s)
                    result = run_load(engage.url, post, concurrency=args.concurrency,
                                      seconds=args.seconds)
                    rates[mode].append(result.rps)
                    print(f"{mode:>3}: {result.summary()}")
                    if mode == "on":
                        call(f"{hooks}/{hook['id']}", "DELETE", token)
            sent_at_end_of_load = len(receiver.requests)
            started = time.monotonic()
            deadline = started + 60
            previous, idle = -1, 0
            while time.monotonic() < deadline and idle < 10:
                now_sent = len(receiver.requests)
                idle = idle + 1 if now_sent == previous else 0
                previous = now_sent
                time.sleep(0.2)
        finally:
            engage.stop()
        total = len(receiver.requests)
        unique = len(receiver.deliveries())
    off, on = median(rates["off"]), median(rates["on"])
    load_seconds = args.seconds * args.rounds
    print(f"POST rate: off {off:.1f}/s, on {on:.1f}/s, on/off {on / off:.2f} "
          f"(target >= 0.90 -> {'met' if on / off >= 0.9 else 'NOT met'})")
    print(f"webhooks delivered: {total} requests, {unique} distinct ids; "
          f"{sent_at_end_of_load} during the {load_seconds:.0f} s of 'on' load "
          f"({sent_at_end_of_load / load_seconds:.1f} messages/s while posting)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
