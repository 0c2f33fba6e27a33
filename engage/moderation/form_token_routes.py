"""Public route: ``GET /api/v1/form-token?site=S&article=K`` → ``{"form_token": "…"}``.

The widget asks for a token when a reader starts writing and sends it with the comment (see
``form_token``). Never cached: every reader, every form gets its own token.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from marshmallow import EXCLUDE, Schema, fields

from engage.articles import article_ref
from engage.comments.schemas import ArticleKey
from engage.db import utcnow
from engage.web.json_body import load_args
from engage.moderation import form_token
from engage.web.site_param import site_param

bp = Blueprint("form_token", __name__)


class FormTokenQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    article = ArticleKey(required=True)
    site = fields.String(load_default=None)  # checked by web.site_param


_query = FormTokenQuerySchema()


@bp.get("/api/v1/form-token")
def get_form_token():
    site = site_param()
    article = load_args(_query)["article"]
    # bound to the article (site, key): a token for one site's /about does not fit another's
    token = form_token.issue(article_ref(site.id, article), current_app.config["SECRET_KEY"],
                             utcnow())
    response = jsonify({"form_token": token})
    response.headers["Cache-Control"] = "no-store"
    return response
