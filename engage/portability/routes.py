"""The admin API of reader requests (DESIGN.md §3, Portability).

- ``GET /api/v1/moderation/authors?email=E`` → everything stored about E (``authors.export``)
- ``POST /api/v1/moderation/authors/erase`` ``{"email", "keep_comments"?}`` →
  ``{"erased": {"comments", "deleted", "anonymised"}}``
Admins only (``admin_required``: 401 without credentials, 403 for other roles); a missing or
invalid email → 422; a body that is not a JSON object → 400/415/422. ``Cache-Control:
no-store``: the answer holds personal data.
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from engage.db import db
from engage.errors import ValidationFailed
from engage.moderators.guards import admin_required
from engage.portability.authors import erase_author, export_author, normalize_email
from engage.web.json_body import json_body

bp = Blueprint("portability", __name__)


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _email(raw: object) -> str:
    try:
        return normalize_email(raw)
    except ValueError as error:
        raise ValidationFailed(str(error), fields={"email": [str(error)]}) from None


@bp.get("/api/v1/moderation/authors")
@admin_required
def author_data():
    email = _email(request.args.get("email"))
    return jsonify(export_author(db.session, email, actor=g.moderator.name))


@bp.post("/api/v1/moderation/authors/erase")
@admin_required
def author_erase():
    data = json_body()
    if not isinstance(data, dict):
        raise ValidationFailed("Send a JSON object.", fields={"email": ["required"]})
    email = _email(data.get("email"))
    keep = data.get("keep_comments", False)
    if not isinstance(keep, bool):
        raise ValidationFailed("keep_comments is true or false.",
                               fields={"keep_comments": ["must be a boolean"]})
    result = erase_author(db.session, email, keep_comments=keep, actor=g.moderator.name)
    return jsonify({"erased": result})
