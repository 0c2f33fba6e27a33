"""Faults production brings, survived without a restart and without losing an acknowledged
comment: PostgreSQL unreachable under a stream of posts, and Redis unreachable.

The backends are taken away by cutting the cluster's TCP proxies, so only these servers see
the outage; the shared PostgreSQL and Redis keep serving every other test.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from tests.scale.readers import comment_from, reader, reader_ip

pytestmark = pytest.mark.slow

POSTERS = 4
OUTAGE_SECONDS = 4.0


def _healthy(cluster, server, timeout: float = 30) -> dict:
    """Wait until ``server``'s /healthz is 200 and every check is ok; returns the report."""
    deadline = time.monotonic() + timeout
    while True:
        answer = cluster.http.get(f"{server.url}/healthz")
        if answer.status == 200 and answer.json["status"] == "ok":
            return answer.json
        if time.monotonic() > deadline:
            raise AssertionError(f"{server.url} did not recover: {answer.status} {answer.body}")
        time.sleep(0.25)


def test_postgres_outage_under_a_stream_of_posts_loses_nothing_and_heals_itself(
        cluster, direct_db):
    article = f"/scale/outage-{uuid.uuid4().hex[:8]}"
    results: list[tuple[float, float, int, dict, dict]] = []  # (sent, answered, status, …)
    lock = threading.Lock()
    stop = threading.Event()

    def post_until_stopped(poster: int) -> None:
        server = cluster.servers[poster % 2]
        while not stop.is_set():
            body, headers = comment_from(reader(), article)
            sent = time.monotonic()
            answer = cluster.http.post(f"{server.url}/api/v1/comments", json_body=body,
                                       headers=headers)
            with lock:
                results.append((sent, time.monotonic(), answer.status, answer.headers,
                                answer.json))
            if answer.status == 503:
                time.sleep(0.05)  # a client backs off a little (Retry-After says 5 s)

    with ThreadPoolExecutor(max_workers=POSTERS) as pool:
        for poster in range(POSTERS):
            pool.submit(post_until_stopped, poster)
        time.sleep(1.5)
        cut_at = time.monotonic()
        cluster.postgres.cut()
        time.sleep(OUTAGE_SECONDS)
        cluster.postgres.restore()
        restored_at = time.monotonic()
        # Keep posting until both instances have stored comments again by themselves.
        deadline = restored_at + 30
        while time.monotonic() < deadline:
            with lock:
                recent = {s for t, _, s, _, _ in results if t > restored_at + 0.5}
            if recent & {201, 202}:
                break
            time.sleep(0.2)
        time.sleep(1.0)
        stop.set()

    statuses = [status for _, _, status, _, _ in results]
    assert 500 not in statuses and not [s for s in statuses if s > 503], statuses
    assert set(statuses) <= {201, 202, 503}, sorted(set(statuses))
    unavailable = [(headers, body) for _, _, status, headers, body in results if status == 503]
    assert unavailable, "the outage was never seen: the test proved nothing"
    for headers, body in unavailable:
        assert body["error"]["code"] == "unavailable"
        assert int(headers["retry-after"]) > 0
        assert headers["content-type"].startswith("application/json")
    # Sent after the cut and answered before the restore: the database was gone throughout.
    during = [s for sent, answered, s, _, _ in results if cut_at < sent and answered < restored_at]
    assert during and set(during) == {503}, during
    after = [s for sent, _, s, _, _ in results if sent > restored_at + 0.5]
    assert after and after[-1] in (201, 202), after[-10:]

    acknowledged = {body["comment"]["id"] for _, _, status, _, body in results
                    if status in (201, 202)}
    with direct_db.connect() as connection:
        stored = set(connection.execute(text(
            "SELECT c.id FROM comments c JOIN articles a ON a.id = c.article_id "
            "WHERE a.key = :key"), {"key": article}).scalars())
    assert acknowledged and acknowledged <= stored
    for server in cluster.servers:
        _healthy(cluster, server)


def test_redis_outage_views_fall_back_and_health_says_so(cluster):
    article = f"/scale/redis-down-{uuid.uuid4().hex[:8]}"
    first = reader()
    before = cluster.http.post(f"{cluster.a.url}/api/v1/views?article={article}",
                               headers={"X-Forwarded-For": reader_ip(first)})
    assert before.json["counted"] is True
    cluster.redis.cut()
    try:
        for server in cluster.servers:
            for _ in range(3):  # fresh visitors count in the embedded buffer meanwhile
                answer = cluster.http.post(f"{server.url}/api/v1/views?article={article}",
                                           headers={"X-Forwarded-For": reader_ip(reader())})
                assert answer.status == 200 and answer.json["counted"] is True, answer.body
            health = cluster.http.get(f"{server.url}/healthz")
            assert health.status == 200, health.body  # degraded, not down
            assert health.json["status"] == "degraded"
            assert health.json["checks"]["views"]["status"] == "degraded"
            assert health.json["checks"]["database"]["status"] == "ok"
            thread = cluster.http.get(f"{server.url}/api/v1/comments?article={article}")
            assert thread.status == 200
    finally:
        cluster.redis.restore()
    for server in cluster.servers:
        _healthy(cluster, server)
    # Nothing counted during the outage is lost once the buffers are flushed.
    deadline = time.monotonic() + 20
    while True:
        totals = cluster.http.get(f"{cluster.b.url}/api/v1/views?article={article}").json
        if totals["views"][article] == 7 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert totals["views"][article] == 7


def test_redis_outage_comments_are_still_accepted_with_limits_on_the_database(cluster):
    """The flood limit and the form-token guard fall back to the database, which every
    instance shares, so the limit still holds across instances and nothing answers 500."""
    article = f"/scale/redis-down-comments-{uuid.uuid4().hex[:8]}"
    cluster.redis.cut()
    try:
        number = reader()
        body, headers = comment_from(number, article)
        posted = cluster.http.post(f"{cluster.a.url}/api/v1/comments", json_body=body,
                                   headers=headers)
        assert posted.status in (201, 202), posted.body
        again = {**body, "body": "A second comment straight away."}
        refused = cluster.http.post(f"{cluster.b.url}/api/v1/comments", json_body=again,
                                    headers=headers)
        assert refused.status == 429, refused.body
        # A form token spent on one instance is recognised as reused on the other.
        token = cluster.http.get(f"{cluster.a.url}/api/v1/form-token?article={article}")
        assert token.status == 200
        statuses = []
        for server in cluster.servers:
            body, headers = comment_from(reader(), article)
            statuses.append(cluster.http.post(
                f"{server.url}/api/v1/comments", headers=headers,
                json_body={**body, "form_token": token.json["form_token"]}).status)
        assert statuses == [201, 202]  # the reuse is held, like every too-fast post
    finally:
        cluster.redis.restore()
