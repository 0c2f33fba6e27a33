"""Reader actions on one comment: vote, and (with the post's edit key) edit or delete.

Every answer is ``no-store``: it is about one reader. Errors follow the API's one shape: 404
for a comment that is not published on the site named (a held one looks like none), 422 for a
bad body, 403 for a missing, wrong or expired edit key, 429 past the vote allowance.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from engage.comments.models import CommentStatus
from engage.comments.public import public_comment
from engage.comments.schemas import MAX_ID, EditInputSchema, VoteInputSchema
from engage.db import db, utcnow
from engage.errors import NotFound
from engage.participation import edits, votes
from engage.participation.visitor import request_visitor
from engage.web.json_body import json_body, load
from engage.web.request_info import public_base_url
from engage.web.site_param import site_param

bp = Blueprint("participation", __name__)

_vote_input = VoteInputSchema()
_edit_input = EditInputSchema()
_ID = "<int(signed=False):comment_id>"


def _no_store(response, status: int = 200):
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _existing_id(comment_id: int) -> int:
    """404 for an id no comment can have (ids are 32-bit: PostgreSQL would refuse the query)."""
    if comment_id > MAX_ID:
        raise NotFound("There is no comment with this id.")
    return comment_id


def _body_and_site():
    body = json_body()
    site = site_param(body.get("site") if isinstance(body, dict) else None)
    return body, site


@bp.post(f"/api/v1/comments/{_ID}/votes")
def vote(comment_id: int):
    """``{"value": 1|-1|0}`` → ``{"score", "up", "down"}``."""
    _existing_id(comment_id)
    body, site = _body_and_site()
    value = load(_vote_input, body)["value"]
    now = utcnow()
    tally = votes.cast(db.session, comment_id, site.id, request_visitor(now), value, now,
                       current_app.config["VOTES_PER_NETWORK_HOUR"])
    return _no_store(jsonify(tally.as_dict()))


def _edit_key() -> str | None:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" and key.strip() else None


@bp.patch(f"/api/v1/comments/{_ID}")
def edit(comment_id: int):
    """``{"body"}`` → 200 ``{"status": "approved", "comment"}``, or 202 ``{"status":
    "pending", ...}`` when the edit is held (as for a post: spam looks the same)."""
    _existing_id(comment_id)
    body, site = _body_and_site()
    text = load(_edit_input, body)["body"]
    now = utcnow()
    comment = edits.authorized_comment(db.session, comment_id, site.id, _edit_key(), now,
                                       current_app.config)
    comment = edits.edit(db.session, comment, text, now, current_app.config)
    published = comment.status == CommentStatus.APPROVED
    answer = {"status": "approved" if published else "pending",
              "comment": public_comment(comment, public_base_url())}
    return _no_store(jsonify(answer), 200 if published else 202)


@bp.delete(f"/api/v1/comments/{_ID}")
def delete(comment_id: int):
    """→ 200 ``{"deleted": true, "kept_for_replies": bool}``."""
    _existing_id(comment_id)
    site = site_param()
    now = utcnow()
    comment = edits.authorized_comment(db.session, comment_id, site.id, _edit_key(), now,
                                       current_app.config)
    gone = edits.remove(db.session, comment, now)
    return _no_store(jsonify({"deleted": True, "kept_for_replies": not gone}))
