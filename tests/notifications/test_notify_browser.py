"""The widget's mail notification choice, in real headless Chromium against ``engage serve``
with a real SMTP server on loopback: the choice appears only where the site asks for it
(``data-notify="on"``), is reached by keyboard, goes with the comment, and the reader who
asked is told that a confirmation link may be in their inbox; the server then mails it."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.notifications.smtp_sink import PUBLIC_URL, SmtpSink
from tests.widget.test_widget_browser import (SITE_ORIGIN, fill_form, reader, site, site_url,
                                              submit, unique_article)

pytestmark = pytest.mark.browser
__all__ = ["reader", "site"]  # fixtures shared with the widget tests

HINT = "If this address is not confirmed yet, check your inbox for the confirmation link."


@pytest.fixture(scope="module")
def module_sink():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="module")
def live_server_config(module_sink) -> dict:
    return {"ALLOWED_ORIGINS": SITE_ORIGIN, "SMTP_URL": module_sink.url,
            "PUBLIC_URL": PUBLIC_URL, "MAIL_FROM": "comments@example.org"}


def _mails_to(sink, address: str, wait: float = 15.0) -> list:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = [m for m in sink.messages if m["To"] == address]
        if found:
            return found
        time.sleep(0.1)
    return []


def test_without_data_notify_the_widget_offers_no_mail(live_server, site, reader):
    page = reader.open(site_url(site, live_server.url, unique_article("no-notify")))
    expect(page.locator("form.engage-form")).to_be_visible()
    expect(page.locator("#engage-notify")).to_have_count(0)


def test_asking_for_replies_tells_the_reader_and_mails_the_confirmation(
        live_server, site, reader, module_sink):
    page = reader.open(site_url(site, live_server.url, unique_article("notify"), notify="on"))
    choice = page.get_by_label("Email me:")
    expect(choice).to_be_visible()
    assert page.eval_on_selector_all("#engage-notify option", "os => os.map(o => o.value)") == [
        "none", "replies", "article"]

    # nothing asked: the usual answer, and no mail
    fill_form(page, "A first comment, no mail for me.", email="quiet@example.org")
    submit(page)
    status = page.locator(".engage-status")
    expect(status).to_have_text("Your comment has been published.")

    # by keyboard: focus the choice, pick "replies", post
    choice.focus()
    page.keyboard.press("ArrowDown")
    expect(choice).to_have_value("replies")
    fill_form(page, "Tell me when somebody answers this one.", email="mia@example.org")
    submit(page)
    expect(status).to_have_text(f"Your comment has been published. {HINT}")
    [confirmation] = _mails_to(module_sink, "mia@example.org")
    assert "/subscriptions/confirm/" in confirmation.get_body(("plain",)).get_content()
    assert _mails_to(module_sink, "quiet@example.org", wait=0.5) == []
