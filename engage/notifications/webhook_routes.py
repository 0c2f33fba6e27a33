"""The webhooks API (admins; moderators and analysts get 403).

- ``GET /api/v1/moderation/webhooks[?site=S]`` → ``{"webhooks": [webhook, …]}`` (no secrets)
- ``POST /api/v1/moderation/webhooks`` ``{"url", "events": […], "format"?: "engage"|"slack",
  "site"?}`` → 201 webhook with its ``secret`` (shown this once); 422 for a bad field, a URL
  that is not http(s) or resolves to a non-public address (``url_guard``), an unknown site;
  409 when the site has ``WEBHOOKS_MAX_PER_SITE`` webhooks already
- ``DELETE /api/v1/moderation/webhooks/<id>`` → 204; 404 when there is none
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from engage.db import db, utcnow
from engage.errors import Conflict, NotFound, ValidationFailed
from engage.moderators.guards import admin_required
from engage.notifications import webhook_cache
from engage.notifications.events import EVENTS
from engage.notifications.models import Webhook, new_id
from engage.notifications.signing import new_secret
from engage.notifications.url_guard import MAX_URL_CHARS, RefusedUrl, check
from engage.notifications.webhooks import FORMATS
from engage.sites import DEFAULT_SITE, MAX_SITE_ID, get_site
from engage.web.json_body import json_body, load

bp = Blueprint("webhooks", __name__)


class WebhookInput(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=MAX_URL_CHARS))
    events = fields.List(fields.String(validate=validate.OneOf(EVENTS)), required=True,
                         validate=validate.Length(min=1, max=len(EVENTS)))
    format = fields.String(load_default="engage", validate=validate.OneOf(FORMATS))
    site = fields.String(load_default=DEFAULT_SITE, validate=validate.Length(min=1, max=MAX_SITE_ID))


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/v1/moderation/webhooks")
@admin_required
def api_list():
    query = select(Webhook).order_by(Webhook.created_at, Webhook.id)
    site = request.args.get("site")
    if site:
        query = query.where(Webhook.site_id == site[:MAX_SITE_ID])
    return jsonify({"webhooks": [hook.as_dict() for hook in db.session.scalars(query)]})


@bp.post("/api/v1/moderation/webhooks")
@admin_required
def api_create():
    values = load(WebhookInput(), json_body())
    if get_site(db.session, values["site"]) is None:
        raise ValidationFailed("Some fields are invalid.",
                               fields={"site": [f"There is no site {values['site']!r}."]})
    try:
        check(values["url"], bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"]))
    except RefusedUrl as refused:
        raise ValidationFailed("Some fields are invalid.", fields={"url": [str(refused)]}) from None
    limit = int(current_app.config["WEBHOOKS_MAX_PER_SITE"])
    count = db.session.scalar(select(func.count()).select_from(Webhook)
                              .where(Webhook.site_id == values["site"]))
    if count >= limit:
        raise Conflict(f"A site can have at most {limit} webhooks.", code="webhook_limit")
    hook = Webhook(id=new_id(), site_id=values["site"], url=values["url"],
                   events=sorted(set(values["events"])), format=values["format"],
                   secret=new_secret(), created_by=g.moderator.name[:64], created_at=utcnow())
    db.session.add(hook)
    db.session.commit()
    webhook_cache.forget(current_app)
    return jsonify(hook.as_dict(with_secret=True)), 201


@bp.delete("/api/v1/moderation/webhooks/<hook_id>")
@admin_required
def api_delete(hook_id: str):
    hook = db.session.get(Webhook, hook_id[:32])
    if hook is None:
        raise NotFound("There is no such webhook.")
    db.session.delete(hook)
    db.session.commit()
    webhook_cache.forget(current_app)
    return "", 204
