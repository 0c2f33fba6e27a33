"""HTTP API of the view counter: parse, call the service or counter, serialize.

``init_app`` builds the counter from the settings (``backends.build_counter``, its flushes timed
by ``engage.observability.observed_flush``) into ``app.extensions["engage.pageviews"]``
(``extension.Views``), flushes it when the process stops (``engage.serving.lifecycle.on_shutdown``:
atexit and gunicorn's worker exit), adds the ``views`` check to ``/healthz``, and puts the
beacon's fast path (``beacon.ViewBeacon``) in front of the app. ``views_for`` is what other
features (``/api/v1/counts``) call for totals.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, current_app, jsonify, request

from engage.articles import article_ref
from engage.web.article_params import article_param, article_params
from engage.web.site_param import site_param
from engage.db import db, utcnow
from engage.errors import ValidationFailed
from engage.health import register_check, register_write_monitor
from engage.observability import observed_flush
from engage.pageviews import beacon
from engage.pageviews.backends import build_counter
from engage.pageviews.badge import badge_svg
from engage.pageviews.extension import EXTENSION, Views, app_views as _views
from engage.pageviews.salts import SaltStore
from engage.pageviews.service import ViewRequest
from engage.pageviews.visitors import DailySalts, utc_day
from engage.serving.lifecycle import on_shutdown
from engage.web.request_info import client_ip_prefix

bp = Blueprint("pageviews", __name__)

MAX_DAYS = 366
MAX_TOP = 100
BADGE_MAX_AGE = 60


def init_app(app: Flask) -> None:
    """Build the counter for ``app`` and hook it into shutdown, health and the beacon."""
    with app.app_context():
        engine = db.engine
    backend = "redis" if app.config["REDIS_URL"] else "buffered"
    counter = build_counter(app.config, engine, clock=utcnow,
                            observe=lambda inner: observed_flush(app, inner, backend))
    salt_store = SaltStore(engine)
    app.extensions[EXTENSION] = Views(counter, DailySalts(salt_store, app.config["SECRET_KEY"]))
    # Tomorrow's salt is stored ahead, off the request path (see salts.py).
    counter.add_chore(lambda now: salt_store.prepare(utc_day(now)))
    on_shutdown(app, lambda: counter.close(utcnow()))
    app.wsgi_app = beacon.ViewBeacon(app.wsgi_app, app, EXTENSION)
    register_check(app, "views", health)
    register_write_monitor(app, lambda: counter.write_error)


def views_for(refs: list[str]) -> dict[str, int]:
    """Total views (flushed or not) of each article (``articles.article_ref``), in one call."""
    return _views().counter.totals(refs)


def health() -> tuple[str, str | None]:
    """``/healthz`` check: ``degraded`` while Redis is down (views go to the embedded buffer)
    or the buffer cannot be flushed to the database; never ``down`` (counting goes on)."""
    try:
        report = _views().counter.health()
    except Exception as error:  # a health check reports, it does not raise
        return "degraded", type(error).__name__
    if report.get("status") == "degraded":
        return "degraded", f"redis {report.get('redis')}: counting in the embedded buffer"
    flush_error = report.get("flush_error") or report.get("fallback", {}).get("flush_error")
    if flush_error:
        return "degraded", f"flush failing: {flush_error}"
    return "ok", None


# --- parsing --------------------------------------------------------------------------------

def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    # Plain ASCII digits only: int() would also take " 7", "1_0" and non-Latin digits.
    value = int(raw) if raw.isascii() and raw.isdigit() else low - 1
    if not low <= value <= high:
        raise ValidationFailed(f"Invalid {name}.", fields={
            name: [f"Must be a whole number from {low} to {high}."]})
    return value


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


# --- endpoints ------------------------------------------------------------------------------

@bp.route("/api/v1/views", methods=["GET", "POST"])
def views():
    """POST records one view (a CORS simple request: no body needed); GET reads totals."""
    site = site_param(request.form.get("site") if request.method == "POST" else None)
    if request.method == "GET":  # HEAD is served here too, so it never counts
        keys = article_params()
        refs = {key: article_ref(site.id, key) for key in set(keys.values())}
        totals = _views().counter.totals(sorted(refs.values()))
        return _no_store(jsonify({"views": {sent: totals[refs[key]]
                                            for sent, key in keys.items()}}))
    # The common case (article in the query) is answered by beacon.ViewBeacon before Flask;
    # this route serves the rest, such as a beacon that sends the article as form data.
    article = article_param(request.args.get("article") or request.form.get("article"))
    outcome = beacon.count(_views(), ViewRequest(
        article=article_ref(site.id, article), method=request.method, headers=request.headers,
        ip_prefix=client_ip_prefix(), user_agent=request.headers.get("User-Agent"),
        now=utcnow()))
    return _no_store(current_app.response_class(beacon.answer_body(article, outcome),
                                                mimetype="application/json"))


@bp.get("/api/v1/views/daily")
def daily():
    """Views of one article per UTC day for the last ``days`` days (today included)."""
    site = site_param()
    article = article_param(request.args.get("article"))
    days = _int_arg("days", 30, 1, MAX_DAYS)
    last = utc_day(utcnow())
    first = last - timedelta(days=days - 1)
    stored = _views().counter.daily(article_ref(site.id, article), first, last)
    series = [{"date": (first + timedelta(days=i)).isoformat(),
               "views": stored.get(first + timedelta(days=i), 0)} for i in range(days)]
    return _no_store(jsonify({"article": article, "days": series}))


@bp.get("/api/v1/views/top")
def top():
    """The most viewed articles of one site in the last ``days`` days, most views first; only
    articles read from ``VIEWS_TOP_MIN_NETWORKS`` networks on one day, so that a key viewed
    from one network (which nobody publishes, say) cannot take the list."""
    site = site_param()
    days = _int_arg("days", 7, 1, MAX_DAYS)
    limit = _int_arg("limit", 10, 1, MAX_TOP)
    last = utc_day(utcnow())
    rows = _views().counter.top(last - timedelta(days=days - 1), last, limit,
                                min_networks=current_app.config["VIEWS_TOP_MIN_NETWORKS"],
                                site=site.id)
    response = jsonify({"days": days, "articles": [
        {"article": key, "views": count} for key, count in rows]})
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/api/v1/badge.svg")
def badge():
    """The "views │ 1.2k" badge; reading it never counts a view. Cached briefly, with ETag."""
    site = site_param()
    ref = article_ref(site.id, article_param(request.args.get("article")))
    total = _views().counter.totals([ref])[ref]
    response = current_app.response_class(badge_svg(total), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = f"public, max-age={BADGE_MAX_AGE}"
    response.add_etag()
    return response.make_conditional(request)
