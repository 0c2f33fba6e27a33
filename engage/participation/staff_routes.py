"""Staff actions from the queue: replies (API and page) and pins (page; the API's ``pin`` and
``unpin`` are actions of ``POST /api/v1/moderation/comments/{id}``, engage/queue/routes.py).

API (bearer token, or session + ``X-CSRF-Token``, as the rest of the moderation API):
- ``POST /api/v1/moderation/comments/<id>/reply`` ``{"body"}`` → 201 ``{"comment": public
  JSON, "item": queue item}``; 404 unknown comment, 403 off the moderator's sites, 422 a bad
  body or a comment that is not published.
Pages (the queue's one form, ``formaction`` of a card's buttons, CSRF-checked): ``POST
/moderate/reply`` (``reply=<id>``, text in ``reply-<id>``) and ``POST /moderate/pins``
(``pin=<id>:pin|unpin``), each redirecting back to the queue view with a notice.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, redirect, request, url_for

from engage.comments.public import public_comment
from engage.comments.schemas import MAX_ID, EditInputSchema
from engage.db import db, utcnow
from engage.errors import ApiError, NotFound
from engage.moderators.guards import login_required, moderator_required
from engage.participation import pins, staff
from engage.participation.edits import edits_for
from engage.queue.items import moderation_item
from engage.queue.routes import csrf_checked, refused_page, view_from
from engage.queue.service import events_for
from engage.web.json_body import json_body, load
from engage.web.request_info import public_base_url

bp = Blueprint("staff", __name__)

_reply_input = EditInputSchema()  # the same body rules as a reader's edit: 1..10000, not blank


def _comment_id(raw: int) -> int:
    if raw > MAX_ID:  # PostgreSQL would refuse the query: no comment can have this id
        raise NotFound(f"No comment with id {raw}.")
    return raw


def queue_item(comment) -> dict:
    """The queue's JSON item of one comment, with its audit events and edits."""
    return moderation_item(comment, events_for(db.session, [comment.id])[comment.id],
                           edits_for(db.session, [comment.id])[comment.id])


@bp.post("/api/v1/moderation/comments/<int:comment_id>/reply")
@moderator_required
def api_reply(comment_id: int):
    text = load(_reply_input, json_body())["body"]
    comment = staff.reply(db.session, _comment_id(comment_id), text, g.moderator, utcnow(),
                          sites=g.moderator_sites)
    response = jsonify({"comment": public_comment(comment, public_base_url()),
                        "item": queue_item(comment)})
    response.status_code = 201
    return response


@bp.post("/moderate/reply")
@login_required
@csrf_checked
def page_reply():
    back = view_from(request.form.get("view", ""))
    raw = request.form.get("reply", "")
    try:
        if not raw.isdigit():
            raise NotFound("No comment to answer.")
        text = load(_reply_input, {"body": request.form.get(f"reply-{raw}", "")})["body"]
        comment = staff.reply(db.session, _comment_id(int(raw)), text, g.moderator, utcnow(),
                              sites=g.moderator_sites)
    except ApiError as error:
        return refused_page(error)
    return redirect(url_for("queue.queue", **back, done="reply", what=f"#{comment.parent_id}"))


@bp.post("/moderate/pins")
@login_required
@csrf_checked
def page_pin():
    back = view_from(request.form.get("view", ""))
    raw, _, name = request.form.get("pin", "").partition(":")
    action = pins.parse_pin_action(name)
    try:
        if not raw.isdigit() or action is None:
            raise NotFound("No comment to pin.")
        pins.set_pinned(db.session, [_comment_id(int(raw))], action is pins.PinAction.PIN,
                        g.moderator, utcnow(), current_app.config["PINS_PER_ARTICLE"],
                        sites=g.moderator_sites)
    except ApiError as error:
        return refused_page(error)
    return redirect(url_for("queue.queue", **back, done=action.value, n=1))
