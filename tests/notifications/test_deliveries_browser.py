"""The failed-deliveries page in Chromium: axe-core finds no serious violations (light, dark;
desktop, phone), nothing overflows a phone's width, and the Retry button works from the
keyboard without any script."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from engage import create_app
from engage.db import db, utcnow
from engage.moderators.accounts import create_moderator
from engage.notifications.models import FAILED, OutboxMessage, new_id
from tests.a11y.test_axe import VIEWPORTS, axe_source, serious  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser
NAME, PASSWORD = "ada-deliveries", "a password for the deliveries page"


@pytest.fixture(scope="module")
def failed_ids(live_server) -> list[str]:
    app = create_app(live_server.settings)
    ids = [new_id() for _ in range(3)]
    with app.app_context():
        create_moderator(db.session, NAME, PASSWORD)
        for n, message_id in enumerate(ids):
            db.session.add(OutboxMessage(
                id=message_id, channel="webhook", state=FAILED, attempts=12 + n,
                payload={"webhook": "gone", "format": "engage",
                         "event": {"type": "comment.held"}},
                last_error="the receiver answered 503 " + "and a very long explanation " * 8,
                next_attempt_at=utcnow(), created_at=utcnow() - timedelta(hours=n)))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return ids


def _log_in(page, url: str) -> None:
    page.goto(url + "/moderate/deliveries")
    page.fill("input[name=name]", NAME)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/moderate/deliveries")


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_is_accessible_and_fits(live_server, failed_ids, browser, axe_source, scheme,
                                         viewport, artifacts_dir):
    context = browser.new_context(color_scheme=scheme, viewport=VIEWPORTS[viewport],
                                  bypass_csp=True)
    try:
        page = context.new_page()
        _log_in(page, live_server.url)
        expect(page.get_by_role("button", name=f"Retry delivery {failed_ids[0]}")).to_be_visible()
        found = serious(page, axe_source)
        page.screenshot(path=str(artifacts_dir / f"deliveries-{scheme}-{viewport}.png"),
                        full_page=True)
        assert found == [], json.dumps(found, indent=1)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        context.close()


def test_retry_from_the_keyboard(live_server, failed_ids, browser):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORTS["phone"])
    try:
        page = context.new_page()
        _log_in(page, live_server.url)
        target = failed_ids[-1]
        button = page.get_by_role("button", name=f"Retry delivery {target}")
        for _ in range(40):  # Tab through the page until the button has the focus
            page.keyboard.press("Tab")
            if button.evaluate("b => b === document.activeElement"):
                break
        else:
            pytest.fail("the Retry button is not reachable with Tab")
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text(target)
        expect(page.get_by_role("button", name=f"Retry delivery {target}")).to_have_count(0)
    finally:
        context.close()
