"""One leave-one-video-out fold of the spam bench, through the HTTP API of a running engage.

``http_fold(training, test_name, test_rows, thresholds, decided, starter_path)``:
1. starts a fresh ``engage serve`` (``tests.servers``) on a free port with a new SQLite
   database, flood and too-fast limits off so bulk posting is not throttled, the fold's
   classifier thresholds and the fold's starter model (trained without the held-out video);
2. creates a moderator and an API token with the ``engage moderator`` CLI;
3. after decisions only (a fresh install skips 3 and 4): posts the training videos' comments
   (``POST /api/v1/comments``: author name from ``AUTHOR``, a made-up email per author) and
   decides each with its label through ``POST /api/v1/moderation/comments/bulk``;
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
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engage.spamfilter.training_data import synthetic_email
from engage.spamfilter.evaluation import Outcome, Thresholds
from tests.servers import ROOT, EngageServer, engage_env, free_port

BULK = 500
PROBE_ARTICLE = "bench/probe"


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


def fold_server(directory: Path, settings: dict) -> EngageServer:
    """A fresh engage on a new SQLite database in ``directory``, bulk posting not throttled."""
    return EngageServer({"SECRET_KEY": "bench-spam-eval", "INSTANCE_PATH": str(directory),
                         "DATABASE_URL": f"sqlite:///{directory / 'engage.sqlite3'}",
                         "REDIS_URL": "", "FLOOD_SECONDS": 0, "MIN_SUBMIT_SECONDS": 0,
                         **settings}, port=free_port(), workers=1, threads=4)


def engage_cli(server: EngageServer, *args: str, stdin: str | None = None) -> str:
    """``engage ARGS`` with the server's settings (its database); returns the output."""
    result = subprocess.run([sys.executable, "-m", "engage", *args], cwd=ROOT,
                            env=engage_env(server.settings), input=stdin, capture_output=True,
                            text=True, check=True)
    return result.stdout


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


def _score_test_video(api: Api, test_name: str, test_rows: list, article: str) -> Outcome:
    """Post the held-out video's comments and count how each one ended."""
    stored, refused = post_video(api, article, test_rows)
    final = statuses(api, article)
    outcome, deciders = Outcome(), {}
    for comment_id, is_spam in stored:
        item = final[comment_id]
        outcome.add(is_spam, item["status"])
        if not is_spam and item["status"] != "approved":
            rule = _decisive_rule(item)
            deciders[rule] = deciders.get(rule, 0) + 1
    print(f"  legitimate comments not published, by deciding rule: {deciders}", file=sys.stderr)
    if refused:
        print(f"  test {test_name}: refused {refused} (not counted)", file=sys.stderr)
    return outcome


def http_fold(training: dict[str, list], test_name: str, test_rows: list,
              thresholds: Thresholds, decided: bool = True,
              starter_path: str | None = None,
              starter_thresholds: Thresholds | None = None) -> Outcome:
    """One fold on a fresh server: ``decided`` posts and decides the training videos first
    (else the held-out video meets a fresh install); ``starter_path`` is the fold's starter
    weights (None: the starter is switched off) and ``starter_thresholds`` its band."""
    with tempfile.TemporaryDirectory(prefix="engage-spam-bench-") as tmp:
        starter = ({"CLASSIFIER_STARTER_PATH": starter_path} if starter_path
                   else {"CLASSIFIER_STARTER_ENABLED": False})
        if starter_thresholds is not None:
            starter.update({"CLASSIFIER_STARTER_SPAM_THRESHOLD": starter_thresholds.spam,
                            "CLASSIFIER_STARTER_HOLD_THRESHOLD": starter_thresholds.hold})
        server = fold_server(Path(tmp), {
            "CLASSIFIER_SPAM_THRESHOLD": thresholds.spam,
            "CLASSIFIER_HOLD_THRESHOLD": thresholds.hold, **starter})
        server.start()
        try:
            engage_cli(server, "moderator", "create", "bench", "--password-stdin",
                       stdin="bench-password-long-enough\n")
            token = engage_cli(server, "moderator", "token", "bench").strip().splitlines()[-1]
            api = Api(server.port, token)
            decided_count = 0
            for name, rows in (training.items() if decided else ()):
                stored, refused = post_video(api, f"tubespam/{name}", rows)
                spam_ids = [i for i, is_spam in stored if is_spam]
                ham_ids = [i for i, is_spam in stored if not is_spam]
                bulk(api, spam_ids, "spam")
                bulk(api, ham_ids, "approve")
                decided_count += len(stored)
                if refused:
                    print(f"  training {name}: refused {refused}", file=sys.stderr)
            if decided:
                waited = wait_for_model(api, decided_count)
                print(f"  model ready {waited:.1f} s after training", file=sys.stderr)
            return _score_test_video(api, test_name, test_rows, f"tubespam/{test_name}")
        finally:
            server.stop()
