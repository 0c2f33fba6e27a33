"""The widget's side of the mailbox proof, in real headless Chromium against ``engage serve``:
an article page opened with ``#engage-confirm=<token>`` (the confirmation page's way back)
drops the fragment from the address bar, keeps the proof for its own reader key, and sends it
with the next comment, which the server files under the mailbox's author key."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engage import create_app
from engage.comments.models import Comment
from engage.db import db, utcnow
from engage.notifications.subscriptions import tokens
from engage.notifications.subscriptions.models import MailAddress
from engage.readers import address_hash, mailbox_author_key
from tests.widget.test_widget_browser import (fill_form, live_server_config, reader, site,
                                              site_url, submit, unique_article)

pytestmark = pytest.mark.browser
__all__ = ["live_server_config", "reader", "site"]  # fixtures shared with the widget tests

EMAIL = "ada@example.org"


def confirmed_token(server) -> str:
    """A confirmation token of ``EMAIL``, confirmed (as the mail's page does)."""
    app = create_app(server.settings)
    secret = server.settings["SECRET_KEY"]
    with app.app_context():
        key = address_hash(secret, EMAIL)
        db.session.add(MailAddress(address_hash=key, confirmed_at=utcnow()))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return tokens.confirm_token(secret, key)


def test_the_fragment_becomes_this_browsers_proof_and_goes_with_its_comment(
        live_server, site, reader):
    article = unique_article("proof")
    token = confirmed_token(live_server)
    sent = []
    reader.page.on("request", lambda request: sent.append(request.post_data)
                   if request.method == "POST" and request.url.endswith("/api/v1/comments")
                   else None)
    with reader.page.expect_response(lambda r: "/api/v1/readers/proof" in r.url) as proved:
        page = reader.open(site_url(site, live_server.url, article) + f"#engage-confirm={token}")
    assert proved.value.status == 200
    assert "engage-confirm" not in page.url  # the token left the address bar and history
    page.wait_for_function("localStorage.getItem('engage:proof') !== null")
    proof = page.evaluate("localStorage.getItem('engage:proof')")
    assert re.fullmatch(r"[0-9a-f]{64}", proof or "")
    fill_form(page, "Proven by my mailbox, from the widget.", email=EMAIL)
    submit(page)
    expect(page.locator("li.engage-comment", has_text="Proven by my mailbox")).to_be_visible()
    [payload] = [json.loads(data) for data in sent]
    assert payload["reader_proof"] == proof and payload["reader_key"]
    app = create_app(live_server.settings)
    with app.app_context():
        stored = db.session.scalar(select(Comment.author_key)
                                   .where(Comment.body == "Proven by my mailbox, from the widget."))
        db.session.remove()
        db.engine.dispose()
    secret = live_server.settings["SECRET_KEY"]
    assert stored == mailbox_author_key(secret, address_hash(secret, EMAIL))
    reader.assert_clean()
