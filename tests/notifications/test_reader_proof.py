"""A confirmed mailbox as proof of identity for the trusted-author rule (engage/readers.py).

Real flow: a POST with ``notify``, the confirmation mail from a real SMTP server, its link's
page, the page's way back to the article with the token in the fragment, and the widget's
``POST /api/v1/readers/proof`` with its own reader key.
"""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from engage.comments.models import Comment
from engage.db import db
from engage.readers import address_hash, mailbox_author_key
from tests.factories import post_comment
from tests.notifications.smtp_sink import PUBLIC_URL, config_overrides, smtp_sink  # noqa: F401
from tests.notifications.test_mail_subscriptions import deliver, link

ADA, MALLORY_AS_BOB, BOB = "ada@example.org", "bob@example.net", "bob@example.net"
ARTICLE, URL = "/news/launch", "https://news.example/news/launch"
LOUD = "THIS IS A VERY LOUD COMMENT ABOUT THE LAUNCH"  # held for shouting, unless trusted
KEY_A, KEY_B, KEY_M = "A" * 43, "B" * 43, "M" * 43
SECRET = "test-secret-key"


def post(client, email, key, body, proof=None, **extra):
    token = client.get(f"/api/v1/form-token?article={ARTICLE}").get_json()["form_token"]
    payload = dict(article=ARTICLE, author_email=email, author_name="Reader", body=body,
                   reader_key=key, form_token=token, article_url=URL, **extra)
    if proof:
        payload["reader_proof"] = proof
    return post_comment(client, **payload)


def rules(answer) -> list[str]:
    comment = db.session.get(Comment, answer.get_json()["comment"]["id"])
    return [reason["rule"] for reason in comment.reasons]


def confirmation_token(app, client, smtp_sink) -> str:
    """Deliver the one confirmation mail, open its page, return the token of its way back."""
    deliver(app)
    [mail] = smtp_sink.messages
    smtp_sink.messages.clear()
    page = client.get(link(mail, "/subscriptions/confirm/"))
    assert page.status_code == 200
    back = re.search(r'href="([^"]+)"', page.get_data(as_text=True)).group(1)
    back = html.unescape(back)
    assert back.startswith(URL + "#engage-confirm=")
    return back.split("#engage-confirm=", 1)[1]


def prove(client, token, key):
    return client.post("/api/v1/readers/proof", json={"token": token, "reader_key": key})


def test_a_second_browser_that_proved_the_mailbox_shares_the_first_ones_trust(
        app, client, smtp_sink):
    first = post(client, ADA, KEY_A, "Good piece on the launch.", notify="replies")
    assert first.status_code == 201
    token = confirmation_token(app, client, smtp_sink)
    # browser B is new to engage: a loud comment from it is held
    assert post(client, ADA, KEY_B, LOUD + " ONE").status_code == 202
    proof_a, proof_b = (prove(client, token, key) for key in (KEY_A, KEY_B))
    assert proof_a.status_code == proof_b.status_code == 200
    assert proof_a.get_json()["proof"] != proof_b.get_json()["proof"]
    assert "no-store" in proof_b.headers["Cache-Control"]
    # A's approved comment moved to the mailbox's key: the history B now shares
    mailbox = mailbox_author_key(SECRET, address_hash(SECRET, ADA))
    stored = db.session.get(Comment, first.get_json()["comment"]["id"])
    db.session.refresh(stored)
    assert stored.author_key == mailbox
    trusted = post(client, ADA, KEY_B, LOUD + " TWO", proof=proof_b.get_json()["proof"])
    assert trusted.status_code == 201 and rules(trusted) == ["trusted_author"]
    assert db.session.get(Comment, trusted.get_json()["comment"]["id"]).author_key == mailbox
    # without its proof, browser B is only itself again
    assert post(client, ADA, KEY_B, LOUD + " THREE").status_code == 202


def test_the_victims_click_proves_the_victims_browser_never_the_posters(
        app, client, smtp_sink):
    assert post(client, BOB, KEY_B, "Bob's own, approved.").status_code == 201
    # Mallory posts under Bob's address from her browser and asks for mail
    assert post(client, MALLORY_AS_BOB, KEY_M, LOUD + " M1", notify="replies").status_code == 202
    token = confirmation_token(app, client, smtp_sink)  # Bob opens the mail and the page
    bobs = prove(client, token, KEY_B).get_json()["proof"]  # his widget, his key
    held = post(client, MALLORY_AS_BOB, KEY_M, LOUD + " M2")
    assert held.status_code == 202 and "trusted_author" not in rules(held)
    # Bob's proof is bound to Bob's key: in Mallory's post it is ignored
    stolen = post(client, MALLORY_AS_BOB, KEY_M, LOUD + " M3", proof=bobs)
    assert stolen.status_code == 202 and "trusted_author" not in rules(stolen)
    mailbox = mailbox_author_key(SECRET, address_hash(SECRET, BOB))
    keys = set(db.session.scalars(select(Comment.author_key)
                                  .where(Comment.body.like(LOUD + " M%"))))
    assert mailbox not in keys
    # Bob himself, with his proof, is trusted
    assert post(client, BOB, KEY_B, LOUD + " BOB", proof=bobs).status_code == 201


def test_a_bad_token_or_reader_key_is_refused_and_a_foreign_proof_does_nothing(
        app, client, smtp_sink):
    assert post(client, ADA, KEY_A, "Hello.", notify="replies").status_code == 201
    token = confirmation_token(app, client, smtp_sink)
    for bad in (token[:-2] + "xx", "not-a-token", "a" * 600):
        answer = prove(client, bad, KEY_A)
        assert answer.status_code in (404, 422) and "error" in answer.get_json()
    assert prove(client, token, "short").status_code == 422
    assert prove(client, token, "é" * 43).status_code == 422
    assert prove(client, 7, KEY_A).status_code == 422
    assert client.post("/api/v1/readers/proof", json=[token]).status_code == 422
    assert client.post("/api/v1/readers/proof", data="x",
                       content_type="text/plain").status_code == 415
    # a malformed proof on a comment is a 422; a well-formed wrong one is ignored
    assert post(client, ADA, KEY_A, "Bad proof.", proof="zz").status_code == 422
    ignored = post(client, ADA, KEY_B, LOUD, proof="0" * 64)
    assert ignored.status_code == 202


def test_a_token_of_an_address_never_confirmed_proves_nothing(app, client, smtp_sink):
    assert post(client, ADA, KEY_A, "Hello.", notify="replies").status_code == 201
    deliver(app)
    [mail] = smtp_sink.messages
    token = link(mail, "/subscriptions/confirm/").rsplit("/", 1)[1]
    assert prove(client, token, KEY_A).status_code == 404  # the page was never opened
