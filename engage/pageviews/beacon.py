"""The view beacon: ``POST /api/v1/views?article=K`` answered in front of Flask.

Every page view of every reader calls this endpoint, so it is the request engage answers most
often, and counting a view is cheap (a dictionary, or one Redis round trip). Flask's request
context, URL routing and hook chain cost several times the counting itself (``bench/views.py``
prints the breakdown). ``ViewBeacon`` is a WSGI middleware that answers the beacon's common
case directly and passes every other request to Flask unchanged.

Answered here: ``POST`` to exactly ``/api/v1/views`` whose query string holds a valid
``article`` and no ``site`` or the id of an existing site (looked up in the process's site
directory: no database round trip). Passed to Flask: everything else, including every error
the client caused (a missing or invalid article gets Flask's 422, an unknown site its 404; an
article sent as form data is read by the Flask route, which counts it the same way).

The answer is the Flask route's answer: the same body (``answer_body``, which the Flask route
uses too), status and ``Cache-Control``, the CORS and security headers from the same functions
as the Flask hooks (``engage.web.cors.cors_headers``, ``engage.web.security_headers``), an
``X-Request-ID``, one ``engage.request`` log record and the same metrics
(``tests/pageviews/test_beacon.py`` compares both paths header for header). Not done here:
Flask's ``request_started``/``request_finished`` signals (engage connects nothing to them) and
the database session teardown (counting never uses ``db.session``).

If counting fails (say the database cannot be read for a total), the error is handed to
Flask's error handlers inside a request context, so the client gets exactly the JSON error
(503 for an unreachable database) it would get from the Flask route, with every hook applied.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl

from flask import Flask, g
from werkzeug.datastructures import EnvironHeaders
from werkzeug.sansio.utils import get_current_url
from werkzeug.wsgi import get_host

from engage.articles import article_ref
from engage.site_directory import site_directory
from engage.sites import DEFAULT_SITE
from engage.web.article_params import article_param
from engage.web.cors import cors_headers
from engage.db import utcnow
from engage.errors import ValidationFailed
from engage.observability import metrics
from engage.observability.logging import REQUEST_ID_HEADER, incoming_request_id, log_request
from engage.pageviews.service import ViewOutcome, ViewRequest, record_view
from engage.web.request_info import client_ip_prefix_of
from engage.web.security_headers import security_headers

ROUTE = "/api/v1/views"
_SECURITY = security_headers(ROUTE)


def answer_body(article: str, outcome: ViewOutcome) -> bytes:
    """The JSON answer to a view: ``{"article","views","counted"}`` (compact, UTF-8).

    ``counted`` is ``outcome.accepted``: it says nothing about other visitors (see
    ``service``); ``views`` is the article's total, the same for anyone asking then.
    """
    return json.dumps({"article": article, "views": outcome.total, "counted": outcome.accepted},
                      ensure_ascii=False, separators=(",", ":")).encode()


def count(views, view: ViewRequest) -> ViewOutcome:
    """Record ``view`` with the app's counter and salts, and count the outcome in the metrics."""
    outcome = record_view(views.counter, views.salts, view)
    metrics.view_recorded(outcome.counted, outcome.reason)
    return outcome


def _in_query(query: str) -> tuple[str | None, str]:
    """The first ``article`` and ``site`` values of the query, parsed as Flask parses
    ``request.args``: article None when there is none or it is empty (Flask then looks at the
    form), site ``default`` when there is none or it is empty."""
    if "article=" not in query:
        return None, DEFAULT_SITE
    raw = query.encode("latin-1").decode()  # WSGI strings are latin-1; the URL is UTF-8
    article, site = None, None
    for name, value in parse_qsl(raw, keep_blank_values=True, errors="werkzeug.url_quote"):
        if name == "article" and article is None:
            article = value
        elif name == "site" and site is None:
            site = value
    return article or None, site or DEFAULT_SITE


class ViewBeacon:
    """WSGI middleware in front of ``flask_app``'s own ``wsgi_app`` (see the module docstring)."""

    def __init__(self, wsgi_app, flask_app: Flask, extension: str):
        self.wsgi_app = wsgi_app
        self.flask_app = flask_app
        self._extension = extension
        self._sites = site_directory(flask_app)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != ROUTE or environ.get("REQUEST_METHOD") != "POST":
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        try:
            raw_article, site_id = _in_query(environ.get("QUERY_STRING", ""))
            article = article_param(raw_article)
        except (ValidationFailed, UnicodeError):  # Flask answers with the error (422, 400)
            return self.wsgi_app(environ, start_response)
        site = self._sites.get(site_id)
        if site is None:  # Flask answers with the error (404, or 422 for a malformed id)
            return self.wsgi_app(environ, start_response)
        config = self.flask_app.config
        request_id = incoming_request_id(environ.get("HTTP_X_REQUEST_ID"))
        headers = EnvironHeaders(environ)
        user_agent = environ.get("HTTP_USER_AGENT")
        try:
            prefix = client_ip_prefix_of(environ, config["TRUSTED_PROXIES"])
            outcome = count(self.flask_app.extensions[self._extension], ViewRequest(
                article=article_ref(site_id, article), method="POST", headers=headers,
                ip_prefix=prefix, user_agent=user_agent, now=utcnow()))
            body = answer_body(article, outcome)
        except Exception as error:  # noqa: BLE001 - Flask's handlers decide what it becomes
            return self._error(environ, start_response, error, started, request_id)
        response_headers = [
            ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"), ("Vary", "Origin"),
            *cors_headers("POST", headers.get("Origin"), site.cors_origins,
                          config["DEMO_ENABLED"], lambda: _own_url(environ)),
            *_SECURITY, (REQUEST_ID_HEADER, request_id)]
        start_response("200 OK", response_headers)
        seconds = time.perf_counter() - started
        if config["METRICS_ENABLED"]:
            metrics.request_answered("POST", ROUTE, 200, seconds)
        log_request("POST", ROUTE, 200, seconds, request_id, prefix)
        return [body]

    def _error(self, environ, start_response, error: Exception, started: float,
               request_id: str):
        """Answer as the Flask route would have, had ``error`` been raised there."""
        app = self.flask_app
        with app.request_context(environ):
            g.request_started, g.request_id = started, request_id
            response = app.finalize_request(app.handle_user_exception(error))
        return response(environ, start_response)


def _own_url(environ) -> str:
    """engage's own base URL exactly as Flask's ``request.host_url`` (demo-mode CORS only)."""
    return get_current_url(environ["wsgi.url_scheme"], get_host(environ))
