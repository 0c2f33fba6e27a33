"""``GET /moderate/overview[?site=S]``: the last days of one site at a glance (admins and
analysts; an account limited to sites sees only those: another is a 403 page)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, g, render_template, request

from engage.admin.chart import stacked_bars
from engage.admin.overview import DAYS, OUTCOMES, TOP, overview
from engage.db import db, utcnow
from engage.moderators.guards import page_guard
from engage.moderators.roles import Role
from engage.moderators.routes import PAGE_CSP
from engage.pageviews.extension import app_views
from engage.pageviews.visitors import utc_day
from engage.site_directory import site_directory
from engage.sites import DEFAULT_SITE

bp = Blueprint("overview", __name__)

# the queue's colours for the same outcomes (queue.css: --ok, --warn, --bad)
COLORS = {"published": "#1f7a3d", "held": "#9a5b00", "spam": "#b3261e"}


@bp.after_request
def _page_headers(response):
    response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused(status: int, message: str):
    return render_template("moderation/error.html", title="No such overview",
                           message=message), status


@bp.get("/moderate/overview")
@page_guard(Role.ADMIN, Role.ANALYST)
def overview_page():
    sites = [site for site in site_directory().all()
             if g.moderator_sites is None or site.id in g.moderator_sites]
    if not sites:
        return _refused(403, "Your account is limited to sites that do not exist.")
    ids = [site.id for site in sites]
    wanted = request.args.get("site") or (DEFAULT_SITE if DEFAULT_SITE in ids else ids[0])
    if wanted not in ids:
        known = site_directory().get(wanted) is not None
        return _refused(403 if known else 404, "You may not see this site." if known
                        else "There is no such site.")
    today = utc_day(utcnow())
    # the public top list's rule: a key read from one network only (which nobody publishes,
    # say) is not listed
    views = app_views().counter.top(today - timedelta(days=DAYS - 1), today, TOP,
                                    min_networks=current_app.config["VIEWS_TOP_MIN_NETWORKS"],
                                    site=wanted)
    data = overview(db.session, wanted, today, views)
    days = sorted(data.per_day)
    chart = stacked_bars(days, {name: [data.per_day[day][name] for day in days]
                                for name in OUTCOMES}, COLORS,
                         f"Comments per day over the last {DAYS} days, by outcome")
    return render_template("moderation/overview.html", data=data, days=days, chart=chart,
                           sites=sites, site=next(s for s in sites if s.id == wanted),
                           outcomes=OUTCOMES, colors=COLORS, period_days=DAYS)
