"""Messages that could not be delivered, for admins: an API and a small page.

- ``GET /api/v1/moderation/deliveries[?state=failed|queued|sending|delivered][&limit=N]`` →
  ``{"deliveries": [delivery, …]}``, newest first (default: failed, 100; at most 500); a
  delivery shows id, channel, state, attempts, last error and times, never the payload
  (it may hold a reader's mail)
- ``POST /api/v1/moderation/deliveries/<id>/retry`` → the delivery, queued again now with a
  fresh retry window; 404 when there is no failed delivery with that id
- ``GET /moderate/deliveries`` (page: the failed ones, a Retry button each, no script needed)
  and its form ``POST /moderate/deliveries/<id>/retry`` (session CSRF token) → 303 back
"""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from engage.db import db
from engage.errors import Forbidden, NotFound
from engage.moderators.guards import admin_required, page_guard
from engage.moderators.roles import Role
from engage.notifications.models import FAILED, STATES, OutboxMessage
from engage.notifications.outbox import retry_failed
from engage.web.json_body import load_args

bp = Blueprint("deliveries", __name__)
PAGE_SIZE = 100


class DeliveriesQuery(Schema):
    state = fields.String(load_default=FAILED, validate=validate.OneOf(STATES))
    limit = fields.Integer(load_default=PAGE_SIZE, validate=validate.Range(min=1, max=500))


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _newest(state: str, limit: int) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.state == state)
                                   .order_by(OutboxMessage.created_at.desc()).limit(limit)))


def _retry(message_id: str) -> OutboxMessage:
    message = retry_failed(db.session, message_id[:32],
                           float(current_app.config["OUTBOX_RETRY_SECONDS"]))
    if message is None:
        raise NotFound("There is no failed delivery with this id.")
    return message


@bp.get("/api/v1/moderation/deliveries")
@admin_required
def api_list():
    args = load_args(DeliveriesQuery())
    return jsonify({"deliveries": [m.as_dict() for m in _newest(args["state"], args["limit"])]})


@bp.post("/api/v1/moderation/deliveries/<message_id>/retry")
@admin_required
def api_retry(message_id: str):
    return jsonify(_retry(message_id).as_dict())


@bp.get("/moderate/deliveries")
@page_guard(Role.ADMIN)
def deliveries_page():
    return render_template("moderation/deliveries.html", failed=_newest(FAILED, PAGE_SIZE),
                           retried=request.args.get("retried"))


@bp.post("/moderate/deliveries/<message_id>/retry")
@page_guard(Role.ADMIN)
def page_retry(message_id: str):
    sent = request.form.get("csrf_token", "")
    if not hmac.compare_digest(sent.encode(), g.csrf_token.encode()):
        raise Forbidden("The form is stale; reload the page.", code="csrf_failed")
    _retry(message_id)
    return redirect(url_for("deliveries.deliveries_page", retried=message_id[:32]), 303)
