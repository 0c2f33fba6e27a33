"""Public comments API: parse, call the service, serialize."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from engage.comments import service
from engage.comments.public import public_comment, public_comments
from engage.comments.schemas import CommentInputSchema, ThreadQuerySchema
from engage.db import db, utcnow
from engage.json_body import json_body, load, load_args
from engage.request_info import client_ip_prefix
from engage.comments.models import CommentStatus
from engage.moderation import settings as moderation_settings

bp = Blueprint("comments", __name__)

_input = CommentInputSchema()
_thread_query = ThreadQuerySchema()


@bp.get("/api/v1/comments")
def read_thread() -> Response:
    args = load_args(_thread_query)
    limit = args["limit"] or current_app.config["COMMENTS_PAGE_SIZE"]
    limit = min(limit, current_app.config["COMMENTS_MAX_PAGE_SIZE"])
    options = moderation_settings.current(db.session, current_app.config).options
    thread = service.read_thread(db.session, args["article"], args["cursor"], limit, utcnow(),
                                 options.auto_close_days)
    response = jsonify({
        "article": thread.article,
        "count": thread.count,
        "comments": public_comments(thread.comments),
        "next": str(thread.next_cursor) if thread.next_cursor else None,
        "closed": thread.closed,
    })
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["COMMENTS_CACHE_SECONDS"]
    response.add_etag()
    return response.make_conditional(request)


@bp.post("/api/v1/comments")
def post_comment():
    data = load(_input, json_body())
    client = service.ClientInfo(client_ip_prefix(), request.user_agent.string or None)
    comment = service.submit(db.session, data, client, utcnow(), current_app.config)
    # Spam and held comments get the same answer, so a spammer cannot tell which rule hit.
    published = comment.status == CommentStatus.APPROVED
    body = {"status": "approved" if published else "pending", "comment": public_comment(comment)}
    response = jsonify(body)
    response.status_code = 201 if published else 202
    response.headers["Cache-Control"] = "no-store"
    return response
