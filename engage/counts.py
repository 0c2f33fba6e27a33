"""``GET /api/v1/counts?site=S&article=a&article=b``: comment and view counts for many
articles of one site in one call (list pages)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from engage.articles import article_ref
from engage.web.article_params import article_params
from engage.web.site_param import site_param
from engage.comments.service import comment_counts
from engage.db import db
from engage.pageviews.routes import views_for

bp = Blueprint("counts", __name__)

@bp.get("/api/v1/counts")
def counts():
    site = site_param()
    keys = article_params()
    normalized = sorted(set(keys.values()))
    comments = comment_counts(db.session, normalized, site.id)
    refs = {key: article_ref(site.id, key) for key in normalized}
    by_ref = views_for(list(refs.values()))
    views = {key: by_ref[ref] for key, ref in refs.items()}
    response = jsonify({"counts": {
        sent: {"comments": comments.get(key, 0), "views": views.get(key, 0)}
        for sent, key in keys.items()
    }})
    response.cache_control.public = True
    response.cache_control.max_age = 10
    return response
