"""Widget languages in real Chromium: Arabic lays the widget out right to left, with Arabic
texts and numbers formatted by Intl; German stays left to right. Screenshots in
test-artifacts/."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from engage.widget import catalogs
from tests.widget.test_widget_browser import (live_server_config, reader, seed, site, site_url,
                                              unique_article)

pytestmark = pytest.mark.browser
__all__ = ["live_server_config", "reader", "site"]  # fixtures shared with the widget tests


def test_arabic_is_right_to_left_with_arabic_texts(live_server, site, reader, artifacts_dir):
    article = unique_article("arabic")
    seed(live_server, article, "تعليق أول")
    seed(live_server, article, "تعليق ثان")
    arabic = catalogs.load("ar").messages
    page = reader.open(site_url(site, live_server.url, article, lang="ar"))
    root = page.locator("#engage-comments")
    expect(root).to_have_attribute("dir", "rtl")
    expect(root).to_have_attribute("lang", "ar")
    expect(page.locator(".engage-title")).to_have_text(arabic["comments"]["two"])
    expect(page.get_by_role("button", name=arabic["post"])).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.engage-comments')).direction") == "rtl"
    # right to left: the avatar sits to the right of the comment's text
    first = page.locator("li.engage-comment").first
    avatar = first.locator(".engage-avatar").bounding_box()
    body = first.locator(".engage-body").bounding_box()
    assert avatar["x"] > body["x"] + body["width"] / 2, json.dumps([avatar, body])
    page.screenshot(path=str(artifacts_dir / "widget-arabic-rtl.png"), full_page=True)
    reader.assert_clean()


def test_german_stays_left_to_right(live_server, site, reader):
    article = unique_article("german")
    seed(live_server, article, "Ein Kommentar.")
    page = reader.open(site_url(site, live_server.url, article, lang="de"))
    expect(page.locator("#engage-comments")).to_have_attribute("dir", "ltr")
    expect(page.locator(".engage-title")).to_have_text("Ein Kommentar")
    expect(page.get_by_label("Sortieren nach")).to_be_visible()
    reader.assert_clean()
