"""Votes, sort, edit and delete in the widget, in real headless Chromium against ``engage
serve``, on the plain test site (another origin, so CORS preflights for PATCH and DELETE with
an Authorization header are real). Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.widget.test_widget_browser import (OTHER_UA, READER_UA, Reader, comment_item,
                                              fill_form, live_server_config, reader, seed,
                                              site, site_url, submit, unique_article)

pytestmark = pytest.mark.browser
__all__ = ["live_server_config", "reader", "site"]  # fixtures shared with the widget tests


def api_vote(server, comment_id: int, value: int, user_agent: str):
    request = urllib.request.Request(
        f"{server.url}/api/v1/comments/{comment_id}/votes", method="POST",
        data=json.dumps({"value": value}).encode(),
        headers={"Content-Type": "application/json", "User-Agent": user_agent})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def top_level_bodies(page) -> list[str]:
    return page.locator(".engage-thread > li.engage-comment > article .engage-body").all_inner_texts()


def test_a_reader_votes_and_sees_the_score_and_the_pressed_button(live_server, site, reader,
                                                                  browser, artifacts_dir):
    article = unique_article("votes")
    seed(live_server, article, "Vote for me.")
    page = reader.open(site_url(site, live_server.url, article))
    item = comment_item(page, "Vote for me.")
    up = item.get_by_role("button", name="Upvote the comment by Ada Reader")
    up.focus()
    page.keyboard.press("Enter")  # keyboard alone
    expect(item.locator(".engage-score")).to_have_text("1")
    expect(up).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=str(artifacts_dir / "widget-votes.png"), full_page=True)
    page.reload()
    item = comment_item(page, "Vote for me.")
    expect(item.locator(".engage-score")).to_have_text("1")
    expect(item.get_by_role("button", name="Upvote the comment by Ada Reader")).to_have_attribute(
        "aria-pressed", "true")
    other = Reader(browser, user_agent=OTHER_UA)
    try:
        page2 = other.open(site_url(site, live_server.url, article))
        item2 = comment_item(page2, "Vote for me.")
        item2.get_by_role("button", name="Downvote the comment by Ada Reader").click()
        expect(item2.locator(".engage-score")).to_have_text("0")
        other.assert_clean()
    finally:
        other.close()
    reader.assert_clean()


def test_the_reader_picks_a_sort_and_the_widget_remembers_it(live_server, site, reader,
                                                             artifacts_dir):
    article = unique_article("sort")
    first = seed(live_server, article, "The first remark.")
    seed(live_server, article, "The second remark.")
    liked = seed(live_server, article, "The liked remark.")
    seed(live_server, article, "A reply to the first.", parent_id=first["id"])
    for agent in (READER_UA, OTHER_UA, "Mozilla/5.0 (Macintosh) Safari/605.1.15"):
        api_vote(live_server, liked["id"], 1, agent)
    page = reader.open(site_url(site, live_server.url, article))
    sort = page.get_by_label("Sort by")
    expect(sort).to_have_value("oldest")
    assert top_level_bodies(page) == ["The first remark.", "The second remark.",
                                      "The liked remark."]
    sort.select_option("newest")
    expect(page.locator(".engage-thread > li.engage-comment").first).to_contain_text("liked")
    assert top_level_bodies(page) == ["The liked remark.", "The second remark.",
                                      "The first remark."]
    expect(comment_item(page, "The first remark.").locator(":scope > .engage-children")).to_contain_text(
        "A reply to the first.")
    sort.select_option("best")
    expect(page.locator(".engage-thread > li.engage-comment").first).to_contain_text("liked")
    assert top_level_bodies(page)[0] == "The liked remark."
    page.screenshot(path=str(artifacts_dir / "widget-sort-best.png"), full_page=True)
    page.reload()
    expect(page.get_by_label("Sort by")).to_have_value("best")
    assert any("sort=best" in url for method, url in reader.requests if "/api/v1/comments?" in url)
    reader.assert_clean()


def test_the_author_edits_within_the_window_and_deletes(live_server, site, reader,
                                                        artifacts_dir):
    article = unique_article("edit")
    page = reader.open(site_url(site, live_server.url, article))
    fill_form(page, "Teh typo is here.")
    submit(page)
    item = comment_item(page, "Teh typo")
    item.get_by_role("button", name="Edit").click()
    box = item.get_by_role("textbox", name="Edit your comment")
    expect(box).to_be_focused()
    box.fill("The typo is fixed.")
    item.get_by_role("button", name="Save").click()
    item = comment_item(page, "The typo is fixed.")
    expect(item.locator(".engage-edited")).to_contain_text("edited")
    expect(page.locator(".engage-status")).to_have_text("Your edit has been saved.")
    page.screenshot(path=str(artifacts_dir / "widget-edited.png"), full_page=True)
    page.reload()  # the edit is public, and the key still works after a reload
    item = comment_item(page, "The typo is fixed.")
    expect(item.locator(".engage-edited")).to_contain_text("edited")
    delete = item.get_by_role("button", name="Delete")
    delete.click()
    expect(item.get_by_role("button", name="Really delete?")).to_be_visible()
    item.get_by_role("button", name="Really delete?").click()
    expect(page.locator(".engage-status")).to_have_text("Your comment has been deleted.")
    expect(comment_item(page, "The typo is fixed.")).to_have_count(0)
    expect(page.locator(".engage-title")).to_have_text("No comments yet")
    reader.assert_clean()


def test_others_see_no_edit_buttons_and_a_deleted_parent_keeps_its_replies(live_server, site,
                                                                          reader, browser):
    article = unique_article("deleted")
    page = reader.open(site_url(site, live_server.url, article))
    fill_form(page, "A parent that will go.")
    submit(page)
    parent = comment_item(page, "A parent that will go.")
    expect(parent.get_by_role("button", name="Edit")).to_be_visible()
    parent_id = int(parent.locator("article").get_attribute("id").rsplit("-", 1)[1])
    seed(live_server, article, "A reply that stays.", parent_id=parent_id, name="Bob")
    other = Reader(browser, user_agent=OTHER_UA)
    try:
        page2 = other.open(site_url(site, live_server.url, article))
        expect(comment_item(page2, "A parent").get_by_role("button", name="Edit")).to_have_count(0)
        expect(comment_item(page2, "A parent").get_by_role("button", name="Delete")).to_have_count(0)
    finally:
        other.close()
    page.reload()
    parent = comment_item(page, "A parent that will go.")
    parent.get_by_role("button", name="Delete").click()
    parent.get_by_role("button", name="Really delete?").click()
    expect(page.locator(".engage-status")).to_have_text("Your comment has been deleted.")
    page.reload()
    kept = page.locator(".engage-thread > li.engage-comment").first
    expect(kept.locator(":scope > article .engage-body")).to_have_text("[deleted]")
    expect(kept.locator(":scope > .engage-children")).to_contain_text("A reply that stays.")
    reader.assert_clean()
