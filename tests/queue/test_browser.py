"""The moderator queue in real headless Chromium against a running ``engage serve``.

One moderator's session, in order: log in, read a held comment and why it was held, approve it
with the keyboard, mark three as spam in bulk, block an author, log out. A page on another port
of the same host (same site, so SameSite=Lax still sends the cookie) posts the queue's form
without the CSRF token and must be refused. Console errors or CSP violations fail the test.
Screenshots go to test-artifacts/ (desktop and phone width).
"""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engage import create_app
from engage.articles import get_or_create_article
from engage.comments.models import Comment, CommentStatus
from engage.db import db, utcnow
from engage.moderators.accounts import create_moderator
from tests.servers import free_port

pytestmark = pytest.mark.browser

NAME, PASSWORD = "moira", "a long moderator password"
HELD_BODY = "Win big at the casino tonight, visit my page"


@pytest.fixture(scope="module")
def engage_app(live_server):
    """An app on the live server's database, for seeding and checking."""
    app = create_app(live_server.settings)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _comment(article, n, **fields):
    values = dict(author_name=f"Reader {n}", author_email=f"reader{n}@example.org",
                  body=f"Ordinary comment {n}", ip_prefix="198.51.100.0/24",
                  user_agent="Mozilla/5.0", reasons=[{"rule": "premod", "evidence": None,
                                                      "reason": "every comment is held"}],
                  created_at=utcnow() - timedelta(minutes=60 - n), status=CommentStatus.PENDING)
    values.update(fields)
    values.setdefault("body_html", f"<p>{values['body']}</p>")
    return Comment(article_id=article.id, **values)


@pytest.fixture(scope="module")
def seeded(engage_app):
    session = db.session
    create_moderator(session, NAME, PASSWORD)
    article = get_or_create_article(session, "/news/budget")
    rows = [_comment(article, n) for n in range(1, 5)]
    rows.append(_comment(article, 5, author_name="Spammy Sam", author_email="sam@spam.example",
                         body="Cheap pills, cheap pills", status=CommentStatus.PENDING))
    rows.append(_comment(article, 6, author_name="Spammy Sam", author_email="sam@spam.example",
                         body="An old comment of Sam", status=CommentStatus.APPROVED))
    rows.append(_comment(article, 7, author_name="Casey Casino", author_email="casey@win.example",
                         author_url="https://win.example", body=HELD_BODY,
                         reasons=[{"rule": "moderation_words", "evidence": ["casino"],
                                   "reason": "contains words that moderators review"},
                                  {"rule": "links", "evidence": ["https://win.example/a"],
                                   "reason": "1 links (held from 1)"}],
                         spam_score=0.87))
    session.add_all(rows)
    session.commit()
    return {row.body: row.id for row in rows}


def status_of(comment_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Comment.status).where(Comment.id == comment_id)).value


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(
        f"console: {message.text} {message.location.get('url', '')}")
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico")
        else None)
    page.problems = problems
    yield page
    context.close()


def log_in(page, live_server):
    page.goto(live_server.url + "/moderate")
    assert "/login" in page.url
    page.fill("input[name=name]", NAME)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/moderate")


def test_a_moderators_session(live_server, seeded, page, artifacts_dir):
    log_in(page, live_server)

    held = page.locator(f"#c{seeded[HELD_BODY]}")
    expect(held).to_be_visible()
    expect(held.locator(".chip.rule-moderation_words")).to_contain_text("review words")
    expect(held.locator(".body mark")).to_have_text("casino")  # highlighted by queue.js
    expect(held.locator(".chip.score")).to_contain_text("0.87")
    expect(held.locator(".who")).to_contain_text("casey@win.example")
    expect(page.locator('[data-count="pending"]')).to_have_text("6")
    page.screenshot(path=str(artifacts_dir / "moderation-queue.png"), full_page=True)

    # Newest first: the held comment is the first card and starts active.
    assert "active" in held.get_attribute("class")
    page.keyboard.press("a")
    expect(held).to_be_hidden()
    expect(page.locator('[data-count="pending"]')).to_have_text("5")
    expect(page.locator('[data-count="approved"]')).to_have_text("2")
    assert status_of(seeded[HELD_BODY]) == "approved"

    # Bulk: tick three ordinary comments, then "Spam selected".
    bulk = [seeded[f"Ordinary comment {n}"] for n in (1, 2, 3)]
    for comment_id in bulk:
        page.check(f"#c{comment_id} .pick input")
    page.click("button[name=action][value=spam]")
    for comment_id in bulk:
        expect(page.locator(f"#c{comment_id}")).to_be_hidden()
    expect(page.locator('[data-count="spam"]')).to_have_text("3")
    assert {status_of(i) for i in bulk} == {"spam"}

    # Block Sam's email: his pending and his approved comment both become spam.
    sam = page.locator(f"#c{seeded['Cheap pills, cheap pills']}")
    sam.locator(".block-menu summary").click()
    sam.locator("button[data-block=email]").click()
    expect(page.locator(".notice")).to_contain_text(
        "Blocked email sam@spam.example; 2 comments marked spam.")
    assert status_of(seeded["An old comment of Sam"]) == "spam"
    expect(page.locator('[data-count="spam"]')).to_have_text("5")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/moderate?status=all")
    page.screenshot(path=str(artifacts_dir / "moderation-queue-phone.png"), full_page=True)

    page.click("text=Log out")
    expect(page.locator(".notice")).to_contain_text("You are logged out.")
    page.goto(live_server.url + "/moderate")
    assert "/login" in page.url
    assert page.problems == []


def test_keyboard_moves_selects_and_shows_help(live_server, seeded, page):
    log_in(page, live_server)
    page.goto(live_server.url + "/moderate?status=all")  # earlier tests emptied pending
    cards = page.locator(".card")
    first, second = cards.nth(0), cards.nth(1)
    assert "active" in first.get_attribute("class")
    page.keyboard.press("j")
    assert "active" in second.get_attribute("class")
    page.keyboard.press("k")
    assert "active" in first.get_attribute("class")
    page.keyboard.press("x")
    expect(first.locator(".pick input")).to_be_checked()
    page.keyboard.press("x")
    expect(first.locator(".pick input")).not_to_be_checked()
    page.keyboard.press("?")
    expect(page.locator("#help")).to_have_attribute("open", "")
    page.keyboard.press("?")

    # On the "all" tab a decided card stays, with its new status and the fitting buttons.
    page.keyboard.press("r")
    expect(first.locator(".badge.status")).to_have_text("rejected")
    expect(first.locator("button[data-action=reject]")).to_be_hidden()
    expect(first.locator("button[data-action=approve]")).to_be_visible()
    expect(first.locator(".decided")).to_contain_text(f"by {NAME}")
    assert "active" in second.get_attribute("class")
    assert page.problems == []


class _EvilSite(BaseHTTPRequestHandler):
    """Serves a page that auto-posts the queue's action form without a CSRF token."""

    target = ""

    def do_GET(self):
        html = (f'<form id="f" method="post" action="{self.target}/moderate/actions">'
                f'<input name="one" value="{self.server.comment_id}:approve"></form>'
                '<script>document.getElementById("f").submit()</script>')
        body = html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_cross_site_form_post_without_the_token_fails(live_server, seeded, page):
    log_in(page, live_server)  # the victim is logged in
    target = seeded["Ordinary comment 4"]
    assert status_of(target) == "pending"
    handler = type("Evil", (_EvilSite,), {"target": live_server.url})
    evil = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    evil.comment_id = target
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        with page.expect_response(lambda r: r.url.endswith("/moderate/actions")) as info:
            page.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
        assert info.value.status == 403
    finally:
        evil.shutdown()
    assert status_of(target) == "pending"


def test_without_javascript_the_buttons_still_work(live_server, seeded, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server)
        page.goto(live_server.url + "/moderate?status=all")
        target = seeded["Ordinary comment 4"]
        card = page.locator(f"#c{target}")
        card.locator("button[data-action=reject]").click()  # a plain form post
        expect(page.locator(".notice")).to_contain_text("Rejected 1.")
        assert status_of(target) == "rejected"
        page.locator(f"#c{target} button[data-action=pending]").click()
        assert status_of(target) == "pending"
    finally:
        context.close()
