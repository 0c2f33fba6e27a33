"""``GET /feeds/comments.atom?site=S[&article=K]``: the Atom feed of the newest approved
comments of a site, or of one of its articles (``feed``). Unknown site → 404, a malformed
site or article → 422 (the JSON error shape). Cached publicly for ``FEEDS_CACHE_SECONDS``."""

from __future__ import annotations

from flask import Blueprint, current_app, request, url_for

from engage.articles import find_article
from engage.comments.feed import FeedSubject, atom_feed, newest_comments
from engage.db import db, utcnow
from engage.web.article_params import article_param
from engage.web.request_info import public_base_url
from engage.web.site_param import site_param

bp = Blueprint("feeds", __name__)


@bp.get("/feeds/comments.atom")
def comments_feed():
    site = site_param()
    key = article_param(request.args["article"]) if "article" in request.args else None
    article = find_article(db.session, key, site.id) if key is not None else None
    subject = FeedSubject(site.id, site.name, article, key)
    rows = newest_comments(db.session, subject, int(current_app.config["FEEDS_SIZE"]))
    named = {name: request.args[name] for name in ("site", "article") if name in request.args}
    self_url = public_base_url() + url_for(".comments_feed", **named)
    response = current_app.response_class(atom_feed(subject, rows, self_url, utcnow()),
                                          mimetype="application/atom+xml")
    response.cache_control.public = True
    response.cache_control.max_age = int(current_app.config["FEEDS_CACHE_SECONDS"])
    response.add_etag()
    return response.make_conditional(request)
