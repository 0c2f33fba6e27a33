"""Suspensions over HTTP (engage/queue/suspensions.py has the contract).

API (bearer token, or session + ``X-CSRF-Token``; admins and moderators of every site: a
suspension applies to every site, as the blocklist does, so an account limited to some → 403):
- ``POST /api/v1/moderation/suspensions`` ``{"kind", "value", "hours", "shadow"?, "reason"}``
  → 201 ``{"suspension"}``; 422 for a bad field.
- ``GET /api/v1/moderation/suspensions`` → ``{"suspensions": [...]}``, the active ones.
- ``DELETE /api/v1/moderation/suspensions/<id>`` → ``{"suspension"}`` (lifted); 404 when it is
  not active.
Pages (the queue's form, CSRF-checked): ``POST /moderate/suspensions`` (a card's
``suspend=<comment id>:email|network`` with ``suspend-hours-<id>``, ``suspend-shadow-<id>``,
``suspend-reason-<id>``) and ``POST /moderate/suspensions/lift`` (``lift=<id>``), each
redirecting back to the queue with a notice.
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, redirect, request, url_for

from engage.db import db, utcnow
from engage.errors import ApiError, NotFound
from engage.moderators.guards import check_every_site, login_required, moderator_required
from engage.queue import suspensions
from engage.queue.routes import csrf_checked, refused_page, view_from
from engage.queue.service import get_comment
from engage.queue.suspension_models import SuspensionKind
from engage.web.json_body import json_body

bp = Blueprint("suspensions", __name__)


def _max_hours() -> int:
    return int(current_app.config["SUSPENSION_MAX_HOURS"])


@bp.post("/api/v1/moderation/suspensions")
@moderator_required
def api_suspend():
    check_every_site()
    wanted = suspensions.parse_request(json_body(), _max_hours())
    suspension = suspensions.suspend(db.session, wanted, g.moderator, utcnow())
    response = jsonify({"suspension": suspensions.as_dict(suspension)})
    response.status_code = 201
    return response


@bp.get("/api/v1/moderation/suspensions")
@moderator_required
def api_list():
    check_every_site()
    return jsonify({"suspensions": [suspensions.as_dict(s)
                                    for s in suspensions.active(db.session, utcnow())]})


@bp.delete("/api/v1/moderation/suspensions/<int(signed=False):suspension_id>")
@moderator_required
def api_lift(suspension_id: int):
    check_every_site()
    suspension = suspensions.lift(db.session, suspension_id, g.moderator, utcnow())
    return jsonify({"suspension": suspensions.as_dict(suspension)})


@bp.post("/moderate/suspensions")
@login_required
@csrf_checked
def page_suspend():
    back = view_from(request.form.get("view", ""))
    raw, _, kind = request.form.get("suspend", "").partition(":")
    try:
        check_every_site()
        if not raw.isdigit() or int(raw) >= 2**31 or kind not in ("email", "network"):
            raise NotFound("No author to suspend.")
        comment = get_comment(db.session, int(raw))
        wanted = suspensions.request_from_comment(comment, SuspensionKind(kind), request.form,
                                                  _max_hours())
        suspensions.suspend(db.session, wanted, g.moderator, utcnow())
    except ApiError as error:
        return refused_page(error)
    return redirect(url_for("queue.queue", **back, done="suspended",
                            what=f"{wanted.kind.value} {wanted.value} for {wanted.hours} h"))


@bp.post("/moderate/suspensions/lift")
@login_required
@csrf_checked
def page_lift():
    back = view_from(request.form.get("view", ""))
    raw = request.form.get("lift", "")
    try:
        check_every_site()
        if not raw.isdigit() or int(raw) >= 2**31:
            raise NotFound("No suspension to lift.")
        suspension = suspensions.lift(db.session, int(raw), g.moderator, utcnow())
    except ApiError as error:
        return refused_page(error)
    return redirect(url_for("queue.queue", **back, done="lifted",
                            what=f"the suspension of {suspension.value}"))
