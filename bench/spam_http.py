"""One leave-one-video-out fold of the spam bench, through the HTTP API of a running engage.

``http_fold(training, test_name, test_rows, thresholds)``:
1. starts a fresh engage (gunicorn, as ``engage serve`` does) on a free port with a new SQLite
   database, flood and too-fast limits off so bulk posting is not throttled, and the fold's
   classifier thresholds;
2. creates a moderator and an API token with the ``engage moderator`` CLI;
3. posts the three training videos' comments (``POST /api/v1/comments``: author name from
   ``AUTHOR``, a made-up email per author) and decides each with its label through
   ``POST /api/v1/moderation/comments/bulk`` (``spam`` or ``approve``);
4. waits until the server's filter has retrained (a probe comment gets a spam score);
5. posts the test video's comments and reads their statuses from
   ``GET /api/v1/moderation/comments``.

Every other rule (links, profanity, shouting, …) acts as configured by default.

A decision that confirms a comment's status (approving one published on arrival) is learned
too, as it is from a moderator in the queue.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engage.spamfilter.training_data import synthetic_email
from engage.spamfilter.evaluation import Outcome, Thresholds

ROOT = Path(__file__).resolve().parent.parent
BULK = 500
PROBE_ARTICLE = "bench/probe"

_LAUNCH = """
import json, sys
from engage.serving.worker_classes import configured_worker_class, prepare_process
WORKER_CLASS = configured_worker_class()
prepare_process(WORKER_CLASS)
from engage import create_app
from engage.cli import upgrade_schema
from engage.serving.gunicorn_app import run_gunicorn
app = create_app(json.loads(sys.argv[1]))
with app.app_context():
    upgrade_schema()
run_gunicorn(app, "127.0.0.1", int(sys.argv[2]), 1, 4, 10, worker_class=WORKER_CLASS)
"""


def reader_text(content: str) -> str:
    """What the reader typed: TubeSpam stores YouTube's HTML (entities, <br />, <a>)."""
    text = re.sub(r"<br\s*/?>", "\n", content, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).replace("\ufeff", "").strip()


class Api:
    """A keep-alive JSON client for one server."""

    def __init__(self, port: int, token: str | None = None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.token = token

    def call(self, method: str, path: str, body=None) -> tuple[int, dict]:
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = json.dumps(body).encode() if body is not None else None
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else {})


class Server:
    def __init__(self, directory: Path, port: int, settings: dict):
        self.directory, self.port = directory, port
        self.config = {"SECRET_KEY": "bench-spam-eval", "INSTANCE_PATH": str(directory),
                       "DATABASE_URL": f"sqlite:///{directory / 'engage.sqlite3'}",
                       "REDIS_URL": "", "FLOOD_SECONDS": 0, "MIN_SUBMIT_SECONDS": 0, **settings}
        self.process: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ENGAGE_")}
        for key in ("SECRET_KEY", "INSTANCE_PATH", "DATABASE_URL"):
            env[f"ENGAGE_{key}"] = str(self.config[key])
        return env

    def start(self) -> None:
        log = open(self.directory / "server.log", "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH, json.dumps(self.config), str(self.port)],
            cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.directory / "server.log").read_text()[-3000:])
            try:
                if Api(self.port).call("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not become healthy")

    def cli(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run([sys.executable, "-m", "engage", *args], cwd=ROOT, env=self.env(),
                                input=stdin, capture_output=True, text=True, check=True)
        return result.stdout

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post_comment(api: Api, article: str, author: str, body: str) -> tuple[int, int | None]:
    """POST one comment; (HTTP status, comment id or None)."""
    status, data = api.call("POST", "/api/v1/comments", {
        "article": article, "author_name": (author or "anonymous")[:100],
        "author_email": synthetic_email(author), "body": body})
    return status, (data.get("comment") or {}).get("id")


def post_video(api: Api, article: str, rows) -> tuple[list[tuple[int, bool]], dict[int, int]]:
    """Post rows; ([(id, is_spam)] of stored comments, {HTTP status: count} of the rest)."""
    stored, refused = [], {}
    for row in rows:
        body = reader_text(row.content)
        status, comment_id = post_comment(api, article, row.author, body or row.content)
        if comment_id is not None and status in (201, 202):
            stored.append((comment_id, row.is_spam))
        else:
            refused[status] = refused.get(status, 0) + 1
    return stored, refused


def bulk(api: Api, ids: list[int], action: str) -> None:
    for start in range(0, len(ids), BULK):
        status, data = api.call("POST", "/api/v1/moderation/comments/bulk",
                                {"ids": ids[start:start + BULK], "action": action})
        if status != 200:
            raise RuntimeError(f"bulk {action} failed: {status} {data}")


def statuses(api: Api, article: str) -> dict[int, dict]:
    """Every comment of ``article`` (id → moderation item), through the moderation API."""
    found, cursor = {}, None
    while True:
        path = f"/api/v1/moderation/comments?status=all&limit=100&article={article}"
        status, data = api.call("GET", path + (f"&cursor={cursor}" if cursor else ""))
        if status != 200:
            raise RuntimeError(f"listing failed: {status} {data}")
        found.update({item["id"]: item for item in data["comments"]})
        cursor = data.get("next")
        if not cursor:
            return found


def wait_for_model(api: Api, examples: int, timeout: float = 120) -> float:
    """Post probe comments until the filter's score comes from a model trained on
    ``examples`` examples (its evidence says how many); return the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        post_comment(api, PROBE_ARTICLE, "Probe Reader", f"probe {time.monotonic()}")
        status, data = api.call("GET", f"/api/v1/moderation/comments?status=all&limit=1"
                                       f"&article={PROBE_ARTICLE}")
        for reason in (data.get("comments") or [{}])[0].get("reasons", []):
            trained = (reason.get("evidence") or {}).get("trained_on") if reason.get("rule") == "spam_filter" else None
            if trained and trained["spam"] + trained["legitimate"] == examples:
                return time.monotonic() - started
        time.sleep(0.5)
    raise RuntimeError("the spam filter did not catch up with the decisions in time")


def _decisive_rule(item: dict) -> str:
    """The rule that decided (the last reason; flags come before the decision)."""
    reasons = item.get("reasons") or []
    return f"{reasons[-1]['rule']}→{item['status']}" if reasons else item["status"]


def http_fold(training: dict[str, list], test_name: str, test_rows: list,
              thresholds: Thresholds) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="engage-spam-bench-") as tmp:
        server = Server(Path(tmp), free_port(), {
            "CLASSIFIER_SPAM_THRESHOLD": thresholds.spam,
            "CLASSIFIER_HOLD_THRESHOLD": thresholds.hold})
        server.start()
        try:
            server.cli("moderator", "create", "bench", "--password-stdin",
                       stdin="bench-password-long-enough\n")
            token = server.cli("moderator", "token", "bench").strip().splitlines()[-1]
            api = Api(server.port, token)
            decided = 0
            for name, rows in training.items():
                stored, refused = post_video(api, f"tubespam/{name}", rows)
                spam_ids = [i for i, is_spam in stored if is_spam]
                ham_ids = [i for i, is_spam in stored if not is_spam]
                bulk(api, spam_ids, "spam")
                bulk(api, ham_ids, "approve")
                decided += len(stored)
                if refused:
                    print(f"  training {name}: refused {refused}", file=sys.stderr)
            waited = wait_for_model(api, decided)
            print(f"  model ready {waited:.1f} s after training", file=sys.stderr)
            article = f"tubespam/{test_name}"
            stored, refused = post_video(api, article, test_rows)
            final = statuses(api, article)
            outcome, deciders = Outcome(), {}
            for comment_id, is_spam in stored:
                item = final[comment_id]
                outcome.add(is_spam, item["status"])
                if not is_spam and item["status"] != "approved":
                    rule = _decisive_rule(item)
                    deciders[rule] = deciders.get(rule, 0) + 1
            print(f"  legitimate comments not published, by deciding rule: {deciders}",
                  file=sys.stderr)
            if refused:
                print(f"  test {test_name}: refused {refused} (not counted)", file=sys.stderr)
            return outcome
        finally:
            server.stop()
