"""Real servers: two `engage serve` instances (gunicorn, 2 workers each) sharing one database
(and Redis) store exactly one count per distinct visitor, and a graceful stop loses nothing.

One instance runs gevent workers (the default) and the other gthread workers, so both worker
classes serve every backend and database here."""

from __future__ import annotations

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, func, select

from engage.config import database_url
from engage.pageviews.models import ArticleViews
from tests.conftest import BASE_TEST_CONFIG
from tests.servers import EngageServer, free_port

pytestmark = pytest.mark.slow

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
VISITORS = 240


@pytest.fixture(params=["embedded", "redis"])
def servers(request, database, tmp_path):
    settings = {**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database,
                "TRUSTED_PROXIES": "127.0.0.1", "DEMO_ENABLED": False,
                # Nothing is flushed on a timer during the test: every count reaches the
                # database through the flush at graceful stop (SIGTERM).
                "VIEWS_FLUSH_SECONDS": 600, "VIEWS_FLUSH_EVERY": 100_000}
    if request.param == "redis":
        settings["REDIS_URL"] = request.getfixturevalue("redis_url")
        settings["REDIS_PREFIX"] = request.getfixturevalue("redis_prefix")
    started = []
    for worker_class in ("gevent", "gthread"):  # one after the other: each applies migrations
        server = EngageServer({**settings, "WORKER_CLASS": worker_class}, port=free_port(),
                              workers=2, threads=4)
        server.start()
        started.append(server)
    yield started
    for server in started:
        server.stop()


def _view(server: EngageServer, visitor: int) -> bool:
    request = urllib.request.Request(
        f"{server.url}/api/v1/views?article=/front-page", method="POST", data=b"",
        headers={"User-Agent": FIREFOX, "X-Forwarded-For": f"10.{visitor // 256}.{visitor % 256}.1"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["counted"]


def _stored(url: str) -> int:
    engine = create_engine(database_url(url, None))
    with engine.connect() as conn:
        total = conn.execute(select(func.coalesce(func.sum(ArticleViews.count), 0))).scalar_one()
    engine.dispose()
    return int(total)


def test_two_servers_sharing_storage_count_each_visitor_exactly_once(servers, database):
    # Every visitor is sent to both servers: the second view is a repeat wherever it lands.
    jobs = [(servers[n % 2], n) for n in range(VISITORS)] + \
           [(servers[(n + 1) % 2], n) for n in range(VISITORS)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda job: _view(*job), jobs))
    assert all(answers)  # every request was taken as a reader's view (none looked like a bot)
    for server, worker_class in zip(servers, ("gevent", "gthread")):
        assert server.stop() == 0
        log = server.log_path.read_text()
        assert f"Using worker: {worker_class}" in log
        # gevent patched the standard library before the app existed (engage.serving.worker_classes)
        assert "MonkeyPatchWarning" not in log
    assert _stored(database) == VISITORS
