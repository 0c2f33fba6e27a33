"""Load test (bounded, loopback only): one network floods the view beacon with rotating user
agents and invented article keys, over several keep-alive connections to two workers.

What must hold, on the embedded and the Redis backend:
- the attacked article gains at most ``VIEWS_PER_NETWORK`` views per worker (embedded: each
  worker process applies the limit on its own) or in all (Redis);
- the invented keys become at most ``VIEWS_NEW_ARTICLES_PER_NETWORK`` articles per worker
  (embedded) or in all (Redis), however many the network sends;
- each worker's memory stops growing: the second half of the flood adds less than
  ``GROWTH_MIB`` to a worker (on the old code every key stayed in memory, about 3 kB each).

A form-token read is a state-free sibling: thousands of them with invented keys add no row and
no memory.
"""

from __future__ import annotations

import threading

import pytest

from tests.conftest import BASE_TEST_CONFIG
from tests.pageviews.abuse import (Connection, rotating_agent, rss_mib, stored, worker_pids)
from tests.servers import EngageServer, free_port

pytestmark = pytest.mark.slow

WORKERS = 2
CONNECTIONS = 4
PER_NETWORK = 25
NEW_PER_NETWORK = 10
HALF = 8_000  # requests per half of the flood
GROWTH_MIB = 4.0
LONG_KEY = "x" * 400  # long invented keys: each one kept costs the more


@pytest.fixture(params=["embedded", "redis"])
def server(request, tmp_path):
    settings = {**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp_path),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'engage.sqlite3'}",
                "TRUSTED_PROXIES": "127.0.0.1", "DEMO_ENABLED": False,
                "VIEWS_PER_NETWORK": PER_NETWORK,
                "VIEWS_NEW_ARTICLES_PER_NETWORK": NEW_PER_NETWORK,
                "METRICS_ENABLED": False, "LOG_LEVEL": "WARNING"}
    if request.param == "redis":
        settings["REDIS_URL"] = request.getfixturevalue("redis_url")
        settings["REDIS_PREFIX"] = request.getfixturevalue("redis_prefix")
    started = EngageServer(settings, port=free_port(), workers=WORKERS)
    started.start()
    started.backend = request.param
    yield started
    started.stop()


def _flood(connections: list[Connection], start: int, count: int, path) -> list[int]:
    """Send ``count`` requests spread over ``connections`` (one thread each); ``path(n)`` gives
    each one's method and path. Returns the statuses. The same connections serve both halves
    of a test, so each worker's second half follows its own first (its warm-up)."""
    statuses: list[int] = []
    lock = threading.Lock()

    def one_connection(offset: int) -> None:
        conn, mine = connections[offset], []
        for n in range(start + offset, start + count, len(connections)):
            method, target = path(n)
            mine.append(conn.request(method, target, ip="203.0.113.7", ua=rotating_agent(n))[0])
        with lock:
            statuses.extend(mine)

    threads = [threading.Thread(target=one_connection, args=(i,))
               for i in range(len(connections))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == count  # no connection gave up
    return statuses


@pytest.fixture
def connections(server):
    opened = [Connection(server.port) for _ in range(CONNECTIONS)]
    yield opened
    for conn in opened:
        conn.close()


def _attack(n: int) -> tuple[str, str]:
    """Every third request hammers one real article, the others invent a key."""
    if n % 3 == 0:
        return "POST", "/api/v1/views?article=/news/attacked"
    return "POST", f"/api/v1/views?article=/invented/{n}-{LONG_KEY}"


def _memory(server) -> dict[int, float]:
    return {pid: rss_mib(pid) for pid in worker_pids(server.process.pid)}


def test_a_flood_from_one_network_stays_within_the_counts_and_memory_bounds(server, connections):
    assert set(_flood(connections, 0, HALF, _attack)) == {200}
    halfway = _memory(server)
    assert set(_flood(connections, HALF, HALF, _attack)) == {200}
    after = _memory(server)
    assert after.keys() == halfway.keys() and len(after) == WORKERS  # no worker was replaced
    growth = {pid: after[pid] - halfway[pid] for pid in after}
    assert max(growth.values()) < GROWTH_MIB, growth
    for conn in connections:
        conn.close()
    assert server.stop() == 0
    views, rows = stored(server.settings["DATABASE_URL"])
    processes = WORKERS if server.backend == "embedded" else 1
    assert views.get("/news/attacked", 0) <= PER_NETWORK * processes
    invented = [key for key in views if key.startswith("/invented/")]
    assert len(invented) <= NEW_PER_NETWORK * processes
    assert rows <= NEW_PER_NETWORK * processes + 1


@pytest.mark.parametrize("server", ["embedded"], indirect=True)  # Redis plays no part here
def test_form_token_reads_with_invented_keys_create_nothing(server, connections):
    def token(n: int) -> tuple[str, str]:
        return "GET", f"/api/v1/form-token?article=/invented/{n}-{LONG_KEY}"

    assert set(_flood(connections, 0, HALF // 3, token)) == {200}
    halfway = _memory(server)
    assert set(_flood(connections, HALF // 3, HALF // 3, token)) == {200}
    after = _memory(server)
    assert max(after[pid] - halfway[pid] for pid in after) < GROWTH_MIB
    for conn in connections:
        conn.close()
    assert server.stop() == 0
    assert stored(server.settings["DATABASE_URL"]) == ({}, 0)
