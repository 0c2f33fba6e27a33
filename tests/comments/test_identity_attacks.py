"""Issue 15, findings 1-3, performed against a running ``engage serve``: an attacker who knows
a reader's comment tries to confirm their email, to borrow their trust and to spoil it.

The attacker posts over HTTP like anyone can: any email, a free form token, any network (the
servers trust ``X-Forwarded-For`` from loopback, which stands for rotating addresses), with no
reader key or with one of their own. The victim posts as the widget does, with the reader key
their browser keeps. What must hold:

1. no answer (status, body shape, error code, headers) differs between the victim's email and
   wrong guesses: not the duplicate check (409), not the flood limit (429);
2. no avatar in any answer matches the victim's public avatar, and an unproven post's avatar is
   not even stable for one email;
3. a post under the victim's email without their key is a stranger's: it skips no moderation
   (trust, first-comment mode), and its spam takes nothing from the victim.
"""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import bindparam, select, text, update

from engage import create_app
from engage.articles import Article
from engage.db import UTCDateTime, db, utcnow
from tests.conftest import BASE_TEST_CONFIG
from tests.factories import new_reader_key
from tests.servers import EngageServer, free_port

GUESSES = [f"guess{n}@example.org" for n in range(6)]
SHORTENED = "Read the full report at https://bit.ly/3xYzAbc before it goes."
# Headers that differ between any two answers, whatever they say.
PER_ANSWER = {"content-length", "x-request-id", "date", "retry-after"}
_networks = itertools.count(1)


def new_victim() -> str:
    """A reader's address no earlier test used (each test is its own story)."""
    return f"victim.{uuid.uuid4().hex[:8]}@example.org"


def fresh_network() -> str:
    """An address on a network nobody used before in this run (a /24 of its own)."""
    n = next(_networks)
    return f"10.{n // 250}.{n % 250}.7"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    json: dict


def call(server, method: str, path: str, payload: dict | None = None, network: str | None = None,
         token: str | None = None) -> Answer:
    headers = {"Content-Type": "application/json", "X-Forwarded-For": network or fresh_network()}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(server.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw, header_items = response.status, response.read(), response.headers.items()
    except urllib.error.HTTPError as error:
        status, raw, header_items = error.code, error.read(), error.headers.items()
    return Answer(status, {k.lower(): v for k, v in header_items}, json.loads(raw or b"{}"))


def form_token(server, article: str) -> str:
    return call(server, "GET", f"/api/v1/form-token?article={article}").json["form_token"]


def post(server, article: str, body: str, email: str, reader_key: str | None = None,
         network: str | None = None, with_token: bool = True, **extra) -> Answer:
    payload = {"article": article, "author_name": "Someone", "author_email": email,
               "body": body, **extra}
    if reader_key:
        payload["reader_key"] = reader_key
    if with_token:
        payload["form_token"] = form_token(server, article)
    return call(server, "POST", "/api/v1/comments", payload, network)


def public_avatars(server, article: str) -> set[str]:
    thread = call(server, "GET", f"/api/v1/comments?article={article}").json
    return {comment["avatar_url"] for comment in thread["comments"]}


def shape(answer: Answer) -> tuple:
    """What an answer says, apart from ids, times and per-answer header values."""
    body = answer.json
    comment_keys = tuple(sorted(body.get("comment", {})))
    return (answer.status, tuple(sorted(body)), body.get("status"), comment_keys,
            body.get("error", {}).get("code"), body.get("error", {}).get("message"),
            tuple(sorted(set(answer.headers) - {"content-length", "x-request-id", "date"})),
            tuple(sorted((k, v) for k, v in answer.headers.items() if k not in PER_ANSWER)))


def article_key(label: str) -> str:
    return f"/attack/{label}-{uuid.uuid4().hex[:8]}"


def start_server(tmp_path_factory, **settings) -> EngageServer:
    instance = tmp_path_factory.mktemp("attack-instance")
    server = EngageServer({**BASE_TEST_CONFIG, "INSTANCE_PATH": str(instance),
                           "TRUSTED_PROXIES": "127.0.0.1", **settings}, port=free_port())
    server.start()
    return server


@contextmanager
def server_database(server):
    """An app context on the server's own database (setup only: the attacks use HTTP)."""
    app = create_app(dict(server.settings))
    with app.app_context():
        try:
            yield db.session
        finally:
            db.session.remove()
            from engage.serving.lifecycle import shutdown
            shutdown(app)
            db.engine.dispose()


@pytest.fixture(scope="module")
def live_server_config() -> dict:
    """The flood limit on, with a window long enough to span a whole test."""
    return {"TRUSTED_PROXIES": "127.0.0.1", "FLOOD_SECONDS": 600}


@pytest.fixture(scope="module")
def calm_server(tmp_path_factory):
    """No flood limit: the victim posts several comments from one browser."""
    server = start_server(tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def first_server(tmp_path_factory):
    """Moderation mode ``first``, and a moderator token to approve the victim's first comment."""
    server = start_server(tmp_path_factory, MODERATION_MODE="first")
    from engage.moderators.accounts import create_moderator, issue_token

    with server_database(server) as session:
        server.token = issue_token(session, create_moderator(session, "mo", "a long password 1"))
        session.commit()
    yield server
    server.stop()


# ------------------------------------------------------------------ 1. duplicates and floods


@pytest.mark.parametrize("victim_has_key", [True, False], ids=["widget", "api-client"])
def test_a_known_comment_text_does_not_confirm_the_authors_email(live_server, victim_has_key):
    victim = new_victim()
    article, text = article_key("dup"), "I was at the council meeting and saw it all."
    posted = post(live_server, article, text, victim,
                  reader_key=new_reader_key() if victim_has_key else None)
    assert posted.status == 201
    emails = GUESSES[:3] + [victim] + GUESSES[3:]
    for keyed in (False, True):   # no reader key, or a new one of the attacker's each time
        def attempt(body, email):
            return shape(post(live_server, article, body, email,
                              new_reader_key() if keyed else None))

        # The same text (on main: the right guess got 409, wrong ones were stored) ...
        same_text = {email: attempt(text, email) for email in emails}
        # ... and another text right after the victim posted (on main: 429 for the right one).
        other_text = {email: attempt(f"New text {uuid.uuid4()}", email) for email in emails}
        for answers in (same_text, other_text):
            assert answers[victim] == answers[GUESSES[0]], answers
            assert len(set(answers.values())) == 1, answers


def test_on_the_victims_own_network_every_guess_gets_the_same_refusal(live_server):
    victim = new_victim()
    article, text, home = article_key("nat"), "Our street flooded again last night.", "10.99.1.5"
    assert post(live_server, article, text, victim, new_reader_key(), network=home).status == 201
    answers = {email: post(live_server, article, text, email, network=home)
               for email in [GUESSES[0], victim, GUESSES[1]]}
    assert {answer.status for answer in answers.values()} == {429}  # the network's flood slot
    assert shape(answers[victim]) == shape(answers[GUESSES[0]]) == shape(answers[GUESSES[1]])
    assert all("retry-after" in answer.headers for answer in answers.values())


def test_a_double_submit_from_the_widget_is_still_a_409(live_server):
    victim = new_victim()
    article, key = article_key("double"), new_reader_key()
    assert post(live_server, article, "Posted twice by a double click.", victim, key).status \
        == 201
    again = post(live_server, article, "Posted twice by a double click.", victim, key)
    assert again.status == 409 and again.json["error"]["code"] == "duplicate"


def test_posting_under_a_readers_email_does_not_use_up_their_flood_slot(live_server):
    victim = new_victim()
    article, key = article_key("slot"), new_reader_key()
    assert post(live_server, article, "An attacker writes first.", victim).status == 201
    assert post(live_server, article, "The victim writes later.", victim, key).status == 201


# ------------------------------------------------------------------ 2. avatars


def test_no_answer_carries_an_avatar_that_matches_the_victims(calm_server):
    victim = new_victim()
    article = article_key("avatar")
    assert post(calm_server, article, "A widget comment.", victim, new_reader_key()).status \
        == 201
    legacy = insert_legacy_comment(calm_server, article, "legacy.reader@example.org")
    public = public_avatars(calm_server, article)
    assert len(public) == 2 and legacy in public
    seen = []
    for email in [GUESSES[0], victim, "legacy.reader@example.org", GUESSES[1]]:
        for extra in ({}, {"phone": "555-0100"}, {"reader_key": new_reader_key()}):
            answer = post(calm_server, article, f"Guess {uuid.uuid4()}", email, **extra)
            assert answer.status in (201, 202)
            seen.append(answer.json["comment"]["avatar_url"])
    assert not public & set(seen)
    assert len(set(seen)) == len(seen)  # not even one email's unproven posts look alike


def insert_legacy_comment(server, article: str, email: str) -> str:
    """A published comment as the code before reader keys stored it (plain SQL naming only
    the columns it knew); returns the avatar URL that the thread shows for it."""
    with server_database(server) as session:
        article_id = session.scalar(select(Article.id).where(Article.key == article))
        session.execute(text(
            "INSERT INTO comments (article_id, status, author_name, author_email, body, "
            "body_html, reasons, created_at) VALUES (:article_id, 'approved', 'Old Timer', "
            ":email, 'From before the upgrade.', '<p>From before the upgrade.</p>', '[]', :at)"
        ).bindparams(bindparam("at", type_=UTCDateTime())),
            {"article_id": article_id, "email": email, "at": utcnow()})
        session.execute(update(Article).where(Article.id == article_id)
                        .values(thread_version=Article.thread_version + 1))
        session.commit()
    from engage.privacy import avatar_token

    return f"{server.url}/api/v1/avatars/{avatar_token(email, server.settings['SECRET_KEY'])}.svg"


# ------------------------------------------------------------------ 3. trust


def test_a_regulars_email_without_their_key_skips_no_moderation(calm_server):
    victim = new_victim()
    article, key = article_key("trust"), new_reader_key()
    assert post(calm_server, article, "A first, clean comment.", victim, key).status == 201
    assert post(calm_server, article, SHORTENED, victim, key).status == 201  # trusted
    for attacker_key in (None, new_reader_key()):
        forged = post(calm_server, article, SHORTENED + f" ({uuid.uuid4()})", victim,
                      attacker_key)
        assert (forged.status, forged.json["status"]) == (202, "pending")
    bodies = [c["body_html"] for c in call(
        calm_server, "GET", f"/api/v1/comments?article={article}").json["comments"]]
    assert len(bodies) == 2


def test_spam_under_a_regulars_email_takes_nothing_from_them(calm_server):
    victim = new_victim()
    article, key = article_key("spoil"), new_reader_key()
    assert post(calm_server, article, "A clean comment.", victim, key).status == 201
    six_links = " ".join(f"https://s{i}.example/" for i in range(6))
    for attacker_key in (None, new_reader_key()):
        honeypot = post(calm_server, article, f"Spam {uuid.uuid4()}", victim, attacker_key,
                        phone="bot")
        link_farm = post(calm_server, article, f"{six_links} {uuid.uuid4()}", victim,
                         attacker_key)
        assert honeypot.status == link_farm.status == 202
    still_trusted = post(calm_server, article, SHORTENED, victim, key)
    assert (still_trusted.status, still_trusted.json["status"]) == (201, "approved")


def test_first_comment_mode_does_not_publish_or_reveal_a_known_email(first_server):
    victim = new_victim()
    article, key = article_key("first"), new_reader_key()
    held = post(first_server, article, "My very first comment.", victim, key)
    assert held.status == 202
    approve = call(first_server, "POST",
                   f"/api/v1/moderation/comments/{held.json['comment']['id']}",
                   {"action": "approve"}, token=first_server.token)
    assert approve.status == 200, approve.json
    assert post(first_server, article, "My second comment.", victim, key).status == 201
    answers = [post(first_server, article, f"Guess {uuid.uuid4()}", email, attacker_key)
               for email in (GUESSES[0], victim) for attacker_key in (None, new_reader_key())]
    assert {(a.status, a.json["status"]) for a in answers} == {(202, "pending")}
