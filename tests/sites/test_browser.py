"""Sites and articles in real headless Chromium against a running ``engage serve``.

- A page of the site "blog" (on its own origin) embeds the widget with ``data-site``; its
  comment names the article by the page's title and canonical URL; once a moderator closed
  the article, the widget says "Comments are closed." and shows no form.
- A moderator closes one article from its card in the queue; the article then refuses posts.
- An analyst logs in to the overview: the chart and figures on a desktop and a phone, and
  every part reachable with the keyboard alone.
Console errors fail the tests; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from engage import create_app
from engage.db import db
from engage.moderators.accounts import create_moderator, issue_token
from engage.moderators.roles import Role
from engage.sites import create_site
from tests.servers import free_port

pytestmark = pytest.mark.browser

NAME, ANALYST, PASSWORD = "marta", "anouk", "a long moderator password"
READER_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/131.0.0.0 Safari/537.36")
PAGE_PORT = free_port()
PAGE_ORIGIN = f"http://127.0.0.1:{PAGE_PORT}"
ARTICLE = "/2026/site-launch"


@pytest.fixture(scope="module")
def token(live_server):
    """A moderator's API token, the site "blog" on the page's origin (made through another
    process: the server learns of the site within a second)."""
    app = create_app(live_server.settings)
    with app.app_context():
        moderator = create_moderator(db.session, NAME, PASSWORD)
        value = issue_token(db.session, moderator)
        db.session.commit()
        create_moderator(db.session, ANALYST, PASSWORD, role=Role.ANALYST)
        db.session.commit()
        create_site(db.session, "blog", "The Blog", [PAGE_ORIGIN],
                    {"moderation_words": ["casino"]})
        db.session.remove()
        db.engine.dispose()
    return value


def call(live_server, method, path, token=None, body=None):
    headers = {"User-Agent": READER_UA, "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(live_server.url + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


class _BlogPage(BaseHTTPRequestHandler):
    api = ""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>  We launched the   blog  </title><link rel="icon" href="data:,">
<link rel="canonical" href="{PAGE_ORIGIN}{ARTICLE}"></head><body>
<h1>We launched the blog</h1>
<div id="engage-comments" data-site="blog" data-article="{ARTICLE}"></div>
<script src="{self.api}/widget/engage.js" async></script></body></html>""".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def blog_page(live_server):
    server = ThreadingHTTPServer(("127.0.0.1", PAGE_PORT),
                                 type("Blog", (_BlogPage,), {"api": live_server.url}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield PAGE_ORIGIN + ARTICLE + "?utm_source=feed"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser):
    context = browser.new_context(user_agent=READER_UA, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: problems.append(f"console: {message.text}")
            if message.type == "error"
            and not message.location.get("url", "").endswith("/favicon.ico") else None)
    page.problems = problems
    yield page
    context.close()


def wait_for_site(live_server):
    """Until the server's copy of the sites holds "blog" (at most about a second)."""
    expect_ok = lambda: call(live_server, "GET", "/api/v1/counts?site=blog&article=/x")[0]  # noqa
    for _ in range(50):
        if expect_ok() == 200:
            return
        threading.Event().wait(0.1)
    raise AssertionError("the site never became known to the server")


def test_a_sites_page_names_its_article_and_shows_it_closed(live_server, token, blog_page,
                                                            page, artifacts_dir):
    wait_for_site(live_server)
    page.goto(blog_page)
    form = page.locator("form.engage-form")
    form.get_by_role("textbox", name="Comment").fill("Congratulations on the launch!")
    form.get_by_role("textbox", name="Name").fill("Bea")
    form.get_by_role("textbox", name="Email").fill("bea@example.org")
    form.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".engage-status")).to_contain_text("published")
    status, article = call(live_server, "GET",
                           f"/api/v1/moderation/articles?site=blog&article={ARTICLE}", token)
    assert status == 200
    assert (article["title"], article["url"]) == ("We launched the blog", PAGE_ORIGIN + ARTICLE)
    assert article["counts"]["approved"] == 1
    # the default site's /2026/site-launch is another article
    assert call(live_server, "GET", f"/api/v1/comments?article={ARTICLE}")[1]["count"] == 0

    status, _ = call(live_server, "PATCH",
                     f"/api/v1/moderation/articles?site=blog&article={ARTICLE}", token,
                     {"closed": True})
    assert status == 200
    page.reload()
    expect(page.locator(".engage-closed")).to_have_text("Comments are closed.")
    expect(page.locator("form.engage-form")).to_have_count(0)
    expect(page.locator(".engage-body")).to_contain_text("Congratulations on the launch!")
    page.screenshot(path=str(artifacts_dir / "widget-article-closed.png"), full_page=True)
    refused = call(live_server, "POST", "/api/v1/comments", body={
        "site": "blog", "article": ARTICLE, "author_name": "Cy", "author_email": "cy@example.org",
        "body": "Too late?"})
    assert refused[0] == 403 and refused[1]["error"]["code"] == "comments_closed"
    assert page.problems == []


def test_a_moderator_closes_one_article_from_the_queue(live_server, token, page,
                                                       artifacts_dir):
    wait_for_site(live_server)
    for article, body in (("/queue/closing", "Close this one"), ("/queue/open", "Keep open")):
        status, _ = call(live_server, "POST", "/api/v1/comments", body={
            "site": "blog", "article": article, "article_title": f"Story {article}",
            "author_name": "Dee", "author_email": "dee@example.org", "body": body})
        assert status == 201
    page.goto(live_server.url + "/moderate?status=all&site=blog")
    page.fill("input[name=name]", NAME)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    card = page.locator(".card", has_text="Close this one")
    expect(card.locator(".article-title")).to_have_text("Story /queue/closing")
    card.locator(".article-menu summary").click()
    page.screenshot(path=str(artifacts_dir / "queue-article-menu.png"), full_page=True)
    card.locator("button[data-article-action=close]").click()
    expect(page.locator(".notice")).to_have_text("Closed comments on Story /queue/closing.")
    card = page.locator(".card", has_text="Close this one")
    expect(card.locator(".badge.closed")).to_have_text("comments closed")
    expect(page.locator(".card", has_text="Keep open").locator(".badge.closed")).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "queue-article-closed.png"), full_page=True)
    closed = call(live_server, "GET",
                  "/api/v1/moderation/articles?site=blog&article=/queue/closing", token)[1]
    assert closed["closed"] is True
    still_open = call(live_server, "GET",
                      "/api/v1/moderation/articles?site=blog&article=/queue/open", token)[1]
    assert still_open["closed"] is False
    assert page.problems == []


def test_an_analyst_reads_the_overview_on_desktop_phone_and_keyboard(live_server, token, page,
                                                                     artifacts_dir):
    wait_for_site(live_server)
    for n, body in enumerate(["Great piece", "Buy cheap pills at casino now", "Thanks!"]):
        call(live_server, "POST", "/api/v1/comments", body={
            "site": "blog", "article": "/2026/overview", "article_title": "Overview story",
            "author_name": f"Reader {n}", "author_email": f"reader{n}@example.org",
            "body": body, "article_url": PAGE_ORIGIN + "/2026/overview"})
    page.goto(live_server.url + "/login")
    page.fill("input[name=name]", ANALYST)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/moderate/overview")
    page.goto(live_server.url + "/moderate/overview?site=blog")
    expect(page.locator("h1")).to_contain_text("The Blog")
    expect(page.locator("svg.chart rect").first).to_be_visible()
    expect(page.locator("#top-commented")).to_contain_text("Overview story")
    expect(page.locator('[data-stat="hold-rate"]')).not_to_have_text("0 %")
    html = page.content()
    assert "@example.org" not in html and "127.0.0.1/24" not in html
    page.screenshot(path=str(artifacts_dir / "overview.png"), full_page=True)

    # keyboard alone: the site tabs, the day-by-day numbers, the article links
    reached = []
    for _ in range(30):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(
            "document.activeElement.tagName + ':' + (document.activeElement.textContent || '')"
            ".trim().slice(0, 40)"))
        if reached[-1].startswith("SUMMARY"):
            break
    assert any(item.startswith("SUMMARY:The numbers") for item in reached), reached
    page.keyboard.press("Enter")
    expect(page.locator("details.numbers")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Overview story"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/moderate/overview?site=blog")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(artifacts_dir / "overview-phone.png"), full_page=True)
    assert page.problems == []
