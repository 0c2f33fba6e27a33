"""Thread sorts: oldest, newest, best; replies in time order under their parent; a cursor per
sort; every sort cacheable with its own ETag."""

from __future__ import annotations

import pytest

from engage.comments.models import CommentStatus
from engage.participation.ranking import vote_rank

ARTICLE = "/news/sorted"


@pytest.fixture
def thread(make_comment):
    """Three top-level comments with votes, replies (one nested, one held) and a tie."""
    made = {}

    def add(name, parent=None, up=0, down=0, status=CommentStatus.APPROVED):
        made[name] = make_comment(
            article=ARTICLE, status=status, parent_id=made[parent].id if parent else None,
            up=up, down=down, vote_rank=vote_rank(up, down), body=name)
        return made[name]

    add("old", up=1)                    # one vote
    add("liked", up=90, down=10)        # 90 up, 10 down
    add("old-reply", parent="old")
    add("tie-a")                        # no votes, the same rank as tie-b
    add("liked-reply-1", parent="liked", up=5)
    add("held-reply", parent="liked", status=CommentStatus.PENDING)
    add("nested", parent="liked-reply-1")
    add("tie-b")
    add("liked-reply-2", parent="liked")
    return made


def bodies(answer) -> list[str]:
    return [c["body_html"].removeprefix("<p>").removesuffix("</p>")
            for c in answer.json["comments"]]


def read(client, **params):
    query = "&".join(f"{key}={value}" for key, value in {"article": ARTICLE, **params}.items())
    return client.get(f"/api/v1/comments?{query}")


def test_oldest_is_id_order_as_before(client, thread):
    assert bodies(read(client)) == bodies(read(client, sort="oldest")) == [
        "old", "liked", "old-reply", "tie-a", "liked-reply-1", "nested", "tie-b",
        "liked-reply-2"]


def test_newest_puts_top_level_comments_newest_first_with_replies_in_time_order(client,
                                                                               thread):
    assert bodies(read(client, sort="newest")) == [
        "tie-b", "tie-a", "liked", "old", "old-reply", "liked-reply-1", "nested",
        "liked-reply-2"]


def test_best_ranks_by_wilson_not_by_one_vote_and_breaks_ties_oldest_first(client, thread):
    answer = read(client, sort="best")
    assert bodies(answer) == [
        "liked", "old", "tie-a", "tie-b", "old-reply", "liked-reply-1", "nested",
        "liked-reply-2"]
    assert answer.json["count"] == 8
    first = answer.json["comments"][0]
    assert (first["score"], first["up"], first["down"]) == (80, 90, 10)


@pytest.mark.parametrize("sort", ["newest", "best"])
def test_pages_of_top_level_comments_cover_every_comment_once(client, thread, sort):
    whole = bodies(read(client, sort=sort))
    roots = [name for name in whole if "reply" not in name and name != "nested"]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"sort": sort, "limit": 1, **({"cursor": cursor} if cursor else {})}
        answer = read(client, **params)
        assert answer.status_code == 200
        seen += bodies(answer)
        pages += 1
        cursor = answer.json["next"]
        if cursor is None:
            break
    assert pages == len(roots) == 4
    assert sorted(seen) == sorted(whole)
    # every reply comes after its parent in the page that holds it
    assert seen.index("nested") > seen.index("liked-reply-1") > seen.index("liked")


def test_each_sort_has_its_own_etag_and_revalidates(client, thread):
    tags = {}
    for sort in ("oldest", "newest", "best"):
        answer = read(client, sort=sort)
        tags[sort] = answer.headers["ETag"]
        assert "max-age" in answer.headers["Cache-Control"]
        again = client.get(f"/api/v1/comments?article={ARTICLE}&sort={sort}",
                           headers={"If-None-Match": tags[sort]})
        assert again.status_code == 304
    assert len(set(tags.values())) == 3


def test_a_vote_changes_the_best_page(client, thread):
    before = read(client, sort="best")
    tie_b = thread["tie-b"].id
    assert client.post(f"/api/v1/comments/{tie_b}/votes", json={"value": 1}).status_code == 200
    after = client.get(f"/api/v1/comments?article={ARTICLE}&sort=best",
                       headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert bodies(after)[:3] == ["liked", "old", "tie-b"]  # one vote: as "old", but newer


@pytest.mark.parametrize("params", [{"sort": "random"}, {"sort": "best", "cursor": "12"},
                                    {"sort": "newest", "cursor": "1.2"},
                                    {"cursor": "-1"}, {"cursor": "x" * 40},
                                    {"sort": "best", "cursor": "1.99999999999"}])
def test_bad_sort_or_cursor_is_422(client, thread, params):
    answer = read(client, **params)
    assert answer.status_code == 422
    assert set(answer.json["error"]["fields"]) <= {"sort", "cursor"}
