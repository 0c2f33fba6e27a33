"""The queue page without JavaScript: cards, tabs, filters, form actions, CSRF, escaping."""

from __future__ import annotations

import re

import pytest

from engage.comments.models import CommentStatus


def page(client, **params) -> str:
    response = client.get("/moderate", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_a_card_shows_who_where_why(logged_in, make_comment):
    reasons = [
        {"rule": "moderation_words", "reason": "contains words that moderators review",
         "evidence": ["casino"]},
        {"rule": "links", "reason": "3 links (held from 3)",
         "evidence": ["http://a.example/x", "http://b.example/", "http://c.example/"]},
        {"rule": "spam_filter", "reason": "the spam filter scored 0.93",
         "evidence": {"tokens": ["casino", "bonus"]}},
    ]
    make_comment(author_name="Max Power", author_email="max@power.example",
                 author_url="https://power.example", ip_prefix="203.0.113.0/24",
                 body="Best casino bonus", body_html="<p>Best casino bonus</p>",
                 reasons=reasons, spam_score=0.93)
    html = page(logged_in)
    for text in ("Max Power", "max@power.example", "https://power.example", "203.0.113.0/24",
                 "/news/launch", "<p>Best casino bonus</p>", "review words",
                 "<mark>casino</mark>", "3 links", "http://b.example/", "spam score", "0.93",
                 "<code>bonus</code>", "Mozilla/5.0 (test)"):
        assert text in html, text
    assert 'data-highlight="[&#34;casino&#34;]"' in html


def test_tabs_show_live_counts_and_the_current_tab(logged_in, make_comment):
    make_comment()
    make_comment(status=CommentStatus.SPAM)
    make_comment(status=CommentStatus.SPAM)
    html = page(logged_in, status="spam")
    assert re.search(r'data-count="pending">1<', html)
    assert re.search(r'data-count="spam">2<', html)
    assert re.search(r'data-count="all">3<', html)
    assert re.search(r'aria-current="page" class="current">\s*Spam', html)


def test_everything_a_reader_typed_is_escaped(logged_in, make_comment):
    make_comment(author_name='<script>alert("n")</script>', author_email="x@y.example",
                 author_url='https://e.example/"><script>alert(1)</script>',
                 user_agent="<img src=x onerror=alert(1)>",
                 reasons=[{"rule": "<b>rule</b>", "reason": "<i>why</i>",
                           "evidence": ["<svg onload=alert(1)>"]}])
    html = page(logged_in)
    assert "<script>alert" not in html
    assert "<img src=x" not in html and "<svg onload" not in html
    assert "<b>rule</b>" not in html and "<i>why</i>" not in html
    assert "&lt;script&gt;alert(&#34;n&#34;)&lt;/script&gt;" in html


def test_pages_forbid_inline_scripts_and_framing(logged_in):
    response = logged_in.get("/moderate")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["Cache-Control"] == "no-store"


def test_keyset_next_link_and_filters_survive_paging(logged_in, make_comment, config_overrides):
    ids = [make_comment(article="/news/a").id for _ in range(3)]
    html = page(logged_in, article="/news/a", limit=2)
    match = re.search(r'href="([^"]+)" rel="next"', html)
    assert match
    link = match.group(1).replace("&amp;", "&")
    assert "article=/news/a" in link and "limit=2" in link and f"cursor={ids[1]}" in link


def test_a_card_button_decides_one_comment_and_returns_to_the_same_view(logged_in,
                                                                        make_comment):
    comment = make_comment(article="/news/a")
    response = logged_in.post("/moderate/actions", data={
        "csrf_token": logged_in.csrf, "one": f"{comment.id}:approve",
        "view": "status=pending&article=/news/a"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/moderate?") and "article=/news/a" in location
    assert "done=approve" in location
    html = page(logged_in, status="approved")
    assert f'id="c{comment.id}"' in html and "Approved by <strong>alice</strong>" in html
    assert "pending → approved" in html
    assert "Approved 1." in logged_in.get(location).get_data(as_text=True)


def test_bulk_buttons_act_on_the_checked_comments(logged_in, make_comment):
    picked = [make_comment().id for _ in range(3)]
    other = make_comment().id
    logged_in.post("/moderate/actions", data={
        "csrf_token": logged_in.csrf, "action": "spam", "ids": picked, "note": "wave of spam"})
    html = page(logged_in)
    assert f'id="c{other}"' in html
    assert all(f'id="c{i}"' not in html for i in picked)
    spam = page(logged_in, status="spam")
    assert spam.count("wave of spam") == 3


def test_all_on_this_page_works_without_javascript(logged_in, make_comment):
    on_page = [make_comment().id for _ in range(3)]
    logged_in.post("/moderate/actions", data={
        "csrf_token": logged_in.csrf, "action": "reject", "scope": "page", "page_ids": on_page})
    assert re.search(r'data-count="rejected">3<', page(logged_in))


def test_bulk_without_a_selection_says_so(logged_in, make_comment):
    make_comment()
    response = logged_in.post("/moderate/actions", data={"csrf_token": logged_in.csrf,
                                                         "action": "spam"})
    assert "Select at least one comment first." in logged_in.get(
        response.headers["Location"]).get_data(as_text=True)


def test_block_button_blocks_and_reports(logged_in, make_comment):
    comment = make_comment(author_email="spam@junk.example")
    make_comment(author_email="more@junk.example", status=CommentStatus.APPROVED)
    response = logged_in.post("/moderate/actions", data={
        "csrf_token": logged_in.csrf, "block": f"{comment.id}:domain"})
    html = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Blocked domain junk.example; 2 comments marked spam." in html


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_form_posts_without_the_session_token_are_refused(logged_in, make_comment, token):
    comment = make_comment()
    data = {"one": f"{comment.id}:approve"}
    if token is not None:
        data["csrf_token"] = token
    response = logged_in.post("/moderate/actions", data=data)
    assert response.status_code == 403
    assert re.search(r'data-count="pending">1<', page(logged_in))


def test_form_actions_need_a_login(client, make_comment):
    comment = make_comment()
    response = client.post("/moderate/actions", data={"one": f"{comment.id}:approve"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("data, status", [({"one": "x:approve"}, 400),
                                          ({"one": "1:explode"}, 422),
                                          ({"one": "999:approve"}, 404)])
def test_bad_form_actions_show_an_error_page(logged_in, make_comment, data, status):
    make_comment()
    response = logged_in.post("/moderate/actions", data={"csrf_token": logged_in.csrf, **data})
    assert response.status_code == status
    assert "Back to the queue" in response.get_data(as_text=True)


def test_bad_filters_show_an_error_page(logged_in):
    response = logged_in.get("/moderate?status=nonsense")
    assert response.status_code == 400
    assert "status" in response.get_data(as_text=True)


def test_shortcut_help_is_on_the_page(logged_in):
    html = page(logged_in)
    assert "Keyboard shortcuts" in html and "<kbd>j</kbd>" in html
    assert "/static/moderation/queue.js" in html


def test_static_assets_are_served(client):
    assert client.get("/static/moderation/queue.js").status_code == 200
    assert client.get("/static/moderation/queue.css").status_code == 200
