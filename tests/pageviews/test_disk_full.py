"""A full disk, for real: the SQLite database lives on a small tmpfs that the test fills.

The beacon must keep answering (views wait in memory or in Redis, the day's salt needs no write),
``/healthz`` must say the database cannot write, and once space is free again the buffered
views reach the database. Needs root (to mount the tmpfs): ``.ci/run`` runs as root and
requires it; elsewhere it is skipped like a missing PostgreSQL.
"""

from __future__ import annotations

import errno
import sqlite3
import subprocess

import pytest

from tests.conftest import BASE_TEST_CONFIG, _missing
from tests.pageviews.abuse import Connection, stored, wait_for
from tests.servers import EngageServer, free_port

pytestmark = pytest.mark.slow

VIEWS = 40


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
                       check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as error:
        _missing(f"a tmpfs mount (needs root: {error})")  # a failure under .ci/run, as for PostgreSQL
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(directory) -> None:
    """Write a file until the file system is full."""
    with open(directory / "filler", "wb", buffering=0) as handle:
        chunk = b"\0" * 65536
        try:
            while True:
                handle.write(chunk)
        except OSError as error:
            assert error.errno == errno.ENOSPC
        try:
            while True:
                handle.write(b"\0" * 512)
        except OSError:
            pass


def _database_check(conn: Connection) -> dict:
    return conn.request("GET", "/healthz")[1]["checks"]["database"]


@pytest.fixture(params=["embedded", "redis"])
def backend(request) -> dict:
    if request.param == "embedded":
        return {}
    return {"REDIS_URL": request.getfixturevalue("redis_url"),
            "REDIS_PREFIX": request.getfixturevalue("redis_prefix"), "VIEWS_PERSIST_SECONDS": 0.2}


def test_views_are_buffered_while_the_disk_is_full_and_healthz_says_so(small_disk, tmp_path,
                                                                        backend):
    database = small_disk / "engage.sqlite3"
    settings = {**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp_path),
                "DATABASE_URL": f"sqlite:///{database}", "TRUSTED_PROXIES": "127.0.0.1",
                "DEMO_ENABLED": False, "VIEWS_FLUSH_SECONDS": 0.2, **backend}
    server = EngageServer(settings, port=free_port(), workers=1)
    server.start()
    try:
        conn = Connection(server.port)
        # Truncate the write-ahead log, then fill the disk: every write now needs new space.
        with sqlite3.connect(database) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _fill(small_disk)
        answers = [conn.view("/news/full-disk", ip=f"198.51.{n}.1") for n in range(VIEWS)]
        assert [status for status, _ in answers] == [200] * VIEWS
        assert answers[-1][1]["views"] == VIEWS  # counted, in memory
        check = wait_for(lambda: _database_check(conn)["status"] != "ok" and _database_check(conn))
        assert check and check["status"] == "degraded", check
        assert "writ" in check["detail"]
        (small_disk / "filler").unlink()
        assert wait_for(lambda: _database_check(conn)["status"] == "ok")
        conn.close()
    finally:
        assert server.stop() == 0
    assert stored(settings["DATABASE_URL"])[0] == {"/news/full-disk": VIEWS}
