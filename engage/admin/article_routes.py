"""Moderators control one article: the API and the queue page's per-card controls.

- ``GET /api/v1/moderation/articles?site=S&article=K`` → the article (``admin.articles``);
  404 for an unknown site or an article engage never saw; every role (analysts read counts)
- ``PATCH /api/v1/moderation/articles?site=S&article=K`` ``{"closed"?, "mode"?, "title"?,
  "url"?}`` → the article (created if engage never saw it: an article can be closed before
  its first comment); bad fields → 422 naming each, a URL off the site's origins included
- ``POST /moderate/articles`` (the queue page's form; CSRF token): ``article=<id>:close``,
  ``<id>:reopen`` or ``<id>:mode:<comment id>`` with the mode in ``mode-<comment id>``; then
  back to the same queue view.
Changes need an admin or a moderator; a site outside the account's sites is a 403.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from engage.admin import articles
from engage.articles import Article, article_ref, find_article, get_or_create_article
from engage.db import db, utcnow
from engage.errors import Forbidden, NotFound, ValidationFailed
from engage.moderation.settings import store as moderation_settings
from engage.moderators.guards import (check_site, login_required, member_required,
                                     moderator_required)
from engage.pageviews.extension import app_views
from engage.queue.routes import csrf_checked, view_from
from engage.site_directory import SiteInfo
from engage.web.article_params import article_param
from engage.web.json_body import json_body
from engage.web.site_param import find_site

bp = Blueprint("moderation_articles", __name__)

NOTICES = {"close": "closed", "reopen": "reopened", "mode": "mode"}


def _site_and_key() -> tuple[SiteInfo, str]:
    """The article named by the query, on a site this request may act on (else 403)."""
    site = find_site(request.args.get("site") or "default")
    check_site(site.id)
    return site, article_param(request.args.get("article"))


def _details(article: Article) -> dict:
    options = moderation_settings.current(db.session, current_app.config,
                                          site=article.site_id).options
    ref = article_ref(article.site_id, article.key)
    views = app_views().counter.totals([ref])[ref]
    return articles.details(db.session, article, utcnow(), options.auto_close_days, views)


@bp.get("/api/v1/moderation/articles")
@member_required
def api_get():
    site, key = _site_and_key()
    article = find_article(db.session, key, site.id)
    if article is None:
        raise NotFound("engage has not seen this article (no comment, no view).")
    return jsonify(_details(article))


@bp.patch("/api/v1/moderation/articles")
@moderator_required
def api_patch():
    site, key = _site_and_key()
    changes = articles.parse_changes(json_body(), site.cors_origins)
    article = get_or_create_article(db.session, key, site.id)
    articles.change(db.session, article, changes, utcnow())
    return jsonify(_details(article))


@bp.post("/moderate/articles")
@login_required
@csrf_checked
def page_change():
    back = view_from(request.form.get("view", ""))
    article_id, _, rest = (request.form.get("article") or "").partition(":")
    action, _, card = rest.partition(":")
    article = db.session.get(Article, int(article_id)) if article_id.isdigit() else None
    try:
        if article is None or action not in NOTICES:
            raise ValidationFailed("Malformed form.")
        check_site(article.site_id)
        changes = ({"closed": action == "close"} if action != "mode" else
                   articles.parse_changes({"mode": request.form.get(f"mode-{card}") or None}, ()))
    except (ValidationFailed, Forbidden) as error:
        return render_template("moderation/error.html", title="Could not do that",
                               message=error.message, fields=error.fields), (
                                   403 if isinstance(error, Forbidden) else 400)
    articles.change(db.session, article, changes, utcnow())
    return redirect(url_for("queue.queue", **back, done=NOTICES[action],
                            what=article.title or article.key))
