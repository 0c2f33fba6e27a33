"""Staff replies and pins in real headless Chromium against ``engage serve``: a moderator
answers a reader from the queue card (keyboard only: the reply box opens with Enter and
publishes with Ctrl+Enter) and pins a comment; a reader on the plain test site (another origin)
sees the reply under the comment it answers with the staff badge, and the pinned comment first
and marked. Screenshots go to test-artifacts/ (queue at desktop and phone width, widget)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from engage import create_app
from engage.db import db
from engage.moderators.accounts import create_moderator
from tests.queue.test_browser import page
from tests.widget.test_widget_browser import (comment_item, live_server_config, reader, seed,
                                              site, site_url, unique_article)

pytestmark = pytest.mark.browser
__all__ = ["live_server_config", "page", "reader", "site"]  # fixtures shared with other tests

NAME, PASSWORD = "newsdesk", "a long moderator password"


@pytest.fixture(scope="module")
def moderator_account(live_server):
    app = create_app(live_server.settings)
    with app.app_context():
        create_moderator(db.session, NAME, PASSWORD)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return NAME


@pytest.fixture
def desk(page, moderator_account, live_server):
    """The moderator's page (the queue tests' ``page``: console errors and CSP violations are
    recorded in ``page.problems``), logged in."""
    page.goto(live_server.url + "/moderate")
    page.fill("input[name=name]", NAME)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/moderate")
    return page


def test_reply_as_staff_and_pin_from_the_queue_then_the_widget_shows_both(
        live_server, site, reader, desk, artifacts_dir):
    article = unique_article("staff")
    question = seed(live_server, article, "Who checked the figures in this story?")
    seed(live_server, article, "A second thought, in the middle.")
    praise = seed(live_server, article, "The best summary of the budget I have read.")

    desk.goto(f"{live_server.url}/moderate?status=approved&article={article}")
    card = desk.locator(f"#c{question['id']}")
    expect(card).to_be_visible()
    summary = card.locator(".reply-menu summary")
    summary.focus()
    desk.keyboard.press("Enter")  # a <details> opens from the keyboard
    box = card.locator(".reply-menu textarea")
    expect(box).to_be_visible()
    box.focus()
    desk.keyboard.type("Our data desk did; the sources are linked below.")
    desk.screenshot(path=str(artifacts_dir / "staff-reply-queue.png"), full_page=True)
    desk.keyboard.press("Control+Enter")
    expect(desk.locator("#live")).to_contain_text("published under comment")
    expect(box).to_have_value("")

    pin = desk.locator(f"#c{praise['id']} button[data-pin]")
    expect(pin).to_have_text("Pin")
    pin.click()
    expect(pin).to_have_text("Unpin")
    expect(desk.locator(f"#c{praise['id']} .badge.pinned")).to_be_visible()

    desk.set_viewport_size({"width": 390, "height": 844})
    desk.reload()
    desk.locator(f"#c{question['id']} .reply-menu summary").click()
    desk.screenshot(path=str(artifacts_dir / "staff-reply-queue-phone.png"), full_page=True)
    box = desk.locator(f"#c{question['id']} .reply-menu textarea").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box  # the reply box fits a phone
    assert desk.problems == []

    page = reader.open(site_url(site, live_server.url, article))
    first = page.locator(".engage-thread > li.engage-comment").first
    expect(first.locator(":scope > article .engage-body")).to_contain_text("best summary")
    expect(first.locator(":scope > article .engage-pin")).to_have_text("Pinned")
    staff = comment_item(page, "Our data desk did")
    expect(staff.locator(".engage-staff")).to_have_text("Staff")
    expect(staff.locator(".engage-author")).to_have_text(NAME)
    # threaded: the reply's <li> sits in the children of the comment it answers
    expect(comment_item(page, "Who checked the figures").locator(
        ".engage-children .engage-staff")).to_have_count(1)
    expect(page.locator(".engage-pin")).to_have_count(1)
    page.locator("#engage-comments").screenshot(path=str(artifacts_dir / "staff-widget.png"))
    reader.assert_clean()
