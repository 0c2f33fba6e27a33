"""CPU of reply notifications, in-process: per "on" and "off" reply POST, and per reply mail.

The probe behind bench/notify.py's figures, without the HTTP server and the load generator:
the app's test client posts replies alternately to a comment whose author subscribed ("on")
and to one nobody follows ("off"), in batches, and sums each side's process CPU; then the
deliverer (``deliver_due``, one message at a time) sends the queued reply mails to an aiosmtpd
sink in another process, and the CPU per mail is this process's alone.

    .venv/bin/python bench/notify_cpu.py [--batches 30] [--per-batch 40]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # bench/queue.py would shadow the stdlib queue

from bench.notify import prepare  # noqa: E402
from tests.servers import free_port  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=30)
    parser.add_argument("--per-batch", type=int, default=40)
    args = parser.parse_args()
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c",
                             "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"])
    settings = {"INSTANCE_PATH": tempfile.mkdtemp(prefix="engage-bench-"), "FLOOD_SECONDS": 0,
                "MIN_SUBMIT_SECONDS": 0, "DEMO_ENABLED": False, "SECRET_KEY": "bench-secret",
                "CLASSIFIER_STARTER_ENABLED": False, "SMTP_URL": f"smtp://127.0.0.1:{port}",
                "PUBLIC_URL": "https://comments.example", "MAIL_FROM": "bench@example.org"}
    try:
        followed, unfollowed = prepare(settings)
        from engage import create_app
        from engage.notifications.delivery import deliver_due

        app = create_app({**settings, "OUTBOX_IN_SERVER": False, "OUTBOX_CONCURRENCY": 1})
        client = app.test_client()
        counter = iter(range(10**9))

        def post(parent: int) -> None:
            n = next(counter)
            answer = client.post("/api/v1/comments", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                 json={"article": "/bench/notify", "parent_id": parent,
                                       "author_name": f"Reader {n}",
                                       "author_email": f"reader{n}@example.org",
                                       "body": f"A calm reply about the harbour plan, number {n}."})
            assert answer.status_code == 201, answer.get_json()

        spent = {"on": 0.0, "off": 0.0}
        for batch in range(args.batches):
            # alternate which side goes first: the thread grows, neither side always follows
            order = (("off", unfollowed), ("on", followed))
            for mode, parent in order if batch % 2 else order[::-1]:
                started = time.process_time()
                for _ in range(args.per_batch):
                    post(parent)
                spent[mode] += time.process_time() - started
            print(f"\rposting: batch {batch + 1}/{args.batches}", end="", file=sys.stderr)
        print(file=sys.stderr)
        posts = args.batches * args.per_batch
        on, off = spent["on"] * 1000 / posts, spent["off"] * 1000 / posts
        print(f"CPU per reply POST: off {off:.2f} ms, on {on:.2f} ms "
              f"(the subscription's extra {on - off:.2f} ms; CPU ratio off/on {off / on:.2f})")
        time.sleep(0.5)  # the sink is listening by now
        deliver_due(app)  # warm: connection, templates
        delivered, started = 0, time.process_time()
        while claimed := deliver_due(app):
            delivered += claimed
        mail_ms = (time.process_time() - started) * 1000 / max(delivered, 1)
        print(f"CPU per reply mail (build, SMTP, record): {mail_ms:.2f} ms over {delivered} mails")
    finally:
        sink.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
