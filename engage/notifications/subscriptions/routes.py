"""``/subscriptions/confirm/{token}`` and ``/subscriptions/unsubscribe/{token}``.

- confirm (GET): confirms the address (a page). Confirming is what the reader asked for and
  changes nothing that a prefetching scanner could abuse (it cannot subscribe anyone).
- unsubscribe GET: a page with a button, changes nothing; POST: unsubscribes (the button, or a
  mail client's RFC 8058 one-click POST with ``List-Unsubscribe=One-Click``); both work
  without login, cookies or JavaScript. A removed subscription's token: a calm 200 page. A
  token that does not verify: a 404 page. Never a 500 for any token.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from engage.articles import Article
from engage.db import db, utcnow
from engage.notifications.mail.catalog import text
from engage.notifications.subscriptions import service
from engage.notifications.subscriptions.mails import title_of
from engage.notifications.subscriptions.pages import page

bp = Blueprint("subscriptions", __name__, template_folder="templates")
MAX_TOKEN = 512


def _invalid(lang: str = "en"):
    return page(text(lang, "page_invalid_title"), [text(lang, "page_invalid_body")],
                status=404, lang=lang)


@bp.get("/subscriptions/confirm/<token>")
def confirm(token: str):
    found = service.confirm(db.session, token, utcnow(), current_app.config) \
        if len(token) <= MAX_TOKEN else None
    if found is None:
        return _invalid()
    lang = found.lang
    return page(text(lang, "page_confirmed_title"), [text(lang, "page_confirmed_body")],
                lang=lang)


@bp.route("/subscriptions/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET: the page with the button (changes nothing); POST: unsubscribe (RFC 8058)."""
    posted = request.method == "POST"
    act = service.unsubscribe if posted else service.find
    found = act(db.session, token, current_app.config["SECRET_KEY"]) \
        if len(token) <= MAX_TOKEN else None
    if found is None:
        return _invalid()
    if found.subscription is None:
        return _gone()
    lang = found.lang
    if posted:
        return page(text(lang, "page_unsubscribe_title"), [text(lang, "page_unsubscribed")],
                    lang=lang)
    article = db.session.get(Article, found.subscription.article_id)
    return page(text(lang, "page_unsubscribe_title"),
                [text(lang, "page_unsubscribe_question", title=title_of(article))],
                lang=lang, button=text(lang, "unsubscribe_button"))


def _gone():
    return page(text("en", "page_unsubscribe_title"), [text("en", "page_already_gone")])
