"""``GET /api/v1/counts``: comment and view counts for many articles in one call (list pages)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from engage.articles import normalize_article_key
from engage.comments.service import comment_counts
from engage.db import db
from engage.errors import ValidationFailed
from engage.pageviews.routes import views_for

bp = Blueprint("counts", __name__)

MAX_ARTICLES_PER_CALL = 100


def article_keys_from_query() -> dict[str, str]:
    """Map each ``article`` query value as sent to its normalized key; 422 when one is bad."""
    raw = request.args.getlist("article")
    if not raw:
        raise ValidationFailed("Give at least one article.", fields={"article": ["Required."]})
    if len(raw) > MAX_ARTICLES_PER_CALL:
        raise ValidationFailed("Too many articles.", fields={
            "article": [f"At most {MAX_ARTICLES_PER_CALL} per call."]})
    keys = {}
    for value in raw:
        try:
            keys[value] = normalize_article_key(value)
        except ValueError as error:
            raise ValidationFailed("Invalid article.", fields={"article": [str(error)]}) from error
    return keys


@bp.get("/api/v1/counts")
def counts():
    keys = article_keys_from_query()
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
