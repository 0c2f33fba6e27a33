"""The moderator queue page (``/moderate``, HTML forms) and the moderation API.

API (bearer token or logged-in session, see ``guards.moderator_required``):
- ``GET  /api/v1/moderation/comments?status=&article=&q=&order=&cursor=&limit=``
  → ``{"comments": [...], "next": cursor|null, "counts": {status: n, "all": n}}``
  ``&reported=1``: the Reported tab (comments with open reports, every status unless
  ``status`` is given; ``engage.participation.report_queue``); every item carries its open
  ``reports`` and ``report_count``, and ``counts`` has ``reported``.
- ``POST /api/v1/moderation/comments/<id>``  ``{"action", "note"?, "statement"?}`` → ``{"comment", "counts"}``
- ``POST /api/v1/moderation/comments/bulk``  ``{"ids", "action", "note"?, "statement"?}`` → ``{"comments", "counts"}``
  ``action`` is a decision or ``dismiss_reports`` (the reports close, the comment stays);
  ``statement`` ``{"ground": "law"|"rules", "text"}`` is the statement of reasons stored with
  the comment's illegal-content notices (DSA art. 17) when a decision closes them.
- ``POST /api/v1/moderation/comments/<id>/block``  ``{"kind": "email"|"domain"|"ip"}``
  → ``{"blocked": {"kind", "value"}, "marked": n, "counts"}``
Unknown id 404, unknown action 422, malformed JSON 400, wrong content type 415.

Pages work without JavaScript: the queue is one form; per-card buttons post ``one=<id>:<action>``
or ``block=<id>:<kind>``, bulk buttons post ``action`` with the checked ``ids``. After a post the
browser is redirected back to the same queue view (post/redirect/get).
"""

from __future__ import annotations

import functools
from dataclasses import replace
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for

from engage.db import db, utcnow
from engage.errors import ApiError, Forbidden, ValidationFailed
from engage.web.json_body import json_body
from engage.moderators import sessions
from engage.moderators.guards import (check_every_site, check_site, login_required,
                                     moderator_required)
from engage.participation import pins
from engage.participation.edits import edits_for
from engage.participation import report_actions
from engage.moderators.routes import PAGE_CSP  # also keeps comment bodies from loading trackers
from engage.queue.blocking import BLOCK_KINDS, block_author, parse_block_kind
from engage.queue import suspensions
from engage.queue.service import (Decision, QueueQuery, events_for,
                                  queue_page)
from engage.moderation.settings.options import ModerationMode
from engage.queue.counts import status_counts
from engage.site_directory import site_directory
from engage.queue.items import (ALL, LINK_RULES, RULE_LABELS, WORD_RULES,
                                           highlight_words, moderation_item, parse_queue_args)

bp = Blueprint("queue", __name__)

VIEW_KEYS = ("status", "reported", "site", "article", "q", "order", "limit")  # filters kept across pages and posts
MAX_BULK = 500
MAX_NOTE = 1000
NOTICES = {
    "approve": "Approved {n}.", "reject": "Rejected {n}.", "spam": "Marked {n} as spam.",
    "pending": "Moved {n} back to pending.", "block": "Blocked {what}; {n} comments marked spam.",
    "none": "Select at least one comment first.",
    "closed": "Closed comments on {what}.", "reopened": "Reopened comments on {what}.",
    "mode": "Changed the moderation mode of {what}.",
    "reply": "Published your staff reply to {what}.", "pin": "Pinned {n}.",
    "unpin": "Unpinned {n}.", "suspended": "Suspended {what}.", "lifted": "Lifted {what}.",
    "dismiss_reports": "Dismissed the reports of {n}.",
}
TEMPLATE_CONSTANTS = {
    "decisions": list(Decision),
    "action_labels": {"approve": "Approve", "reject": "Reject", "spam": "Spam",
                      "pending": "Pending"},
    "block_kinds": BLOCK_KINDS,
    "block_labels": {"email": "email", "domain": "domain", "ip": "IP"},
    "rule_labels": RULE_LABELS,
    "word_rules": WORD_RULES,
    "link_rules": LINK_RULES,
    "article_modes": [mode.value for mode in ModerationMode],
    # the card's suspension lengths, in hours, with their labels
    "suspension_hours": [(1, "1 hour"), (24, "1 day"), (72, "3 days"), (168, "1 week"),
                         (720, "30 days"), (8760, "1 year")],
    "report_labels": report_actions.REASON_LABELS,
}


@bp.after_request
def _page_headers(response):
    if not request.path.startswith("/api/"):
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    response.headers["Cache-Control"] = "no-store"
    return response


def _page_size() -> int:
    return int(current_app.config["MODERATION_PAGE_SIZE"])


# --- API ------------------------------------------------------------------------------------

@bp.get("/api/v1/moderation/comments")
@moderator_required
def api_list():
    query = _scoped(parse_queue_args(report_actions.queue_args(request.args), _page_size()))
    page = (report_actions.page(db.session, query) if report_actions.wants_reported(request.args)
            else queue_page(db.session, query))
    ids = [c.id for c in page.comments]
    history, reported = edits_for(db.session, ids), report_actions.reports_for(db.session, ids)
    return jsonify({
        "comments": [{**moderation_item(c, page.events.get(c.id, []), history[c.id]),
                      **reported[c.id]} for c in page.comments],
        "next": page.next_cursor,
        "counts": report_actions.with_reported(db.session, _with_all(page.counts),
                                               g.moderator_sites),
    })


@bp.post("/api/v1/moderation/comments/<int:comment_id>")
@moderator_required
def api_decide(comment_id: int):
    data = _json_object()
    if pins.parse_pin_action(data.get("action")) is not None:
        comment = _pin(data, [comment_id])[0]
        return jsonify({"comment": _item(comment), "counts": _counts()})
    comment = report_actions.act(db.session, [comment_id], data, g.moderator, _note(data.get("note")),
                                 g.moderator_sites)[0]
    return jsonify({"comment": _item(comment), "counts": _counts()})


@bp.post("/api/v1/moderation/comments/bulk")
@moderator_required
def api_bulk():
    data = _json_object()
    ids = data.get("ids")
    if (not isinstance(ids, list) or not ids or len(ids) > MAX_BULK
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)):
        raise ValidationFailed("ids must be a list of 1 to 500 comment ids.",
                               fields={"ids": [f"a list of 1 to {MAX_BULK} integers"]})
    if pins.parse_pin_action(data.get("action")) is not None:
        return jsonify({"comments": [_item(c) for c in _pin(data, ids)], "counts": _counts()})
    comments = report_actions.act(db.session, ids, data, g.moderator, _note(data.get("note")),
                                  g.moderator_sites)
    return jsonify({"comments": [_item(c) for c in comments], "counts": _counts()})


@bp.post("/api/v1/moderation/comments/<int:comment_id>/block")
@moderator_required
def api_block(comment_id: int):
    check_every_site()  # the blocklist applies to every site
    data = _json_object()
    outcome = block_author(db.session, comment_id, parse_block_kind(data.get("kind")),
                           g.moderator, utcnow())
    return jsonify({"blocked": {"kind": outcome.kind.value, "value": outcome.value},
                    "marked": outcome.marked, "counts": _counts()})


def _pin(data: dict, ids: list[int]):
    """The ``pin``/``unpin`` actions (engage/participation/pins.py): no status change."""
    pinned = pins.parse_pin_action(data.get("action")) is pins.PinAction.PIN
    return pins.set_pinned(db.session, ids, pinned, g.moderator, utcnow(),
                           current_app.config["PINS_PER_ARTICLE"], sites=g.moderator_sites)


def _json_object() -> dict:
    data = json_body()
    if not isinstance(data, dict):
        raise ValidationFailed("Expected a JSON object.")
    return data


def _note(raw) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or len(raw) > MAX_NOTE:
        raise ValidationFailed("note must be a string of at most 1000 characters.",
                               fields={"note": [f"a string of at most {MAX_NOTE} characters"]})
    return raw.strip() or None


def _item(comment):
    return {**moderation_item(comment, events_for(db.session, [comment.id])[comment.id],
                              edits_for(db.session, [comment.id])[comment.id]),
            **report_actions.reports_for(db.session, [comment.id])[comment.id]}


def _scoped(query: QueueQuery) -> QueueQuery:
    """The query limited to the moderator's sites; 403 for a site filter outside them."""
    if query.site is not None:
        check_site(query.site)
    return replace(query, sites=g.moderator_sites)


def _counts() -> dict[str, int]:
    return report_actions.with_reported(
        db.session, _with_all(status_counts(db.session, sites=g.moderator_sites)),
        g.moderator_sites)


def _with_all(counts: dict[str, int]) -> dict[str, int]:
    return {**counts, ALL: sum(counts.values())}


# --- pages ----------------------------------------------------------------------------------

@bp.get("/moderate")
@login_required
def queue():
    try:
        query = _scoped(parse_queue_args(report_actions.queue_args(request.args), _page_size()))
    except (ValidationFailed, Forbidden) as error:
        return render_template("moderation/error.html", title="Bad filter",
                               message=error.message, fields=error.fields), (
                                   403 if isinstance(error, Forbidden) else 400)
    reported_tab = report_actions.wants_reported(request.args)
    page = report_actions.page(db.session, query) if reported_tab else queue_page(db.session, query)
    view = {key: value for key, value in request.args.items()
            if key in VIEW_KEYS and value}
    return render_template(
        "moderation/queue.html", page=page, query=query,
        counts=report_actions.with_reported(db.session, _with_all(page.counts), g.moderator_sites),
        items=[(c, page.events.get(c.id, []), highlight_words(c)) for c in page.comments],
        reports=report_actions.card_reports(db.session, [c.id for c in page.comments]),
        status_tab="reported" if reported_tab else query.status.value if query.status else ALL,
        view=view,
        sites=[site for site in site_directory().all()
               if g.moderator_sites is None or site.id in g.moderator_sites],
        view_qs=urlencode(view), next_url=_next_url(view, page.next_cursor),
        notice=_notice(), **TEMPLATE_CONSTANTS,
        # suspensions apply to every site: only accounts of every site see and set them
        suspensions=(suspensions.active(db.session, utcnow())
                     if g.moderator_sites is None else None))


def _next_url(view: dict, cursor: int | None) -> str | None:
    if cursor is None:
        return None
    return url_for(".queue", **view, cursor=cursor)


def _notice() -> str | None:
    template = NOTICES.get(request.args.get("done", ""))
    if template is None:
        return None
    return template.format(n=request.args.get("n", "0")[:6],
                           what=request.args.get("what", "the author")[:300])


def csrf_checked(view):
    """Guard a page's form post: without the session's CSRF token, the 403 page."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if sessions.check_csrf(g.csrf_token, request.form.get("csrf_token")):
            return view(*args, **kwargs)
        return render_template("moderation/error.html", title="Request refused",
                               message="The form's security token is missing or wrong. "
                                       "Go back, reload the page and try again."), 403

    return wrapper


def refused_page(error: ApiError):
    """The error page of a form post the service refused (nothing of it is kept)."""
    db.session.rollback()
    return render_template("moderation/error.html", title="Could not do that",
                           message=error.message, fields=error.fields), error.status


@bp.post("/moderate/actions")
@login_required
@csrf_checked
def queue_actions():
    back = view_from(request.form.get("view", ""))
    try:
        if request.form.get("block"):
            check_every_site()  # the blocklist applies to every site
            comment_id, _, kind = request.form["block"].partition(":")
            outcome = block_author(db.session, int(comment_id), parse_block_kind(kind),
                                   g.moderator, utcnow())
            return redirect(url_for(".queue", **back, done="block", n=outcome.marked,
                                    what=f"{outcome.kind.value} {outcome.value}"))
        if request.form.get("one"):
            comment_id, _, action = request.form["one"].partition(":")
            ids = [int(comment_id)]
        else:
            action = request.form.get("action", "")
            field = "page_ids" if request.form.get("scope") == "page" else "ids"
            ids = [int(value) for value in request.form.getlist(field)]
        if not ids:
            return redirect(url_for(".queue", **back, done="none"))
        report_actions.act(db.session, ids, {"action": action}, g.moderator,
                           (request.form.get("note") or "").strip()[:MAX_NOTE] or None,
                           g.moderator_sites)
    except (ValueError, ApiError) as error:
        db.session.rollback()
        message = error.message if isinstance(error, ApiError) else "Malformed form."
        return render_template("moderation/error.html", title="Could not do that",
                               message=message), getattr(error, "status", 400)
    return redirect(url_for(".queue", **back, done=action, n=len(ids)))


def view_from(raw: str) -> dict[str, str]:
    """The queue filters to return to, from the form's hidden ``view`` (a query string)."""
    return {key: value for key, value in parse_qsl(raw)[:8]
            if key in VIEW_KEYS}
