"""The beacon's fast path answers exactly as the Flask route would, and hands Flask the rest.

Each comparison sends one request through the whole app (fast path in front) and the same
request, from another reader, through Flask alone (the app's WSGI stack without the beacon).
"""

from __future__ import annotations

import io
import json
import logging

import pytest
from sqlalchemy import text
from werkzeug.test import Client
from werkzeug.wrappers import Response

from engage.db import db
from engage.observability.logging import JsonFormatter
from engage.pageviews.beacon import ViewBeacon
from tests.pageviews.test_api import SITE, config_overrides  # noqa: F401  (both backends)

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
_reader = iter(range(1, 10**6))


def _beacon(app) -> ViewBeacon:
    layer = app.wsgi_app
    while not isinstance(layer, ViewBeacon):
        layer = layer.app  # the middlewares outside it (TrustedProxyScheme) keep it in .app
    return layer


class Paths:
    """Send a request through the whole app, or through Flask alone; log records are kept."""

    def __init__(self, app):
        self.whole = Client(app, Response)
        self.flask = Client(_beacon(app).wsgi_app, Response)
        self.app = app

    @staticmethod
    def _send(client, query="article=/news/1", *, reader=None, data=None, **headers):
        reader = next(_reader) if reader is None else reader
        ip = f"10.{reader // 256 % 256}.{reader % 256}.9"  # a network (/24) per reader
        return client.post(f"/api/v1/views?{query}", data=data, headers={
            "User-Agent": FIREFOX, "X-Forwarded-For": ip, **headers},
            environ_base={"REMOTE_ADDR": "127.0.0.1"})  # the trusted proxy

    def fast(self, *args, **kwargs):
        return self._send(self.whole, *args, **kwargs)

    def flask_route(self, *args, **kwargs):
        return self._send(self.flask, *args, **kwargs)


@pytest.fixture
def paths(app):
    return Paths(app)


@pytest.fixture
def request_records():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("engage.request")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def _comparable(response) -> tuple:
    headers = sorted((name, value) for name, value in response.headers.items()
                     if name not in ("X-Request-ID", "Content-Length"))
    return response.status_code, headers


@pytest.mark.parametrize("headers", [
    {}, {"Origin": SITE}, {"Origin": "https://elsewhere.example"},
    {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"}, {"Sec-Purpose": "prefetch"}])
def test_the_fast_path_answers_as_the_flask_route(app, paths, headers):
    from flask import request_started

    flask_requests = []
    with request_started.connected_to(lambda sender, **extra: flask_requests.append(1), app):
        fast = paths.fast(**headers)
        assert flask_requests == []  # answered in front of Flask
        flask = paths.flask_route(**headers)
        assert flask_requests == [1]
    assert _comparable(fast) == _comparable(flask)
    assert fast.json.keys() == flask.json.keys() == {"article", "views", "counted"}
    assert fast.json["counted"] == flask.json["counted"] == (headers.keys() <= {"Origin"})
    assert fast.headers["Content-Type"] == "application/json"
    assert len(fast.headers["X-Request-ID"]) == 32


def test_both_paths_count_into_the_same_totals(paths):
    assert paths.fast(reader=1).json == {"article": "/news/1", "views": 1, "counted": True}
    assert paths.flask_route(reader=1).json == {"article": "/news/1", "views": 1,
                                                "counted": True}
    assert paths.flask_route(reader=2).json["views"] == 2
    assert paths.fast(reader=2).json == {"article": "/news/1", "views": 2, "counted": True}


def test_the_fast_path_logs_and_keeps_the_request_id_as_flask_does(paths, request_records):
    paths.fast(reader=41, **{"X-Request-ID": "edge-0001-fast"})
    paths.flask_route(reader=41, **{"X-Request-ID": "edge-0002-flask"})
    fast, flask = request_records()
    assert (fast["request_id"], flask["request_id"]) == ("edge-0001-fast", "edge-0002-flask")
    for record in (fast, flask):
        del record["request_id"], record["ts"], record["duration_ms"]
    assert fast == flask
    assert fast["route"] == "/api/v1/views" and fast["client"] == "10.0.41.0/24"


def test_the_fast_path_counts_requests_in_the_metrics(paths):
    from engage.observability.metrics import metrics, publish_pending

    series = metrics().requests.labels("POST", "/api/v1/views", "200")
    publish_pending()
    before = series._value.get()
    paths.fast()
    paths.flask_route()
    publish_pending()
    assert series._value.get() == before + 2


@pytest.mark.parametrize("query,status", [
    ("", 422), ("article=", 422), ("article=" + "x" * 600, 422), ("article=%00", 422),
    ("other=1", 422)])
def test_bad_articles_get_flasks_error_answer(paths, query, status):
    fast, flask = paths.fast(query), paths.flask_route(query)
    assert fast.status_code == flask.status_code == status
    assert fast.json == flask.json and fast.json["error"]["code"] == "validation_error"


def test_an_article_sent_as_form_data_is_counted_by_the_flask_route(paths):
    answer = paths.fast("", data={"article": "/news/form"})
    assert answer.json == {"article": "/news/form", "views": 1, "counted": True}


def test_other_paths_and_methods_pass_through(paths):
    assert paths.whole.get("/api/v1/views?article=/news/1").json == {"views": {"/news/1": 0}}
    assert paths.whole.post("/api/v1/views/?article=/news/1").status_code == 404
    assert paths.whole.put("/api/v1/views?article=/news/1").status_code == 405


def test_a_database_failure_while_counting_gets_flasks_error_answer(app, paths):
    """A real failure: the daily-counts table is gone while a view needs its stored total.
    (SQLite calls that an OperationalError, answered 503; PostgreSQL a ProgrammingError, 500.)"""
    with app.app_context():
        db.session.execute(text("ALTER TABLE article_views RENAME TO article_views_away"))
        db.session.commit()
    try:
        fast = paths.fast("article=/news/never-read-before")
        flask = paths.flask_route("article=/news/never-read-either")
    finally:
        with app.app_context():
            db.session.execute(text("ALTER TABLE article_views_away RENAME TO article_views"))
            db.session.commit()
    assert fast.status_code == flask.status_code
    assert fast.status_code == (503 if app.config["DATABASE_URL"].startswith("sqlite") else 500)
    assert fast.json == flask.json and fast.json["error"]["code"] in ("unavailable", "internal_error")
    assert _comparable(fast) == _comparable(flask)
