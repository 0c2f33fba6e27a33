"""Public comments API: parse, call the service, serialize."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from engage.articles import check_article_url
from engage.comments import service, thread_cache
from engage.comments.public import public_comment, public_comments
from engage.comments.schemas import CommentInputSchema, ThreadQuerySchema
from engage.db import db, utcnow
from engage.errors import ValidationFailed
from engage.web.json_body import json_body, load, load_args
from engage.web.request_info import client_ip_prefix, links_follow_host, public_base_url
from engage.web.site_param import site_param
from engage.comments.models import CommentStatus
from engage.participation import edits
from engage.notifications.subscriptions import service as subscriptions
from engage.moderation.settings import store as moderation_settings

bp = Blueprint("comments", __name__)

_input = CommentInputSchema()
_thread_query = ThreadQuerySchema()


@bp.get("/api/v1/comments")
def read_thread() -> Response:
    """A page of the thread in the ``sort`` asked for (service.read_thread). Built pages are kept per process (``thread_cache``) under the
    article's thread version, with an ETag hashed from the page's bytes (never from the
    version, which also counts unpublished comments), so a revalidation costs one small query
    when the page is cached (``thread_heads``: on SQLite without SQLAlchemy's per-query cost)."""
    site = site_param()
    args = load_args(_thread_query, cached=True)  # strings, ints and a frozen Cursor
    config = current_app.config
    limit = min(args["limit"] or config["COMMENTS_PAGE_SIZE"], config["COMMENTS_MAX_PAGE_SIZE"])
    options = moderation_settings.current(db.session, config, site=site.id).options
    head = thread_cache.heads_of(current_app).head(args["article"], utcnow(),
                                                   options.auto_close_days, site.id)
    base = public_base_url()
    if head is None:
        page = thread_cache.Page.of(_empty_thread(args["article"]))
    else:
        key = (head.article_id, head.version, head.closed, args["sort"], args["cursor"], limit,
               base)
        pages = thread_cache.pages_of(current_app)
        page = pages.get(key)
        if page is None:
            thread = service.read_thread(db.session, head, args["cursor"], limit, args["sort"])
            page = thread_cache.Page.of(_thread_json(thread))
            pages.put(key, page)
    if page.etag in request.if_none_match:
        return _cacheable(Response(status=304), page)
    return _cacheable(Response(page.body, mimetype="application/json"), page)


def article_url(raw: str | None, site) -> str | None:
    """The article URL sent with a comment, if it is on the site's origins (or, with the demo
    on, on engage's own, where the demo's pages are); 422 naming ``article_url`` otherwise."""
    origins = set(site.cors_origins)
    if origins and current_app.config["DEMO_ENABLED"]:
        origins.add(request.host_url.rstrip("/"))
    try:
        return check_article_url(raw, origins)
    except ValueError as error:
        raise ValidationFailed("Some fields are invalid.",
                               fields={"article_url": [str(error)]}) from None


def _thread_json(thread: service.Thread) -> dict:
    return {
        "article": thread.article,
        "count": thread.count,
        "comments": public_comments(thread.comments),
        "next": str(thread.next_cursor) if thread.next_cursor else None,
        "closed": thread.closed,
    }


def _empty_thread(article: str) -> dict:
    return {"article": article, "count": 0, "comments": [], "next": None, "closed": False}


def _cacheable(response: Response, page: thread_cache.Page) -> Response:
    """Shared caches (a CDN, nginx) may keep a page only when its links are the configured
    ``PUBLIC_URL``; links built from the request's Host stay with the browser that asked."""
    # The header values as werkzeug's set_etag and cache_control would write them, without
    # parsing and re-serialising Cache-Control twice per read (a tenth of a cached read).
    scope = "private" if links_follow_host() else "public"
    response.headers.extend((
        ("ETag", page.quoted_etag),
        ("Cache-Control", f"{scope}, max-age={current_app.config['COMMENTS_CACHE_SECONDS']}")))
    return response


@bp.post("/api/v1/comments")
def post_comment():
    body = json_body()
    # The site first: its origins answer even a 422 about the other fields.
    site = site_param(body.get("site") if isinstance(body, dict) else None)
    data = load(_input, body)
    data["site"] = site.id
    base = public_base_url()  # a bad Host is refused before anything is stored
    data["article_url"] = article_url(data.get("article_url"), site)
    client = service.ClientInfo(client_ip_prefix(), request.user_agent.string or None)
    edit_key, edit_key_hash = edits.new_edit_key()
    # the notify choice is stored with the comment, in submit's transaction (its listener)
    subscriptions.ask(db.session, data["notify"], data.get("lang"))
    comment = service.submit(db.session, data, client, utcnow(), current_app.config,
                             edit_key_hash=edit_key_hash)
    # Spam and held comments get the same answer, so a spammer cannot tell which rule hit.
    published = comment.status == CommentStatus.APPROVED
    body = {"status": "approved" if published else "pending",
            "comment": public_comment(comment, base), "edit_key": edit_key,
            "edit_until": edits.edit_until(comment, current_app.config).isoformat()}
    response = jsonify(body)
    response.status_code = 201 if published else 202
    response.headers["Cache-Control"] = "no-store"
    return response
