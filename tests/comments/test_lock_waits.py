"""Real ``engage serve`` (gevent workers, embedded SQLite): waiting for SQLite's write lock
never freezes a worker, and no comment is lost to a lock wait.

Before ``engage.sqlite_writes``, a post that opened its transaction and then yielded let a
second post of the same worker wait for that lock in SQLite's busy handler, in C, holding the
event loop: both waited the whole busy timeout and one answered 503. A due spam-filter refresh
makes a post yield there (it starts a thread); it is due every two seconds by default, here on
nearly every post, so every burst meets that moment.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import BASE_TEST_CONFIG
from tests.scale.http import Http
from tests.servers import EngageServer, free_port

pytestmark = pytest.mark.slow

POSTERS = 8
BURSTS = 30


def _server(tmp_path: Path, workers: int, **settings) -> EngageServer:
    server = EngageServer({**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp_path),
                           "DEMO_ENABLED": False, "TRUSTED_PROXIES": "127.0.0.1",
                           "WORKER_CLASS": "gevent", **settings},
                          port=free_port(), workers=workers)
    server.start()
    return server


@pytest.fixture
def two_workers(tmp_path):
    # The flood limit is on (its claim is a write of every post); readers are all distinct.
    server = _server(tmp_path, workers=2, FLOOD_SECONDS=60, CLASSIFIER_REFRESH_SECONDS=0.01)
    yield server
    server.stop()


@pytest.fixture
def one_worker(tmp_path):
    server = _server(tmp_path, workers=1)
    yield server
    server.stop()


def _post(http: Http, server: EngageServer, article: str, reader: int):
    token = http.get(f"{server.url}/api/v1/form-token?article={article}").json["form_token"]
    body = {"article": article, "author_name": f"Reader {reader}", "form_token": token,
            "author_email": f"reader{reader}@example.org",
            "body": f"Reader {reader} thinks this is a fine article."}
    return http.post(f"{server.url}/api/v1/comments", json_body=body,
                     headers={"X-Forwarded-For": f"10.{reader // 250}.{reader % 250}.9"})


def _stored(server: EngageServer) -> int:
    path = Path(server.settings["INSTANCE_PATH"]) / "engage.sqlite3"
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute("SELECT count(*) FROM comments").fetchone()[0]


def test_bursts_of_concurrent_posts_on_two_workers_are_all_stored(two_workers):
    http, statuses, started = Http(timeout=60), [], time.monotonic()
    existing = f"/bursts/{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(POSTERS) as pool:
        for burst in range(BURSTS):
            # every other burst is the first comments of a new article (the article upsert)
            article = existing if burst % 2 else f"/bursts/new-{burst}-{uuid.uuid4().hex[:6]}"
            answers = list(pool.map(lambda n: _post(http, two_workers, article, n),
                                    range(burst * POSTERS, (burst + 1) * POSTERS)))
            statuses += [answer.status for answer in answers]
            if any(status not in (201, 202) for status in statuses):
                break  # one lost comment fails the test; don't wait out more busy timeouts
    elapsed = time.monotonic() - started
    print(f"{len(statuses)} posts in {elapsed:.1f} s")  # a figure, not an assertion
    assert statuses == [201] * (BURSTS * POSTERS)
    assert _stored(two_workers) == BURSTS * POSTERS


def test_healthz_answers_while_a_comment_waits_for_another_process(one_worker):
    """Another process (here: this test) holds SQLite's write lock; the worker's post waits for
    it while ``/healthz`` keeps answering, and the post is stored once the lock is free."""
    http = Http(timeout=60)
    path = Path(one_worker.settings["INSTANCE_PATH"]) / "engage.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    answered_while_waiting = 0
    with ThreadPoolExecutor(1) as pool:
        try:
            posted = pool.submit(_post, http, one_worker, "/locked", 1)
            # Ten health checks while the post is still waiting: in C, the worker's loop would
            # answer none of them until the post gave up (503 after the busy timeout).
            deadline = time.monotonic() + 60
            while answered_while_waiting < 10 and not posted.done() \
                    and time.monotonic() < deadline:
                health = Http(timeout=60).get(f"{one_worker.url}/healthz")
                assert health.status == 200, health.body
                answered_while_waiting += not posted.done()
                time.sleep(0.1)
            waiting_at_release = not posted.done()
        finally:
            other.execute("ROLLBACK")
            other.close()
        answer = posted.result(timeout=60)
    assert answer.status == 201, answer.body
    assert waiting_at_release and answered_while_waiting == 10
    assert _stored(one_worker) == 1
