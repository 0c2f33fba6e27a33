"""Live updates in the widget, in real headless Chromium: a comment published while the page
is open waits behind "1 new comment — show" and goes in without moving the thread; where the
server holds no streams, the periodic check finds it. Screenshots go to test-artifacts/."""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.conftest import BASE_TEST_CONFIG
from tests.servers import EngageServer, free_port
from tests.widget.test_widget_browser import Reader, comment_item, seed, unique_article

pytestmark = pytest.mark.browser

PORT = free_port()
ORIGIN = f"http://127.0.0.1:{PORT}"


class _Page(BaseHTTPRequestHandler):
    """``/?api=URL&article=K&poll=S``: an article page with the widget checking every S s."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        args = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Live</title><link rel="icon" href="data:,"></head><body><h1>Live</h1>
<div id="engage-comments" data-article="{args['article']}" data-poll="{args.get('poll', '30')}"></div>
<script src="{args['api']}/widget/engage.js" async></script></body></html>""".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def page_site():
    server = ThreadingHTTPServer(("127.0.0.1", PORT), _Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield ORIGIN
    server.shutdown()
    server.server_close()


def _server(tmp_path_factory, **settings):
    server = EngageServer({**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp_path_factory.mktemp("live")),
                           "ALLOWED_ORIGINS": ORIGIN, **settings}, port=free_port())
    server.start()
    return server


@pytest.fixture(scope="module")
def streaming_server(tmp_path_factory):
    server = _server(tmp_path_factory, LIVE_STREAMS="on")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def polling_server(tmp_path_factory):
    """A server that holds no streams (204): the widget must fall back to its check."""
    server = _server(tmp_path_factory, LIVE_STREAMS="off")
    yield server
    server.stop()


def url(site: str, server, article: str, poll: int = 30) -> str:
    return f"{site}/?" + urllib.parse.urlencode({"api": server.url, "article": article,
                                                  "poll": poll})


def test_a_new_comment_waits_behind_a_button_then_goes_in(streaming_server, page_site,
                                                          browser, artifacts_dir):
    article = unique_article("live")
    seed(streaming_server, article, "Already here.")
    reader = Reader(browser)
    try:
        page = reader.open(url(page_site, streaming_server, article))
        page.wait_for_function("() => !!document.querySelector('.engage-live')")
        page.wait_for_timeout(500)  # the stream is open before the comment is published
        seed(streaming_server, article, "Arrived live.", name="Bob")
        button = page.get_by_role("button", name="One new comment — show")
        expect(button).to_be_visible(timeout=10_000)
        expect(page.locator(".engage-live-status")).to_have_text("One new comment — show")
        expect(comment_item(page, "Arrived live.")).to_have_count(0)  # nothing moved yet
        page.screenshot(path=str(artifacts_dir / "widget-live-button.png"), full_page=True)
        button.click()
        expect(comment_item(page, "Arrived live.")).to_have_count(1)
        expect(page.locator(".engage-title")).to_have_text("2 comments")
        expect(page.locator(".engage-live-status")).to_have_text("New comments shown.")
        expect(comment_item(page, "Arrived live.").locator(":scope > article")).to_be_focused()
        expect(button).to_be_hidden()
        reader.assert_clean()
    finally:
        reader.close()


def test_without_streams_the_periodic_check_finds_new_comments(polling_server, page_site,
                                                               browser):
    article = unique_article("poll")
    seed(polling_server, article, "Already here.")
    reader = Reader(browser)
    try:
        page = reader.open(url(page_site, polling_server, article, poll=5))
        page.wait_for_function("() => !!document.querySelector('.engage-live')")
        seed(polling_server, article, "Found by the check.", name="Bob")
        button = page.get_by_role("button", name="One new comment — show")
        expect(button).to_be_visible(timeout=15_000)
        button.click()
        expect(comment_item(page, "Found by the check.")).to_have_count(1)
        assert any("/api/v1/counts" in u for _, u in reader.requests)
        # the 204 from /stream is the server's "no streams here", not a failure to report
        reader.problems = [p for p in reader.problems if "/api/v1/stream" not in p]
        reader.assert_clean()
    finally:
        reader.close()
