"""``GET /api/v1/counts``: comment and view counts for many articles in one call (list pages)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from engage.web.article_params import article_params
from engage.comments.service import comment_counts
from engage.db import db
from engage.pageviews.routes import views_for

bp = Blueprint("counts", __name__)

@bp.get("/api/v1/counts")
def counts():
    keys = article_params()
    normalized = sorted(set(keys.values()))
    comments = comment_counts(db.session, normalized)
    views = views_for(normalized)
    response = jsonify({"counts": {
        sent: {"comments": comments.get(key, 0), "views": views.get(key, 0)}
        for sent, key in keys.items()
    }})
    response.cache_control.public = True
    response.cache_control.max_age = 10
    return response
