"""``GET /api/v1/stream?site=S&article=K``: server-sent events of one article's thread.

Events: ``comment`` (the comment's public JSON, as in a thread read, when it is published or
changes while published), ``remove`` (``{"id"}``: a published comment no longer is),
``resync`` (the events a resuming client asked for are gone: re-read the thread). Event ids
grow; the browser sends the last one back as ``Last-Event-ID`` when it reconnects (or a
client passes ``last_event_id``), and what it missed is replayed. Comment lines (``:``) are
heartbeats.

Bad input: unknown site → 404, bad article or event id → 422, too many streams → 429. Where
this process serves no streams (``LIVE_STREAMS``, see ``engage.live.hub``), 204: browsers'
EventSource then stops reconnecting, and the widget falls back to its periodic check.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from marshmallow import EXCLUDE, Schema, fields, validate

from engage.articles import find_article
from engage.comments.schemas import ArticleKey
from engage.db import db
from engage.errors import ValidationFailed
from engage.live.hub import live_hub
from engage.web.json_body import load_args
from engage.web.request_info import client_ip_prefix, public_base_url
from engage.web.site_param import site_param

bp = Blueprint("live", __name__)
MAX_EVENT_ID = 2**63 - 1  # live_events ids are 64-bit


class StreamQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    article = ArticleKey(required=True)
    site = fields.String(load_default=None)  # checked by web.site_param
    last_event_id = fields.Integer(load_default=None, validate=validate.Range(min=0, max=MAX_EVENT_ID))


_query = StreamQuerySchema()


@bp.get("/api/v1/stream")
def stream() -> Response:
    site = site_param()
    args = load_args(_query)
    last_event_id = _last_event_id(args["last_event_id"])
    hub = live_hub()
    if not hub.enabled():
        return Response(status=204, headers={"Cache-Control": "no-store"})
    article = find_article(db.session, args["article"], site.id)
    body = hub.open((site.id, args["article"]), article.id if article else None,
                    client_ip_prefix(), public_base_url(), last_event_id)
    # The stream holds no database connection while it waits.
    db.session.remove()
    response = Response(body, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def _last_event_id(from_query: int | None) -> int | None:
    """The query's ``last_event_id``, else the ``Last-Event-ID`` header the browser resends."""
    if from_query is not None:
        return from_query
    raw = request.headers.get("Last-Event-ID", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_EVENT_ID:
        raise ValidationFailed("Invalid Last-Event-ID.",
                               fields={"Last-Event-ID": ["must be an event id"]})
    return int(raw)
