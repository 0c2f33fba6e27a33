"""Two real engage instances sharing one PostgreSQL database and one Redis, as in production.

``cluster`` (one per package run) creates a private PostgreSQL database (dropped afterwards),
migrates it once, and starts two ``engage serve`` processes (gunicorn, 2 workers each) on their
own ports and instance folders, with one secret key, one Redis key prefix and the flood limit on.
Each instance reaches PostgreSQL and Redis through its cluster's ``TcpProxy``, so a fault test
can take a backend away from these servers without touching the shared servers other tests use.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from engage import create_app
from engage.cli import upgrade_schema
from engage.config import database_url
from engage.db import db
from tests.conftest import BASE_TEST_CONFIG, PG_URL, _missing
from tests.scale.http import Http
from tests.scale.tcp_proxy import TcpProxy
from tests.servers import EngageServer, free_port, start_all, stop_all

FLOOD_SECONDS = 120
MODERATOR = "scale-moderator"


@dataclass
class Cluster:
    a: EngageServer
    b: EngageServer
    database_url: str  # direct, not through the proxy: what the database really holds
    postgres: TcpProxy
    redis: TcpProxy
    token: str  # a moderator's API token
    http: Http

    @property
    def servers(self) -> tuple[EngageServer, EngageServer]:
        return self.a, self.b

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="package")
def private_postgres():
    """A new, migrated PostgreSQL database for this package; dropped at the end."""
    if not PG_URL:
        _missing("PostgreSQL (ENGAGE_TEST_DATABASE_URL)")
    admin = create_engine(database_url(PG_URL, Path(".")), isolation_level="AUTOCOMMIT")
    name = f"engage_scale_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        _missing(f"PostgreSQL at {PG_URL} ({type(error).__name__}: {error})")
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = :name"), {"name": name})
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _prepare(url: str, tmp: Path) -> str:
    """Migrate the database and create a moderator; returns the moderator's API token."""
    from engage.moderators.accounts import create_moderator, issue_token

    app = create_app({**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp), "DATABASE_URL": url})
    with app.app_context():
        upgrade_schema()
        moderator = create_moderator(db.session, MODERATOR, "scale test password 123")
        token = issue_token(db.session, moderator)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return token


def _via(url: str, proxy: TcpProxy) -> str:
    """``url`` with its host and port replaced by the proxy's."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    userinfo = netloc[0] + "@" if len(netloc) == 2 else ""
    return parts._replace(netloc=f"{userinfo}127.0.0.1:{proxy.port}").geturl()


@pytest.fixture(scope="package")
def cluster(private_postgres, tmp_path_factory):
    from tests.conftest import REDIS_URL

    if not REDIS_URL:
        _missing("Redis (ENGAGE_TEST_REDIS_URL)")
    import redis

    token = _prepare(private_postgres, tmp_path_factory.mktemp("scale-prepare"))
    pg = urlsplit(private_postgres)
    rd = urlsplit(REDIS_URL)
    postgres = TcpProxy(pg.hostname, pg.port or 5432)
    redis_proxy = TcpProxy(rd.hostname, rd.port or 6379)
    prefix = f"engage-scale:{uuid.uuid4().hex[:10]}:"
    servers = []
    try:
        for name in ("a", "b"):
            settings = {
                **BASE_TEST_CONFIG,
                "INSTANCE_PATH": str(tmp_path_factory.mktemp(f"scale-{name}")),
                "DATABASE_URL": _via(private_postgres, postgres),
                "REDIS_URL": _via(REDIS_URL, redis_proxy),
                "REDIS_PREFIX": prefix,
                "TRUSTED_PROXIES": "127.0.0.1",
                "FLOOD_SECONDS": FLOOD_SECONDS,
                "DEMO_ENABLED": False,
            }
            # migrated once above, as a deploy does
            servers.append(EngageServer(settings, port=free_port(), workers=2, threads=4,
                                        migrate=False))
        start_all(servers)
        yield Cluster(servers[0], servers[1], private_postgres, postgres, redis_proxy, token,
                      Http())
    finally:
        stop_all(servers)  # both stop gracefully at the same time
        postgres.close()
        redis_proxy.close()
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture
def direct_db(cluster):
    """An engine on the cluster's database that bypasses the proxy (to check what is stored)."""
    engine = create_engine(database_url(cluster.database_url, Path(".")))
    yield engine
    engine.dispose()
