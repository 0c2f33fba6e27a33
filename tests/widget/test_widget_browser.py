"""The widget in real headless Chromium against a running ``engage serve``.

Pages come from two places, as on a real site: engage's own /demo (page on 127.0.0.1, widget
on localhost), and a plain HTML "site" on another port that pastes the README's two embedding
lines, with and without a strict CSP. Every test listens for dialogs, uncaught errors and
console errors: a comment that ran script, a CSP violation or a failed request fails the test.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.conftest import BASE_TEST_CONFIG
from tests.servers import EngageServer, free_port

pytestmark = pytest.mark.browser

# Two ordinary desktop browsers: views are counted per visitor (network + user agent), and
# the headless Chromium user agent is a known bot that must not count.
READER_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/131.0.0.0 Safari/537.36")
OTHER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
XSS_BODY = ('Look <img src=x onerror="alert(1)"> and <script>alert(2)</script> '
            '[click](javascript:alert(3)) <a href="javascript:alert(4)">here</a>')

SITE_PORT = free_port()
SITE_ORIGIN = f"http://127.0.0.1:{SITE_PORT}"


# --------------------------------------------------------------------------- servers


@pytest.fixture(scope="module")
def live_server_config() -> dict:
    """The plain test site is one of the site origins allowed to call the API."""
    return {"ALLOWED_ORIGINS": SITE_ORIGIN}


def _extra_server(tmp_path_factory, **settings):
    instance = tmp_path_factory.mktemp("live-instance")
    server = EngageServer({**BASE_TEST_CONFIG, "INSTANCE_PATH": str(instance),
                           "DEMO_ENABLED": True, "ALLOWED_ORIGINS": SITE_ORIGIN, **settings},
                          port=free_port())
    server.start()
    return server


@pytest.fixture(scope="module")
def premod_server(tmp_path_factory):
    """A server that holds every comment for a moderator."""
    server = _extra_server(tmp_path_factory, MODERATION_MODE="premod")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def flood_server(tmp_path_factory):
    """A server with the flood limit on: a second comment within a minute is refused."""
    server = _extra_server(tmp_path_factory, FLOOD_SECONDS=60)
    yield server
    server.stop()


def readme_page(api: str, article: str, lang: str = "", notify: str = "") -> str:
    """A site's article page with the README's two embedding lines pasted in (``notify``:
    the widget's ``data-notify``, the mail notification choice)."""
    lang_attr = f' data-lang="{lang}"' if lang else ""
    lang_attr += f' data-notify="{notify}"' if notify else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>My blog</title>
<link rel="icon" href="data:,"></head>
<body><h1>My blog post</h1><p>Some text.</p>
<p><span data-engage-views="{article}">?</span> views</p>
<div id="engage-comments" data-article="{article}"{lang_attr}></div>
<script src="{api}/widget/engage.js" async></script>
</body></html>"""


class _SiteHandler(BaseHTTPRequestHandler):
    """``/plain?api=URL&article=K`` and ``/csp?…`` (the same page under a strict CSP)."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        url = urllib.parse.urlsplit(self.path)
        args = dict(urllib.parse.parse_qsl(url.query))
        if url.path not in ("/plain", "/csp"):
            self.send_error(404)
            return
        api = args["api"]
        body = readme_page(api, args["article"], args.get("lang", ""),
                           args.get("notify", "")).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if url.path == "/csp":
            self.send_header("Content-Security-Policy", "; ".join([
                "default-src 'none'", f"script-src {api}", f"style-src {api}",
                f"img-src {api} data:", f"connect-src {api}", "base-uri 'none'"]))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    """A plain static site on another port than engage: the embedding a new user does."""
    server = ThreadingHTTPServer(("127.0.0.1", SITE_PORT), _SiteHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SITE_ORIGIN
    server.shutdown()
    server.server_close()


def site_url(site: str, api: str, article: str, kind: str = "plain", **extra) -> str:
    return f"{site}/{kind}?" + urllib.parse.urlencode({"api": api, "article": article, **extra})


# --------------------------------------------------------------------------- helpers


class Reader:
    """One browser profile (context) with one page; records everything that went wrong."""

    def __init__(self, browser, user_agent=READER_UA, **options):
        self.context = browser.new_context(user_agent=user_agent, **options)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.problems: list[str] = []
        self.requests: list[tuple[str, str]] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("console", self._console)
        self.page.on("requestfailed", self._failed)
        self.page.on("request", lambda req: self.requests.append((req.method, req.url)))

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _failed(self, request):
        # A reload cancels the old page's image loads (ERR_ABORTED); that is not a failure.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.url} {request.failure}")

    def _console(self, message):
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def open(self, url: str):
        self.page.goto(url)
        expect(self.page.locator(".engage-title")).not_to_have_text("Loading comments…")
        return self.page

    def assert_clean(self):
        assert self.dialogs == [], self.dialogs
        assert self.problems == [], self.problems

    def close(self):
        self.context.close()


@pytest.fixture
def reader(browser):
    person = Reader(browser)
    yield person
    person.close()


def unique_article(label: str) -> str:
    return f"/blog/{label}-{uuid.uuid4().hex[:8]}"


def api_post(server, payload: dict) -> dict:
    """Post a comment as a server-side client would (no browser), returning the JSON answer."""
    request = urllib.request.Request(
        server.url + "/api/v1/comments", data=json.dumps(payload).encode(), method="POST",
        headers={"Content-Type": "application/json", "User-Agent": READER_UA})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def seed(server, article: str, body: str, name="Ada Reader", parent_id=None, **extra) -> dict:
    payload = {"article": article, "author_name": name, "author_email": "ada@example.org",
               "body": body, "phone": "", **extra}
    if parent_id is not None:
        payload["parent_id"] = parent_id
    answer = api_post(server, payload)
    assert answer["status"] == "approved", answer
    return answer["comment"]


def fill_form(page, body: str, name="Bea Writer", email="bea@example.org", website=""):
    form = page.locator("form.engage-form")
    form.get_by_role("textbox", name="Comment").fill(body)
    form.get_by_role("textbox", name="Name").fill(name)
    form.get_by_role("textbox", name="Email").fill(email)
    form.get_by_role("textbox", name="Website").fill(website)


def submit(page):
    page.locator("form.engage-form").get_by_role("button", name="Post Comment").click()


def comment_item(page, text: str):
    """The <li> of the comment whose own body contains ``text``."""
    return page.locator("li.engage-comment").filter(
        has=page.locator(":scope > article .engage-body", has_text=text))


# --------------------------------------------------------------------------- reading


def test_reader_sees_the_thread_threaded_with_names_links_and_times(live_server, site, reader):
    article = unique_article("thread")
    first = seed(live_server, article, "First!", name="Ada", author_url="https://ada.example/")
    seed(live_server, article, "A reply to Ada.", name="Bob", parent_id=first["id"])
    seed(live_server, article, "Second top-level remark.", name="Cy")

    page = reader.open(site_url(site, live_server.url, article))

    expect(page.locator(".engage-title")).to_have_text("3 comments")
    top = page.locator(".engage-thread > li.engage-comment")
    expect(top).to_have_count(2)
    ada = comment_item(page, "First!")
    expect(ada.locator(":scope > .engage-children > li")).to_contain_text("A reply to Ada.")
    link = ada.locator(":scope > article a.engage-author")
    expect(link).to_have_text("Ada")
    expect(link).to_have_attribute("href", "https://ada.example/")
    expect(link).to_have_attribute("rel", "nofollow ugc noopener")
    expect(comment_item(page, "Second").locator("span.engage-author")).to_have_text("Cy")
    time = ada.locator(":scope > article time")
    expect(time).to_have_text("just now")
    expect(time).to_have_attribute("datetime", _iso_ms(first))
    assert time.get_attribute("title")
    expect(ada.locator(":scope > article img.engage-avatar")).to_have_attribute(
        "src", first["avatar_url"])
    reader.assert_clean()


def _iso_ms(comment) -> str:
    """created_at as the browser's Date.toISOString() writes it (milliseconds, Z)."""
    from datetime import datetime, timezone

    stamp = datetime.fromisoformat(comment["created_at"]).astimezone(timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def test_long_threads_load_more_on_demand(live_server, site, reader):
    article = unique_article("long")
    for n in range(1, 56):
        seed(live_server, article, f"Remark number {n}.")
    page = reader.open(site_url(site, live_server.url, article))
    expect(page.locator("li.engage-comment")).to_have_count(50)
    more = page.get_by_role("button", name="Load more comments")
    more.click()
    expect(page.locator("li.engage-comment")).to_have_count(55)
    expect(page.locator("li.engage-comment").last).to_contain_text("Remark number 55.")
    expect(more).to_be_hidden()
    reader.assert_clean()


def test_interface_speaks_the_language_asked_for(live_server, site, reader):
    page = reader.open(site_url(site, live_server.url, unique_article("de"), lang="de"))
    expect(page.locator(".engage-title")).to_have_text("Noch keine Kommentare")
    expect(page.get_by_role("button", name="Kommentar abschicken")).to_be_visible()
    reader.assert_clean()


# --------------------------------------------------------------------------- writing


def test_posting_a_comment_publishes_it_in_place(live_server, site, reader):
    article = unique_article("post")
    page = reader.open(site_url(site, live_server.url, article))
    expect(page.locator(".engage-title")).to_have_text("No comments yet")

    fill_form(page, "Thanks for *writing* this.", website="https://bea.example")
    submit(page)

    expect(page.get_by_role("status").filter(has_text="published")).to_have_text(
        "Your comment has been published.")
    posted = comment_item(page, "Thanks for writing this.")
    expect(posted.locator(".engage-body em")).to_have_text("writing")
    expect(posted.locator("a.engage-author")).to_have_attribute("href", "https://bea.example/")
    expect(page.locator(".engage-title")).to_have_text("One comment")
    expect(page.get_by_role("textbox", name="Comment")).to_have_value("")
    page.reload()
    expect(comment_item(page, "Thanks for writing this.")).to_have_count(1)
    reader.assert_clean()


def test_keyboard_alone_writes_and_posts_and_the_hidden_fields_stay_hidden(
        live_server, site, reader):
    page = reader.open(site_url(site, live_server.url, unique_article("keyboard")))
    posts = []
    page.on("request", lambda req: posts.append(req.post_data_json)
            if req.method == "POST" and req.url.endswith("/api/v1/comments") else None)
    page.get_by_role("textbox", name="Comment").focus()
    order = []
    for text in ("Typed without a mouse.", "Kay", "kay@example.org", ""):
        order.append(page.evaluate("document.activeElement.name"))
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    order.append(page.evaluate("document.activeElement.type"))
    page.keyboard.press("Tab")
    order.append(page.evaluate("document.activeElement.textContent"))
    assert order == ["body", "author_name", "author_email", "author_url", "checkbox",
                     "Post Comment"]
    page.keyboard.press("Enter")
    expect(comment_item(page, "Typed without a mouse.")).to_have_count(1)
    expect(page.locator(".engage-hp")).not_to_be_in_viewport()
    [payload] = posts
    assert payload["phone"] == ""
    assert payload["form_token"]  # fetched when the reader started writing
    assert payload["article"].startswith("/blog/keyboard-")
    reader.assert_clean()


def test_a_permalink_scrolls_to_its_comment(live_server, site, reader):
    article = unique_article("permalink")
    comments = [seed(live_server, article, f"Remark {n}. " + "Long text. " * 60) for n in range(8)]
    target = comments[-1]["id"]
    page = reader.open(site_url(site, live_server.url, article) + f"#engage-comment-{target}")
    expect(page.locator(f"#engage-comment-{target}")).to_be_focused()
    expect(page.locator(f"#engage-comment-{target}")).to_be_in_viewport()
    reader.assert_clean()


def test_a_held_comment_is_shown_only_to_its_author(premod_server, site, browser):
    article = unique_article("held")
    url = site_url(site, premod_server.url, article)
    author = Reader(browser)
    page = author.open(url)
    fill_form(page, "Please approve me.")
    submit(page)

    expect(page.get_by_role("status").filter(has_text="moderation")).to_have_text(
        "Your comment is awaiting moderation.")
    held = comment_item(page, "Please approve me.")
    expect(held).to_have_class(re.compile(r"\bengage-pending\b"))
    expect(held).to_contain_text("Your comment is awaiting moderation.")
    expect(page.locator(".engage-title")).to_have_text("No comments yet")
    page.reload()
    expect(comment_item(page, "Please approve me.")).to_have_count(1)

    stranger = Reader(browser, user_agent=OTHER_UA)
    other = stranger.open(url)
    expect(other.locator(".engage-title")).to_have_text("No comments yet")
    expect(other.locator("li.engage-comment")).to_have_count(0)
    for person in (author, stranger):
        person.assert_clean()
        person.close()


def test_a_regular_is_known_by_their_browser_not_by_their_email(live_server, site, browser):
    """The widget sends this browser's reader key with every post; trust rests on it, so the
    same name and email typed in another browser is a stranger's comment (issue 15)."""
    url = site_url(site, live_server.url, unique_article("regular"))
    shortened = "Full report: https://bit.ly/3xYzAbc"
    regular, impostor = Reader(browser), Reader(browser, user_agent=OTHER_UA)
    keys = []
    for person in (regular, impostor):
        person.page.on("request", lambda req: keys.append(req.post_data_json["reader_key"])
                       if req.method == "POST" and req.url.endswith("/api/v1/comments") else None)

    page = regular.open(url)
    fill_form(page, "A clean first comment.", name="Reggie", email="reggie@example.org")
    submit(page)
    expect(comment_item(page, "A clean first comment.")).to_have_count(1)
    page.reload()
    fill_form(page, shortened, name="Reggie", email="reggie@example.org")
    submit(page)
    expect(page.get_by_role("status").filter(has_text="published")).to_have_text(
        "Your comment has been published.")  # trusted: the shortened link is not held
    stored_key = page.evaluate("localStorage.getItem('engage:reader')")

    other = impostor.open(url)
    fill_form(other, shortened + " now", name="Reggie", email="reggie@example.org")
    submit(other)
    expect(other.get_by_role("status").filter(has_text="moderation")).to_have_text(
        "Your comment is awaiting moderation.")

    assert len(keys) == 3 and keys[0] == keys[1] == stored_key != keys[2]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", key) for key in keys)
    avatars = other.locator("li.engage-comment img.engage-avatar")
    expect(avatars).to_have_count(3)  # two published, one held shown to its author
    sources = [avatars.nth(i).get_attribute("src") for i in range(3)]
    assert sources[0] == sources[1] != sources[2]
    for person in (regular, impostor):
        person.assert_clean()
        person.close()


def test_a_bad_email_gets_a_message_next_to_the_field(live_server, site, reader):
    page = reader.open(site_url(site, live_server.url, unique_article("email")))
    email = page.get_by_role("textbox", name="Email")

    fill_form(page, "Hello", email="not-an-email")
    submit(page)
    expect(page.locator("#engage-author_email-error")).to_have_text("Not a valid email address.")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    assert not [url for method, url in reader.requests if method == "POST" and "/comments" in url]

    # A one-letter top-level domain passes the browser's check and is refused by the server:
    # its 422 message lands next to the same field.
    fill_form(page, "Hello", email="reader@example.c")
    submit(page)
    expect(page.locator("#engage-author_email-error")).to_have_text("Not a valid email address.")
    expect(page.get_by_role("status").filter(has_text="correct")).to_contain_text(
        "Please correct the marked fields.")
    assert [url for method, url in reader.requests if method == "POST" and "/comments" in url]

    fill_form(page, "Hello", email="reader@example.org")
    submit(page)
    expect(page.locator("#engage-author_email-error")).to_be_hidden()
    expect(email).not_to_have_attribute("aria-invalid", "true")
    expect(comment_item(page, "Hello")).to_have_count(1)
    assert [p for p in reader.problems if "422" in p]  # the refused post, logged by Chromium
    reader.problems = [p for p in reader.problems if "422" not in p]
    reader.assert_clean()


def test_reply_opens_the_form_in_place_and_nests_the_answer(live_server, site, reader):
    article = unique_article("reply")
    seed(live_server, article, "What do you all think?", name="Ada")
    page = reader.open(site_url(site, live_server.url, article))
    parent = comment_item(page, "What do you all think?")
    reply = parent.get_by_role("button", name="Reply to Ada")

    reply.click()
    expect(parent.locator("form.engage-form")).to_be_visible()
    expect(page.get_by_role("heading", name="Leave a Reply to Ada")).to_be_visible()
    expect(page.get_by_role("textbox", name="Comment")).to_be_focused()
    page.keyboard.press("Escape")
    expect(parent.locator("form.engage-form")).to_have_count(0)
    expect(page.get_by_role("heading", name="Leave a Reply", exact=True)).to_be_visible()
    expect(reply).to_be_focused()

    reply.click()
    fill_form(page, "I agree with Ada.")
    submit(page)
    expect(parent.locator(":scope > .engage-children > li")).to_contain_text("I agree with Ada.")
    expect(page.get_by_role("heading", name="Leave a Reply", exact=True)).to_be_visible()
    page.reload()
    expect(comment_item(page, "What do you all think?").locator(
        ":scope > .engage-children > li")).to_contain_text("I agree with Ada.")
    reader.assert_clean()


def test_saved_details_fill_the_form_next_time_only_when_asked(live_server, site, reader):
    url = site_url(site, live_server.url, unique_article("remember"))
    page = reader.open(url)
    fill_form(page, "Remember me.", name="Dee", email="dee@example.org")
    page.get_by_role("checkbox", name="Save my name").check()
    submit(page)
    expect(comment_item(page, "Remember me.")).to_have_count(1)
    page.reload()
    expect(page.get_by_role("textbox", name="Name")).to_have_value("Dee")
    expect(page.get_by_role("textbox", name="Email")).to_have_value("dee@example.org")

    page.get_by_role("checkbox", name="Save my name").uncheck()
    page.get_by_role("textbox", name="Comment").fill("Forget me now.")
    submit(page)
    expect(comment_item(page, "Forget me now.")).to_have_count(1)
    page.reload()
    expect(page.get_by_role("textbox", name="Name")).to_have_value("")
    reader.assert_clean()


def test_too_fast_shows_how_long_to_wait(flood_server, site, reader):
    page = reader.open(site_url(site, flood_server.url, unique_article("flood")))
    fill_form(page, "First in a hurry.")
    submit(page)
    expect(comment_item(page, "First in a hurry.")).to_have_count(1)
    page.get_by_role("textbox", name="Comment").fill("Second in a hurry.")
    submit(page)
    status = page.get_by_role("status").filter(has_text="too quickly")
    expect(status).to_contain_text("Slow down and try again in")
    wait = int(status.inner_text().split(" in ")[1].split()[0])
    assert 1 <= wait <= 60
    expect(page.get_by_role("button", name="Post Comment")).to_be_disabled()
    reader.problems = [p for p in reader.problems if "429" not in p]
    reader.assert_clean()


# --------------------------------------------------------------------------- safety


def test_script_in_a_comment_shows_as_text_and_runs_nothing(live_server, site, reader):
    article = unique_article("xss")
    seed(live_server, article, XSS_BODY, name='<img src=x onerror="alert(5)">')
    page = reader.open(site_url(site, live_server.url, article))

    fill_form(page, XSS_BODY + " again", name="<b onmouseover=alert(6)>Eve</b>")
    submit(page)
    expect(page.locator("li.engage-comment")).to_have_count(2)

    widget = page.locator("#engage-comments")
    expect(widget.locator(".engage-author").first).to_have_text('<img src=x onerror="alert(5)">')
    expect(widget.locator(".engage-author").last).to_have_text("<b onmouseover=alert(6)>Eve</b>")
    for body in widget.locator(".engage-body").all():
        expect(body).to_contain_text("Look <img src=x")
    assert widget.locator("script, img:not(.engage-avatar), [onerror], [onmouseover]").count() == 0
    assert widget.locator('a[href^="javascript:" i]').count() == 0
    widget.locator(".engage-author").last.hover()
    page.wait_for_timeout(300)
    assert reader.dialogs == []
    reader.assert_clean()


def test_the_readme_lines_work_on_a_plain_page_from_another_port(live_server, site, reader):
    article = unique_article("readme")
    seed(live_server, article, "Hello from the API.")
    page = reader.open(site_url(site, live_server.url, article))
    assert urllib.parse.urlsplit(page.url).port != urllib.parse.urlsplit(live_server.url).port
    expect(comment_item(page, "Hello from the API.")).to_have_count(1)
    fill_form(page, "Hello from a cross-origin page.")
    submit(page)
    expect(comment_item(page, "Hello from a cross-origin page.")).to_have_count(1)
    expect(page.locator(f'[data-engage-views="{article}"]')).to_have_text("1")
    reader.assert_clean()


def test_the_widget_needs_no_unsafe_inline_under_a_strict_csp(live_server, site, reader):
    article = unique_article("csp")
    seed(live_server, article, "Under CSP.")
    page = reader.open(site_url(site, live_server.url, article, kind="csp"))
    expect(comment_item(page, "Under CSP.")).to_have_count(1)
    # engage.css applied: the honeypot is off-screen and the form styled.
    box = page.locator(".engage-hp").bounding_box()
    assert box is not None and box["x"] < -1000
    fill_form(page, "Posted under CSP.")
    submit(page)
    expect(comment_item(page, "Posted under CSP.")).to_have_count(1)
    reader.assert_clean()  # a CSP violation is a console error


# --------------------------------------------------------------------------- views


def test_views_count_once_per_visitor_and_fill_list_counts(live_server, browser):
    demo = live_server.url + "/demo/articles/library-late-fees"
    key = "/demo/articles/library-late-fees"
    seed(live_server, key, "A comment for the list page.")
    first = Reader(browser)
    page = first.open(demo)
    views = page.locator(f'article [data-engage-views="{key}"]')
    expect(views).to_have_text("1")
    # The badge image loaded before the view was counted is pointed at the new total.
    expect(page.locator("img[src*='/api/v1/badge.svg']")).to_have_attribute(
        "src", re.compile(r"[?&]v=1$"))
    page.reload()
    expect(page.locator(".engage-title")).to_have_text("One comment")
    expect(views).to_have_text("1")

    second = Reader(browser, user_agent=OTHER_UA)
    expect(second.open(demo).locator(f'article [data-engage-views="{key}"]')).to_have_text("2")

    lister = Reader(browser)
    listing = lister.page
    listing.goto(live_server.url + "/demo/articles")
    expect(listing.locator(f'[data-engage-views="{key}"]')).to_have_text("2")
    expect(listing.locator(f'[data-engage-comments="{key}"]')).to_have_text("1")
    count_calls = [url for method, url in lister.requests if "/api/v1/counts" in url]
    assert len(count_calls) == 1
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(count_calls[0]).query)["article"] == [
        f"/demo/articles/{slug}" for slug in (
            "river-bridge-reopens", "library-late-fees", "heat-pump-grants", "night-trains-return")]
    assert not [url for method, url in lister.requests if method == "POST"]
    for person in (first, second, lister):
        person.assert_clean()
        person.close()


# --------------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo_thread(live_server):
    """A short conversation under the demo's featured article."""
    key = "/demo/articles/river-bridge-reopens"
    first = seed(live_server, key, "Finally! I used to cycle the **long** way round.",
                 name="Mara's neighbour", author_url="https://example.org/")
    seed(live_server, key, "Same here, it added 15 minutes each way.", name="Jonas",
         parent_id=first["id"])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_demo_page_screenshots(live_server, demo_thread, browser, artifacts_dir, scheme):
    person = Reader(browser, color_scheme=scheme, viewport={"width": 1000, "height": 900})
    page = person.open(live_server.url + "/demo")
    assert urllib.parse.urlsplit(page.url).hostname == "127.0.0.1"
    expect(page.locator("#engage-comments")).to_have_attribute("data-engage-theme", scheme)
    expect(page.locator(".engage-title")).to_have_text("2 comments")
    expect(page.locator(".related [data-engage-views]").first).not_to_have_text("–")
    page.wait_for_load_state("networkidle")
    path = artifacts_dir / f"demo-{scheme}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    person.assert_clean()
    person.close()


# --------------------------------------------------------------------------- small contracts


def test_counts_are_shortened_exactly_like_the_server_badge(browser):
    from engage.pageviews.badge import format_count
    from engage.widget.routes import ASSET_DIR

    source = (ASSET_DIR / "engage.js").read_text()
    compact = re.search(r"function compact\(n\) \{.*?\n  \}\n", source, re.S).group(0)
    values = [0, 7, 999, 1000, 1050, 1234, 9999, 12345, 99999, 123456, 999999, 1000000,
              3400000, 123456789, 999999999, 1000000000, 12345678901]
    page = browser.new_page()
    shown = page.evaluate(f"(values) => {{ {compact}; return values.map(compact); }}", values)
    page.close()
    assert shown == [format_count(value) for value in values]


def test_auto_theme_follows_the_site_switching_to_dark(live_server, site, reader):
    page = reader.open(site_url(site, live_server.url, unique_article("theme")))
    widget = page.locator("#engage-comments")
    expect(widget).to_have_attribute("data-engage-theme", "light")
    page.evaluate("document.body.style.background = '#121212'")
    expect(widget).to_have_attribute("data-engage-theme", "dark")
    page.evaluate("document.body.style.background = '#fdfdfd'")
    expect(widget).to_have_attribute("data-engage-theme", "light")
    reader.assert_clean()
