"""Helpers of the attack tests: a keep-alive client that sends views as an attacker would, and
what a running server holds (stored views, article rows, each worker's memory)."""

from __future__ import annotations

import http.client
import json
import os
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

from engage.articles import Article
from engage.config import database_url
from engage.pageviews.models import ArticleViews

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def rotating_agent(n: int) -> str:
    """A plausible, different browser for every ``n`` (what an attacker rotates)."""
    return f"Mozilla/5.0 (X11; Linux x86_64; rv:{100 + n % 30}.0) Gecko/20100101 Firefox/{n}.0"


class Connection:
    """One keep-alive HTTP connection to ``port``; each request may pose as another network."""

    def __init__(self, port: int):
        self._port = port
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self._used = False

    def request(self, method: str, path: str, *, ip: str = "203.0.113.7", ua: str = FIREFOX):
        try:
            return self._send(method, path, ip, ua)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server may close a keep-alive connection that idled past its keepalive
            # (5 s; a thread that finished its share early waits for the others): as HTTP
            # clients do, a reused connection closed before any answer is opened again and
            # the request sent once more. A fresh connection's failure, or a second one, fails.
            if not self._used:
                raise
            self._conn.close()
            self._conn = http.client.HTTPConnection("127.0.0.1", self._port, timeout=30)
            self._used = False
            return self._send(method, path, ip, ua)

    def _send(self, method: str, path: str, ip: str, ua: str):
        self._conn.request(method, path, body=b"" if method == "POST" else None,
                           headers={"User-Agent": ua, "X-Forwarded-For": ip})
        response = self._conn.getresponse()
        body = response.read()
        self._used = True
        return response.status, (json.loads(body) if body.startswith(b"{") else body)

    def view(self, article: str, *, ip: str = "203.0.113.7", ua: str = FIREFOX):
        return self.request("POST", f"/api/v1/views?article={article}", ip=ip, ua=ua)

    def close(self) -> None:
        self._conn.close()


def stored(url: str) -> tuple[dict[str, int], int]:
    """(stored views per article key, number of article rows) in the database at ``url``."""
    engine = create_engine(database_url(url, Path(".")))
    try:
        with engine.connect() as conn:
            views = dict(conn.execute(
                select(Article.key, func.sum(ArticleViews.count))
                .join(ArticleViews, ArticleViews.article_id == Article.id)
                .group_by(Article.key)).all())
            rows = conn.execute(select(func.count()).select_from(Article)).scalar_one()
    finally:
        engine.dispose()
    return {key: int(n) for key, n in views.items()}, int(rows)


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers (children) of the server process ``master``."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def rss_mib(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def wait_for(predicate, timeout: float = 20.0, step: float = 0.1):
    """Poll ``predicate`` until it returns something truthy; that value, or the last one."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(step)
        value = predicate()
    return value


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
