"""``/subscriptions/confirm/{token}`` and ``/subscriptions/unsubscribe/{token}``.

- confirm (GET): confirms the address (a page). Confirming is what the reader asked for and
  changes nothing that a prefetching scanner could abuse (it cannot subscribe anyone). When
  the article has a URL, the page links back to it with ``#engage-confirm=<token>``: the
  widget there turns the token into its browser's mailbox proof (``POST
  /api/v1/readers/proof``, engage/readers.py). A scanner that follows the link and runs the
  widget proves only its own throwaway reader key.
- ``POST /api/v1/readers/proof`` ``{"token", "reader_key", "site"?}``: 200 ``{"proof"}`` for
  a confirmation token (valid ``MAIL_CONFIRM_MAX_AGE_DAYS``) of a confirmed address; 404 for
  any other token (forged, expired, erased, not confirmed yet), 422 for bad fields. It stores
  nothing new: it moves the browser's earlier comments to the mailbox's author key.
- unsubscribe GET: a page with a button, changes nothing; POST: unsubscribes (the button, or a
  mail client's RFC 8058 one-click POST with ``List-Unsubscribe=One-Click``); both work
  without login, cookies or JavaScript. A removed subscription's token: a calm 200 page. A
  token that does not verify: a 404 page. Never a 500 for any token.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from engage.articles import Article
from engage.db import db, utcnow
from engage.errors import NotFound, ValidationFailed
from engage.readers import READER_KEY, READER_KEY_MAX, READER_KEY_MIN
from engage.web.json_body import json_body
from engage.web.site_param import site_param
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
    article = db.session.get(Article, found.subscription.article_id) \
        if found.subscription is not None else None
    link = None
    if article is not None and article.url:
        link = (f"{article.url.split('#')[0]}#engage-confirm={token}",
                text(lang, "page_back_to_article"))
    return page(text(lang, "page_confirmed_title"), [text(lang, "page_confirmed_body")],
                lang=lang, link=link)


@bp.post("/api/v1/readers/proof")
def reader_proof():
    body = json_body()
    site_param(body.get("site") if isinstance(body, dict) else None)  # its origins answer
    if not isinstance(body, dict):
        raise ValidationFailed("Send a JSON object.")
    token, reader_key = body.get("token"), body.get("reader_key")
    errors = {}
    if not isinstance(token, str) or not 1 <= len(token) <= MAX_TOKEN:
        errors["token"] = [f"the confirmation token, 1 to {MAX_TOKEN} characters"]
    if (not isinstance(reader_key, str) or not READER_KEY_MIN <= len(reader_key) <= READER_KEY_MAX
            or not READER_KEY.fullmatch(reader_key)):
        errors["reader_key"] = [f"{READER_KEY_MIN} to {READER_KEY_MAX} characters of A-Z, a-z, "
                                "0-9, - and _"]
    if errors:
        raise ValidationFailed("Some fields are invalid.", fields=errors)
    proof = service.prove(db.session, token, reader_key, current_app.config)
    if proof is None:
        raise NotFound("This confirmation link is not valid, or has expired.")
    response = jsonify({"proof": proof})
    response.headers["Cache-Control"] = "no-store"
    return response


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
