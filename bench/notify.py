"""Reply notifications by mail: comment POST rate with notifications on against off, mail rate.

Starts ``engage serve`` (2 workers, SQLite) with a real SMTP sink (aiosmtpd) on loopback, in
a process of its own (see ``SINK``).
A reader posts a comment asking for replies and confirms the address through the real
confirmation link. After an unmeasured warm-up pair (a fifth of a round each), rounds
alternate: ``--replies`` / ``--rounds`` approved replies to a comment nobody subscribed to
("off"), and as many to the subscriber's comment ("on": each reply also writes one outbox row
in its transaction, and the server processes send the mail in the background while the load
runs); which side goes first alternates from round to round. Prints the POST rate of each, the ratio on/off
(issue 18's target: >= 0.9), and the reply mails delivered per second.

    .venv/bin/python bench/notify.py [--replies 1000] [--rounds 4] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # bench/queue.py would shadow the stdlib queue

from bench.loadgen import median, run_load  # noqa: E402
from tests.servers import EngageServer, free_port  # noqa: E402

WORKERS, THREADS = 2, 8
SUBSCRIBER = "subscriber@example.org"


# The sink runs in a process of its own: in this one its asyncio thread would take the GIL
# from the load generator's threads whenever a mail arrives, and the "on" rounds would be
# slower to *send*, whatever the server does. It still shares the machine's cores, as an SMTP
# server on the same host would. One line per mail accepted: wall-clock time, subject.
SINK = r"""
import sys, time, asyncio
from aiosmtpd.controller import Controller
port, path = int(sys.argv[1]), sys.argv[2]
out = open(path, "a", buffering=1)
class Handler:
    async def handle_DATA(self, server, session, envelope):
        subject = next((line for line in envelope.content.decode("utf-8", "replace").splitlines()
                        if line.startswith("Subject:")), "")
        out.write(f"{time.time()} {subject}\n")
        return "250 OK"
controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
"""


class Sink:
    """The SMTP sink's process, and the times of the mails it accepted (from its log)."""

    def __init__(self, port: int, log: Path):
        self.log = log
        log.touch()
        self.process = subprocess.Popen([sys.executable, "-c", SINK, str(port), str(log)],
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    @property
    def times(self) -> list[float]:
        return [float(line.split(" ", 1)[0]) for line in self.log.read_text().splitlines()]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def prepare(settings: dict) -> tuple[int, int]:
    """Migrate; the subscriber's comment (replies subscription, confirmed through its link)
    and a comment nobody follows. Returns (followed id, unfollowed id)."""
    from engage import create_app
    from engage.cli import upgrade_schema
    from engage.db import db
    from engage.notifications.subscriptions import tokens
    from engage.notifications.subscriptions.service import address_hash

    app = create_app({**settings, "OUTBOX_IN_SERVER": False})
    with app.app_context():
        upgrade_schema()
        client = app.test_client()
        ids = []
        for email, notify in ((SUBSCRIBER, "replies"), ("quiet@example.org", "none")):
            answer = client.post("/api/v1/comments", json={
                "article": "/bench/notify", "author_name": "Parent", "author_email": email,
                "body": f"A parent comment by {email}.", "notify": notify})
            assert answer.status_code == 201, answer.get_json()
            ids.append(answer.get_json()["comment"]["id"])
        token = tokens.confirm_token(settings["SECRET_KEY"], address_hash(settings["SECRET_KEY"],
                                                                         SUBSCRIBER))
        assert client.get(f"/subscriptions/confirm/{token}").status_code == 200
        db.session.remove()
        db.engine.dispose()
    return ids[0], ids[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replies", type=int, default=1000, help="replies with notifications on")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    smtp_port = free_port()
    instance = tempfile.mkdtemp(prefix="engage-bench-")
    settings = {"INSTANCE_PATH": instance, "FLOOD_SECONDS": 0, "MIN_SUBMIT_SECONDS": 0,
                "DEMO_ENABLED": False, "SECRET_KEY": "bench-secret",
                "CLASSIFIER_STARTER_ENABLED": False, "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
                "PUBLIC_URL": "https://comments.example", "MAIL_FROM": "bench@example.org"}
    followed, unfollowed = prepare(settings)
    engage = EngageServer(settings, port=free_port(), workers=WORKERS, threads=THREADS,
                          migrate=False)
    per_round = max(1, args.replies // args.rounds)
    counter = iter(range(10**9))

    def poster(parent: int):
        def post(_):
            n = next(counter)
            body = {"article": "/bench/notify", "parent_id": parent, "author_name": f"Reader {n}",
                    "author_email": f"reader{n}@example.org",
                    "body": f"A calm reply about the harbour plan, number {n}. Thanks."}
            return "POST", "/api/v1/comments", json.dumps(body).encode(), {
                "Content-Type": "application/json"}
        return post

    rates = {"off": [], "on": []}
    sink = Sink(smtp_port, Path(instance) / "sink.log")
    try:
        engage.start()
    except BaseException:
        sink.stop()
        raise
    before = 0
    warm = max(1, per_round // 5)
    try:
        time.sleep(1.0)  # the confirmation mail of prepare() goes out first
        before = len(sink.times)
        # A short unmeasured pair first: the first requests of a fresh server (imports,
        # connections, the deliverer's start) would weigh on whichever side went first.
        for parent in (unfollowed, followed):
            run_load(engage.url, poster(parent), concurrency=args.concurrency, seconds=600,
                     max_requests=warm)
        # Rounds alternate which side goes first (off-on, on-off, ...): the thread grows with
        # every reply, so a fixed order would always give one side the longer thread.
        for round_number in range(args.rounds):
            sides = (("off", unfollowed), ("on", followed))
            for mode, parent in sides if round_number % 2 == 0 else sides[::-1]:
                result = run_load(engage.url, poster(parent), concurrency=args.concurrency,
                                  seconds=600, max_requests=per_round)
                assert result.statuses.get(201) == per_round, result.summary()
                rates[mode].append(result.rps)
                print(f"{mode:>3}: {result.summary()}")
        posting_ended = time.time()
        expected = before + warm + per_round * args.rounds
        during = len([t for t in sink.times[before:] if t <= posting_ended])
        deadline = time.monotonic() + 120
        while len(sink.times) < expected and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        engage.stop()
        mails = sink.times[before:]
        sink.stop()
    off, on = median(rates["off"]), median(rates["on"])
    print(f"POST rate: off {off:.1f}/s, on {on:.1f}/s, on/off {on / off:.2f} "
          f"(target >= 0.90 -> {'met' if on / off >= 0.9 else 'NOT met'})")
    span = (mails[-1] - mails[0]) if len(mails) > 1 else 0.0
    sent = warm + per_round * args.rounds
    print(f"reply mails delivered: {len(mails)} of {sent} ({warm} of the warm-up); "
          f"{during} while posting; {len(mails) / span if span else 0:.1f} messages/s "
          f"from the first to the last")
    return 0 if len(mails) == sent else 1


if __name__ == "__main__":
    sys.exit(main())
