"""``GET/POST /moderate/act/{token}?action=approve|reject|spam``: the links in moderator mail.

GET shows the comment and a confirm button and changes nothing (mail scanners and link
prefetchers follow GETs). POST decides, as the link's moderator, once. Answers: a forged or
mismatched token 404; an expired or used link 410 (nothing changes); a comment someone
decided after the mail went out: a 200 page saying who decided what; a moderator who may no
longer decide there: 403. No login: the signed token is the credential, bound to one
moderator, comment and action.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request

from engage.db import db, utcnow
from engage.notifications.alerts import links, service
from engage.notifications.subscriptions.pages import page

bp = Blueprint("moderator_links", __name__)
MAX_TOKEN = 512
_VERB = {"approve": "Approve", "reject": "Reject", "spam": "Mark as spam"}


def _read():
    token = request.view_args["token"]
    if len(token) > MAX_TOKEN:
        raise links.BadLink()
    return links.read(current_app.config["SECRET_KEY"], token, request.args.get("action"),
                      utcnow(), int(current_app.config["MAIL_LINK_MAX_AGE_DAYS"]))


def _refused(error: Exception):
    if isinstance(error, links.ExpiredLink):
        return page("Link expired", ["This link has expired; decide in the queue instead."],
                    status=410)
    return page("Link not valid", ["This link is not valid."], status=404)


def _already(comment):
    by = f" by {comment.decided_by}" if comment.decided_by else ""
    return page("Already decided", [f"This comment is already {comment.status.value}{by}.",
                                    "Nothing was changed."], quote_html=comment.body_html)


@bp.get("/moderate/act/<token>")
def confirm_page(token: str):
    try:
        link = _read()
    except (links.BadLink, links.ExpiredLink) as error:
        return _refused(error)
    if service.was_used(db.session, link):
        return page("Link used", ["This link was used already; it works once."], status=410)
    moderator, comment = service.load(db.session, link)
    if moderator is None or comment is None:
        return page("Gone", ["This comment or account no longer exists."], status=410)
    if service.decided_since(comment, link):
        return _already(comment)
    article = comment.article
    return page(f"{_VERB[link.action]} this comment?",
                [f"{comment.author_name} <{comment.author_email}> on "
                 f"“{article.title or article.key}” (now {comment.status.value}).",
                 f"Acting as {moderator.name}."],
                quote_html=comment.body_html, button=_VERB[link.action])


@bp.post("/moderate/act/<token>")
def decide(token: str):
    try:
        link = _read()
    except (links.BadLink, links.ExpiredLink) as error:
        return _refused(error)
    outcome = service.decide_by_link(db.session, link, utcnow())
    if outcome.state == "decided":
        return page("Done", [f"The comment is now {outcome.comment.status.value}."],
                    quote_html=outcome.comment.body_html)
    if outcome.state == "already":
        return _already(outcome.comment)
    if outcome.state == "used":
        return page("Link used", ["This link was used already; it works once."], status=410)
    if outcome.state == "forbidden":
        return page("Not allowed", ["Your account may not decide on this comment."], status=403)
    return page("Gone", ["This comment or account no longer exists."], status=410)
