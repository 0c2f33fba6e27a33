"""Pinned comments: first in the thread in every sort, on the first page only, with paging that
neither repeats nor loses a comment; a few per article; only published top-level comments;
every pin and unpin audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engage.comments.models import CommentStatus
from engage.participation.ranking import vote_rank
from engage.queue.events import ModerationEvent

ARTICLE = "/news/pinned"
SORTS = ("oldest", "newest", "best")


@pytest.fixture
def config_overrides():
    return {"PINS_PER_ARTICLE": 3}


@pytest.fixture
def thread(make_comment):
    """Seven top-level comments with votes, two replies and a held one; {body: comment}."""
    made = {}

    def add(name, parent=None, up=0, status=CommentStatus.APPROVED):
        made[name] = make_comment(article=ARTICLE, status=status, body=name, up=up,
                                  vote_rank=vote_rank(up, 0),
                                  parent_id=made[parent].id if parent else None)

    for n in range(1, 8):
        add(f"c{n}", up=n % 3)
    add("c2-reply", parent="c2")
    add("c5-reply", parent="c5")
    add("held", status=CommentStatus.PENDING)
    return made


def act(client, headers, comment_id, action):
    return client.post(f"/api/v1/moderation/comments/{comment_id}", json={"action": action},
                       headers=headers)


def page(client, sort, limit=50, cursor=None):
    query = f"/api/v1/comments?article={ARTICLE}&sort={sort}&limit={limit}"
    return client.get(query + (f"&cursor={cursor}" if cursor else "")).json


def walk(client, sort, limit):
    """Every page of the thread: the list of pages, each a list of bodies."""
    pages, cursor = [], None
    while True:
        answer = page(client, sort, limit, cursor)
        pages.append([c["body_html"][3:-4] for c in answer["comments"]])
        cursor = answer["next"]
        if not cursor:
            return pages


@pytest.mark.parametrize("sort", SORTS)
def test_pinned_comments_come_first_in_every_sort_and_are_marked(client, auth_headers, thread,
                                                                sort):
    unpinned = [c["body_html"] for c in page(client, sort)["comments"]]
    assert act(client, auth_headers, thread["c5"].id, "pin").status_code == 200
    assert act(client, auth_headers, thread["c1"].id, "pin").status_code == 200
    shown = page(client, sort)["comments"]
    # most recently pinned first; a pinned comment's replies follow it as ever
    assert [c["body_html"][3:-4] for c in shown[:2]] == ["c1", "c5"]
    assert [c["pinned"] for c in shown].count(True) == 2 and shown[0]["pinned"] is True
    assert sorted(c["body_html"] for c in shown) == sorted(unpinned)
    assert act(client, auth_headers, thread["c1"].id, "unpin").json["comment"]["pinned_at"] is None
    assert act(client, auth_headers, thread["c5"].id, "unpin").status_code == 200
    assert [c["body_html"] for c in page(client, sort)["comments"]] == unpinned


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_paging_meets_every_comment_once_and_pins_on_the_first_page_only(
        client, auth_headers, thread, sort, limit):
    everything = sorted(c["body_html"][3:-4] for c in page(client, sort)["comments"])
    for name in ("c3", "c6"):
        act(client, auth_headers, thread[name].id, "pin")
    pages = walk(client, sort, limit)
    assert pages[0][:2] == ["c6", "c3"]
    seen = [body for one in pages for body in one]
    assert sorted(seen) == everything, pages  # none lost, none repeated
    assert "c3" not in [body for one in pages[1:] for body in one]


def test_an_article_holds_a_few_pins_and_one_more_is_a_409(client, auth_headers, thread):
    for name in ("c1", "c2", "c3"):
        assert act(client, auth_headers, thread[name].id, "pin").status_code == 200
    fourth = act(client, auth_headers, thread["c4"].id, "pin")
    assert fourth.status_code == 409
    assert fourth.json["error"]["code"] == "too_many_pins"
    assert "at most 3" in fourth.json["error"]["message"]
    assert "unpin one first" in fourth.json["error"]["message"]
    assert act(client, auth_headers, thread["c1"].id, "pin").status_code == 200  # already: fine
    act(client, auth_headers, thread["c2"].id, "unpin")
    assert act(client, auth_headers, thread["c4"].id, "pin").status_code == 200


def test_a_bulk_pin_past_the_limit_changes_nothing(client, auth_headers, thread):
    ids = [thread[name].id for name in ("c1", "c2", "c3", "c4")]
    answer = client.post("/api/v1/moderation/comments/bulk", json={"ids": ids, "action": "pin"},
                         headers=auth_headers)
    assert answer.status_code == 409
    assert not any(c["pinned"] for c in page(client, "oldest")["comments"])
    answer = client.post("/api/v1/moderation/comments/bulk",
                         json={"ids": ids[:2], "action": "pin"}, headers=auth_headers)
    assert answer.status_code == 200 and all(c["pinned_at"] for c in answer.json["comments"])


def test_only_a_published_top_level_comment_can_be_pinned(client, auth_headers, thread):
    for name in ("held", "c2-reply"):
        answer = act(client, auth_headers, thread[name].id, "pin")
        assert answer.status_code == 422, name
        assert "top-level" in answer.json["error"]["message"]
    assert act(client, auth_headers, 999999, "pin").status_code == 404
    assert act(client, auth_headers, 2**40, "pin").status_code in (404, 405)


def test_a_pin_is_audited_and_changes_the_cached_thread(client, db_session, auth_headers,
                                                        moderator, thread):
    before = client.get(f"/api/v1/comments?article={ARTICLE}")
    act(client, auth_headers, thread["c4"].id, "pin")
    after = client.get(f"/api/v1/comments?article={ARTICLE}",
                       headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.json["comments"][0]["body_html"] == "<p>c4</p>"
    act(client, auth_headers, thread["c4"].id, "unpin")
    act(client, auth_headers, thread["c4"].id, "unpin")  # nothing to do: no event
    events = db_session.scalars(select(ModerationEvent).where(
        ModerationEvent.comment_id == thread["c4"].id).order_by(ModerationEvent.id)).all()
    assert [(e.moderator, e.note, e.from_status, e.to_status) for e in events] == [
        (moderator.name, "pinned", "approved", "approved"),
        (moderator.name, "unpinned", "approved", "approved")]


def test_an_unpublished_pinned_comment_leaves_the_thread_and_frees_its_place(
        client, auth_headers, thread):
    for name in ("c1", "c2", "c3"):
        act(client, auth_headers, thread[name].id, "pin")
    act(client, auth_headers, thread["c1"].id, "reject")
    assert "<p>c1</p>" not in [c["body_html"] for c in page(client, "newest")["comments"]]
    assert act(client, auth_headers, thread["c4"].id, "pin").status_code == 200


def test_the_queue_page_form_pins(logged_in, client, thread):
    answer = logged_in.post("/moderate/pins", data={
        "csrf_token": logged_in.csrf, "view": "status=approved",
        "pin": f"{thread['c7'].id}:pin"})
    assert answer.status_code == 302 and "done=pin" in answer.headers["Location"]
    assert page(client, "oldest")["comments"][0]["body_html"] == "<p>c7</p>"
    assert "Pinned 1." in logged_in.get(answer.headers["Location"]).get_data(as_text=True)
    refused = logged_in.post("/moderate/pins", data={
        "csrf_token": logged_in.csrf, "pin": f"{thread['held'].id}:pin"})
    assert refused.status_code == 422
    assert logged_in.post("/moderate/pins", data={"csrf_token": logged_in.csrf,
                                                  "pin": "x:pin"}).status_code == 404
