"""Accessibility: axe-core (the npm package, tests/a11y/package.json; `make test` installs it)
injected by Playwright into real pages in Chromium, in light and dark themes, on a desktop
and a phone viewport. Zero serious or critical violations on the demo article with the
widget (with votes, sort, and the author's own edit controls showing), on the widget's report
form (with the illegal-content fields), on the queue page and on its Reported tab.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from engage import create_app
from engage.articles import get_or_create_article
from engage.comments.models import Comment, CommentStatus
from engage.db import db, utcnow
from engage.moderators.accounts import create_moderator
from engage.queue.suspension_models import Suspension, SuspensionKind
from tests.conftest import REQUIRE_BACKENDS
from tests.widget.test_widget_browser import seed
from tests.participation.test_reports_browser import api_report

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
DEMO_ARTICLE = "/demo/articles/river-bridge-reopens"
NAME, PASSWORD = "ada-a11y", "an accessible moderator password"
VIEWPORTS = {"desktop": {"width": 1100, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        message = "axe-core is not installed: run `npm ci --prefix tests/a11y` (make test does)"
        if REQUIRE_BACKENDS:
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


@pytest.fixture(scope="module")
def seeded(live_server):
    first = seed(live_server, DEMO_ARTICLE, "Finally! I used to cycle the **long** way round.",
                 name="Mara's neighbour", author_url="https://example.org/")
    seed(live_server, DEMO_ARTICLE, "Same here, it added 15 minutes each way.", name="Jonas",
         parent_id=first["id"])
    api_report(live_server, first["id"], {"reason": "illegal", "good_faith": True,
                                          "message": "It names a private person."})
    app = create_app(live_server.settings)
    with app.app_context():
        create_moderator(db.session, NAME, PASSWORD)
        article = get_or_create_article(db.session, "/news/a11y")
        db.session.add(Comment(
            article_id=article.id, status=CommentStatus.PENDING, author_name="Casey",
            author_email="casey@example.org", body="Held for review: casino", ip_prefix=None,
            body_html="<p>Held for review: casino</p>", reasons=[
                {"rule": "moderation_words", "evidence": ["casino"],
                 "reason": "contains words that moderators review"}]))
        now = utcnow()  # an active suspension: the queue page lists it with its Lift button
        db.session.add(Suspension(kind=SuspensionKind.EMAIL, value="troll@example.org",
                                  shadow=True, reason="insults", created_by=NAME,
                                  created_at=now, until=now + timedelta(days=1)))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def serious(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => JSON.stringify(await axe.run(document, "
                           "{resultTypes: ['violations']}))")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in json.loads(result)["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_demo_article_with_the_widget(live_server, seeded, browser, axe_source, scheme,
                                          viewport, artifacts_dir):
    context = browser.new_context(color_scheme=scheme, viewport=VIEWPORTS[viewport],
                                  bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/demo")
        expect(page.locator(".engage-title")).to_contain_text("comments")
        # the reader's own comment: its edit and delete controls are checked too
        page.get_by_role("textbox", name="Comment").fill("My own remark, editable.")
        page.get_by_role("textbox", name="Name").fill("Bea")
        page.get_by_role("textbox", name="Email").fill("bea@example.org")
        page.get_by_role("button", name="Post Comment").click()
        expect(page.get_by_role("button", name="Edit")).to_be_visible()
        expect(page.get_by_label("Sort by")).to_be_visible()
        page.wait_for_load_state("networkidle")
        found = serious(page, axe_source)
        page.screenshot(path=str(artifacts_dir / f"a11y-demo-{scheme}-{viewport}.png"),
                        full_page=True)
        assert found == [], json.dumps(found, indent=1)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_queue_page(live_server, seeded, browser, axe_source, scheme, viewport,
                        artifacts_dir):
    context = browser.new_context(color_scheme=scheme, viewport=VIEWPORTS[viewport],
                                  bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/moderate")
        page.fill("input[name=name]", NAME)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(live_server.url + "/moderate")
        expect(page.locator(".card").first).to_be_visible()
        page.locator("#suspensions summary").click()  # the staff menus and list, open
        page.locator(".card .suspend-menu summary").first.click()
        found = serious(page, axe_source)
        page.screenshot(path=str(artifacts_dir / f"a11y-queue-{scheme}-{viewport}.png"),
                        full_page=True)
        assert found == [], json.dumps(found, indent=1)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_report_form_and_the_reported_tab(live_server, seeded, browser, axe_source, scheme,
                                              viewport, artifacts_dir):
    context = browser.new_context(color_scheme=scheme, viewport=VIEWPORTS[viewport],
                                  bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/demo")
        page.locator(".engage-report").first.click()
        page.get_by_label("Illegal content").first.check()
        expect(page.locator(".engage-dsa").first).to_be_visible()
        found = serious(page, axe_source)
        page.screenshot(path=str(artifacts_dir / f"a11y-report-{scheme}-{viewport}.png"),
                        full_page=True)
        assert found == [], json.dumps(found, indent=1)
        page.goto(live_server.url + "/moderate?reported=1")
        page.fill("input[name=name]", NAME)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/moderate?reported=1")
        expect(page.locator(".card .reports").first).to_be_visible()
        found = serious(page, axe_source)
        page.screenshot(path=str(artifacts_dir / f"a11y-reported-{scheme}-{viewport}.png"),
                        full_page=True)
        assert found == [], json.dumps(found, indent=1)
    finally:
        context.close()


def test_the_login_page(live_server, browser, axe_source):
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/login")
        assert serious(page, axe_source) == []
    finally:
        context.close()


def test_the_check_finds_a_planted_violation(live_server, seeded, browser, axe_source):
    """The check can fail: a nameless button and grey-on-grey text in the widget are found."""
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/demo")
        expect(page.locator(".engage-title")).to_contain_text("comments")
        page.evaluate("""() => {
            const root = document.querySelector('#engage-comments');
            root.appendChild(document.createElement('button'));
            const faint = document.createElement('p');
            faint.textContent = 'hard to read';
            faint.style.color = '#bbb'; faint.style.background = '#fff';
            root.appendChild(faint);
        }""")
        assert {v["id"] for v in serious(page, axe_source)} >= {"button-name", "color-contrast"}
    finally:
        context.close()
