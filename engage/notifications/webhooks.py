"""The "webhook" channel: one signed POST per message.

Contract (DESIGN.md §3): body ``{"id", "type", "created_at", "site", "article": {"key",
"title", "url"}, "comment": {public fields, "status"}}`` (``id`` = the message id), or for
``format = slack`` ``{"text": …}``; headers ``Engage-Event``, ``Engage-Delivery`` (the message
id, the same on every retry) and ``Engage-Signature`` (``signing``). Outcomes: 2xx delivered;
408, 429, 5xx, a timeout, a refused connection or an answer that is not HTTP → ``RetryLater``;
another 3xx/4xx (redirects are not followed), a deleted webhook or a URL the SSRF guard now
refuses → ``Undeliverable``.
"""

from __future__ import annotations

import html
import json
import re

from flask import Flask

from engage.db import db
from engage.notifications.delivery import RetryLater, Undeliverable, register_channel
from engage.notifications.http_post import post
from engage.notifications.models import OutboxMessage, Webhook
from engage.notifications.signing import signature
from engage.notifications.url_guard import RefusedUrl, check
from engage.version import __version__

FORMATS = ("engage", "slack")
SLACK_EXCERPT_CHARS = 300
_TAG = re.compile(r"<[^>]*>")
_RETRYABLE = {408, 425, 429}


def send(app: Flask, message: OutboxMessage) -> None:
    payload = message.payload
    hook = db.session.get(Webhook, payload.get("webhook"))
    if hook is None:
        raise Undeliverable("the webhook was deleted")
    secret, url, form = hook.secret, hook.url, hook.format
    db.session.remove()  # no connection held while waiting for the receiver
    try:
        target = check(url, bool(app.config["WEBHOOKS_ALLOW_PRIVATE"]))
    except RefusedUrl as refused:
        raise Undeliverable(str(refused)) from None
    event = payload["event"]
    body = json.dumps(request_body(message.id, event, form), ensure_ascii=False,
                      separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "User-Agent": f"engage/{__version__}",
               "Engage-Event": event["type"], "Engage-Delivery": message.id,
               "Engage-Signature": signature(secret, body)}
    try:
        status, _ = post(target, body, headers, float(app.config["WEBHOOKS_TIMEOUT_SECONDS"]))
    except Exception as error:  # timeouts, resets, garbage answers: the receiver may recover
        raise RetryLater(f"{type(error).__name__}: {error}") from None
    if 200 <= status < 300:
        return
    if status >= 500 or status in _RETRYABLE:
        raise RetryLater(f"the receiver answered {status}")
    raise Undeliverable(f"the receiver answered {status}")


def request_body(message_id: str, event: dict, form: str) -> dict:
    if form == "slack":
        return {"text": slack_text(event)}
    return {"id": message_id, **event}


def slack_text(event: dict) -> str:
    """One line for Slack/Mattermost incoming webhooks (their &, <, > escaped)."""
    comment, article = event["comment"], event["article"]
    text = html.unescape(_TAG.sub(" ", comment.get("body_html") or ""))
    text = " ".join(text.split())
    if len(text) > SLACK_EXCERPT_CHARS:
        text = text[:SLACK_EXCERPT_CHARS - 1] + "…"
    where = article.get("title") or article.get("key")
    line = f"[{event['type']}] {comment.get('author_name')} on “{where}”"
    if article.get("url"):
        line += f" ({article['url']})"
    return _slack_escape(f"{line}: {text}")


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def init_app(app: Flask) -> None:
    register_channel("webhook", send)
