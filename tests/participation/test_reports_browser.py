"""Reports end to end in real headless Chromium against ``engage serve``: a reader reports a
comment from the widget (an illegal-content notice, keyboard only) and sees its reference; a
moderator finds it in the Reported tab with its reason chip and dismisses it. Screenshots go
to test-artifacts/ (widget, queue at desktop and phone width)."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from engage import create_app
from engage.db import db
from engage.moderators.accounts import create_moderator
from tests.widget.test_widget_browser import (comment_item, live_server_config, reader, seed,
                                              site, site_url, unique_article)

pytestmark = pytest.mark.browser
__all__ = ["live_server_config", "reader", "site"]  # fixtures shared with the widget tests

NAME, PASSWORD = "rhea", "a long moderator password"


def api_report(server, comment_id: int, body: dict, user_agent: str = "Mozilla/5.0 (R)") -> dict:
    """Report a comment as a reader's browser would, without the widget."""
    request = urllib.request.Request(
        f"{server.url}/api/v1/comments/{comment_id}/reports", method="POST",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "User-Agent": user_agent})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def moderator_account(live_server):
    app = create_app(live_server.settings)
    with app.app_context():
        create_moderator(db.session, NAME, PASSWORD)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_report_from_the_widget_then_dismiss_in_the_reported_tab(live_server, site, reader,
                                                                 browser, moderator_account,
                                                                 artifacts_dir):
    article = unique_article("reports")
    seed(live_server, article, "A claim about a named person.")
    page = reader.open(site_url(site, live_server.url, article))
    item = comment_item(page, "A claim about a named person.")
    button = item.get_by_role("button", name="Report the comment by Ada Reader")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    form = item.locator("form.engage-report-form")
    expect(form.get_by_role("group", name="Why are you reporting this comment?")).to_be_visible()
    form.get_by_role("button", name="Send report").click()
    expect(form.locator(".engage-error")).to_have_text("Choose a reason.")
    form.get_by_label("Illegal content").check()
    expect(form.locator(".engage-dsa")).to_be_visible()
    form.get_by_role("button", name="Send report").click()  # no explanation yet
    expect(form.locator(".engage-error")).to_contain_text("Explain why")
    form.get_by_label("Note (optional)").fill("It accuses a named person of a crime.")
    form.get_by_label("I confirm in good faith").check()
    form.get_by_label("Your email, for the outcome").fill("rita@example.org")
    page.screenshot(path=str(artifacts_dir / "widget-report-form.png"), full_page=True)
    form.get_by_role("button", name="Send report").click()
    done = item.locator(".engage-reported")
    expect(done).to_contain_text("Your report's reference:")
    expect(done).to_be_focused()
    assert len(done.inner_text().rsplit(": ", 1)[1]) >= 20
    expect(form).to_have_count(0)
    page.screenshot(path=str(artifacts_dir / "widget-reported.png"), full_page=True)
    reader.assert_clean()

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        queue = context.new_page()
        problems: list[str] = []
        queue.on("pageerror", lambda error: problems.append(str(error)))
        queue.goto(live_server.url + "/moderate")
        queue.fill("input[name=name]", NAME)
        queue.fill("input[name=password]", PASSWORD)
        queue.click("button[type=submit]")
        queue.wait_for_url(live_server.url + "/moderate")
        tab = queue.locator('.tabs a[data-status="reported"]')
        expect(tab.locator(".count")).to_have_text("1")
        tab.click()
        expect(tab).to_have_attribute("aria-current", "page")
        card = queue.locator(".card", has_text="A claim about a named person.")
        expect(card.locator(".reports")).to_contain_text("Reported 1×")
        expect(card.locator(".chip.report-illegal")).to_contain_text("illegal content")
        expect(card.locator(".report-notes")).to_contain_text("accuses a named person")
        expect(card).not_to_contain_text("rita@example.org")
        queue.screenshot(path=str(artifacts_dir / "moderation-reported.png"), full_page=True)
        queue.set_viewport_size({"width": 390, "height": 844})
        queue.screenshot(path=str(artifacts_dir / "moderation-reported-phone.png"),
                         full_page=True)
        dismiss = card.get_by_role("button", name="Dismiss reports")
        dismiss.focus()
        queue.keyboard.press("Enter")
        expect(card).to_be_hidden()
        expect(tab.locator(".count")).to_have_text("0")
        queue.reload()
        expect(queue.locator(".card", has_text="A claim about a named person.")).to_have_count(0)
        assert problems == []
    finally:
        context.close()
    # the comment stays published
    page.reload()
    expect(comment_item(page, "A claim about a named person.")).to_have_count(1)
