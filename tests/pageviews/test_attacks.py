"""The attacks on the view counter, performed through the HTTP API of a running ``engage serve``.

- one network rotating its user agent on one keep-alive connection adds at most
  ``VIEWS_PER_NETWORK`` views to an article per window (it added every view);
- an article key nobody publishes, viewed from one network, never enters ``/views/top``
  (it topped the list);
- the beacon's answer tells a neighbour with the same browser nothing about who read the
  article (``counted: false`` said "someone on your network read this in the last 30 minutes").

Each runs on the embedded and the Redis backend, over SQLite (the counter contract tests cover
PostgreSQL).
"""

from __future__ import annotations

import pytest

from tests.conftest import BASE_TEST_CONFIG
from tests.pageviews.abuse import FIREFOX, Connection, rotating_agent, stored, wait_for
from tests.servers import EngageServer, free_port

pytestmark = pytest.mark.slow

PER_NETWORK = 20


@pytest.fixture(params=["embedded", "redis"])
def settings(request, tmp_path) -> dict:
    values = {**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp_path),
              "DATABASE_URL": f"sqlite:///{tmp_path / 'engage.sqlite3'}",
              "TRUSTED_PROXIES": "127.0.0.1", "DEMO_ENABLED": False,
              "VIEWS_PER_NETWORK": PER_NETWORK, "VIEWS_FLUSH_SECONDS": 0.2,
              "VIEWS_PERSIST_SECONDS": 0.2}
    if request.param == "redis":
        values["REDIS_URL"] = request.getfixturevalue("redis_url")
        values["REDIS_PREFIX"] = request.getfixturevalue("redis_prefix")
    return values


@pytest.fixture
def server(settings):
    started = EngageServer(settings, port=free_port(), workers=1)
    started.start()
    yield started
    started.stop()


def test_one_network_rotating_user_agents_adds_at_most_the_limit(server, settings):
    conn = Connection(server.port)
    answers = [conn.view("/news/story", ip="203.0.113.7", ua=rotating_agent(n))
               for n in range(1000)]
    assert {status for status, _ in answers} == {200}
    assert answers[-1][1]["views"] <= PER_NETWORK
    # Readers on other networks still count.
    for n in range(5):
        assert conn.view("/news/story", ip=f"198.51.{n}.1")[0] == 200
    conn.close()
    assert server.stop() == 0
    views, _ = stored(settings["DATABASE_URL"])
    assert views["/news/story"] == PER_NETWORK + 5


def test_a_key_viewed_from_one_network_never_tops_the_list(server):
    conn = Connection(server.port)
    for n in range(300):
        conn.view("/invented-by-attacker", ip="203.0.113.7", ua=rotating_agent(n))
    for article in ("/news/real-1", "/news/real-2"):
        for network in range(8):  # at least 3 of 31 network bits, but with a negligible chance
            conn.view(article, ip=f"198.51.{network}.1")
    def listed() -> list[str]:
        return [row["article"] for row in conn.request(
            "GET", "/api/v1/views/top?days=1&limit=10")[1]["articles"]]

    # Once both real articles are stored (a flush may take one before the other) ...
    assert wait_for(lambda: {"/news/real-1", "/news/real-2"} <= set(listed()))
    top = listed()
    conn.close()
    assert "/invented-by-attacker" not in top


def test_the_answer_does_not_tell_a_neighbour_that_someone_read_the_article(server):
    conn = Connection(server.port)
    victim = conn.view("/news/read-by-victim", ip="203.0.113.7", ua=FIREFOX)
    assert victim[0] == 200
    # The attacker shares the victim's /24 and browser, so engage sees one visitor. Its answer
    # for the article the victim read must equal its answer for one nobody read.
    probe = conn.view("/news/read-by-victim", ip="203.0.113.99", ua=FIREFOX)
    control = conn.view("/news/read-by-nobody", ip="203.0.113.99", ua=FIREFOX)
    conn.close()
    assert probe[1]["counted"] is True
    assert {k: v for k, v in probe[1].items() if k != "article"} == \
        {k: v for k, v in control[1].items() if k != "article"}
