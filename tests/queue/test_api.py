"""The moderation API: listing, filters, keyset pages, counts, every action, bad input."""

from __future__ import annotations

import pytest

from engage.comments.models import CommentStatus

API = "/api/v1/moderation/comments"


def listing(client, headers, **params):
    response = client.get(API, headers=headers, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_an_item_carries_everything_a_moderator_needs(client, auth_headers, make_comment):
    reasons = [{"rule": "links", "reason": "3 links (held from 3)",
                "evidence": ["http://a.example", "http://b.example", "http://c.example"]}]
    comment = make_comment(author_email="mallory@spam.example", reasons=reasons, spam_score=0.81,
                           user_agent="SpamBot/1.0", ip_prefix="203.0.113.0/24")
    item = listing(client, auth_headers)["comments"][0]
    assert item["id"] == comment.id
    assert item["article"] == "/news/launch"
    assert item["author_email"] == "mallory@spam.example"
    assert item["ip_prefix"] == "203.0.113.0/24"
    assert item["user_agent"] == "SpamBot/1.0"
    assert item["status"] == "pending"
    assert item["reasons"] == reasons
    assert item["spam_score"] == 0.81
    assert item["decided_by"] is None and item["decided_at"] is None
    assert item["events"] == []
    assert item["body_html"] == comment.body_html


def test_default_is_pending_newest_first_with_counts(client, auth_headers, make_comment):
    older = make_comment()
    newer = make_comment()
    make_comment(status=CommentStatus.APPROVED)
    make_comment(status=CommentStatus.SPAM)
    data = listing(client, auth_headers)
    assert [c["id"] for c in data["comments"]] == [newer.id, older.id]
    assert data["counts"] == {"approved": 1, "pending": 2, "spam": 1, "rejected": 0, "all": 4,
                              "reported": 0}
    assert data["next"] is None
    oldest = listing(client, auth_headers, order="oldest")
    assert [c["id"] for c in oldest["comments"]] == [older.id, newer.id]


def test_status_all_lists_every_status(client, auth_headers, make_comment):
    for status in CommentStatus:
        make_comment(status=status)
    data = listing(client, auth_headers, status="all")
    assert {c["status"] for c in data["comments"]} == {s.value for s in CommentStatus}


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_keyset_pages_cover_every_comment_once(client, auth_headers, make_comment, order):
    ids = {make_comment().id for _ in range(7)}
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, "order": order, **({"cursor": cursor} if cursor else {})}
        data = listing(client, auth_headers, **params)
        seen += [c["id"] for c in data["comments"]]
        pages += 1
        cursor = data["next"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 7 and set(seen) == ids
    assert seen == sorted(seen, reverse=(order == "newest"))


def test_a_new_comment_does_not_shift_the_next_page(client, auth_headers, make_comment):
    first = [make_comment().id for _ in range(4)]
    page1 = listing(client, auth_headers, limit=2)
    make_comment()  # arrives while the moderator reads page 1
    page2 = listing(client, auth_headers, limit=2, cursor=page1["next"])
    assert [c["id"] for c in page2["comments"]] == [first[1], first[0]]


def test_filter_by_article_counts_that_article(client, auth_headers, make_comment):
    mine = make_comment(article="https://site.example/news/a/")
    make_comment(article="/news/a", status=CommentStatus.APPROVED)
    make_comment(article="/news/b")
    data = listing(client, auth_headers, article="/news/a")
    assert [c["id"] for c in data["comments"]] == [mine.id]
    assert data["counts"]["pending"] == 1 and data["counts"]["approved"] == 1
    assert data["counts"]["all"] == 2
    unknown = listing(client, auth_headers, article="/never/commented")
    assert unknown["comments"] == [] and unknown["counts"]["all"] == 0


@pytest.mark.parametrize("q", ["BITCOIN", "Satoshi", "SATOSHI@coins.example", "50%"])
def test_free_text_matches_body_name_or_email(client, auth_headers, make_comment, q):
    hit = make_comment(body="Buy bitcoin at 50% off", author_name="Satoshi",
                       author_email="satoshi@coins.example")
    make_comment(body="A calm remark about 50 things")
    data = listing(client, auth_headers, q=q)
    assert [c["id"] for c in data["comments"]] == [hit.id]


def test_like_wildcards_in_the_query_are_literal(client, auth_headers, make_comment):
    make_comment(body="nothing special here")
    assert listing(client, auth_headers, q="%")["comments"] == []
    assert listing(client, auth_headers, q="_")["comments"] == []


@pytest.mark.parametrize("params, field", [
    ({"status": "deleted"}, "status"), ({"order": "sideways"}, "order"),
    ({"cursor": "abc"}, "cursor"), ({"limit": "0"}, "limit"), ({"limit": "1000"}, "limit"),
    ({"q": "x" * 201}, "q"),
])
def test_bad_query_parameters_are_422(client, auth_headers, params, field):
    response = client.get(API, headers=auth_headers, query_string=params)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("action, status", [("approve", "approved"), ("reject", "rejected"),
                                            ("spam", "spam")])
def test_each_action_moves_the_comment_and_records_who(client, auth_headers, make_comment,
                                                       moderator, action, status):
    comment = make_comment()
    response = client.post(f"{API}/{comment.id}", headers=auth_headers,
                           json={"action": action, "note": "checked the links"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["comment"]["status"] == status
    assert data["comment"]["decided_by"] == moderator.name
    assert data["comment"]["decided_at"]
    assert data["comment"]["events"] == [{
        "moderator": moderator.name, "from": "pending", "to": status,
        "note": "checked the links", "at": data["comment"]["decided_at"]}]
    assert data["counts"][status] == 1 and data["counts"]["pending"] == 0


def test_back_to_pending(client, auth_headers, make_comment):
    comment = make_comment(status=CommentStatus.SPAM)
    data = client.post(f"{API}/{comment.id}", headers=auth_headers,
                       json={"action": "pending"}).get_json()
    assert data["comment"]["status"] == "pending"
    assert [(e["from"], e["to"]) for e in data["comment"]["events"]] == [("spam", "pending")]


def test_only_approved_comments_reach_the_public_thread(client, auth_headers, make_comment):
    comment = make_comment(article="/news/x")
    public = "/api/v1/comments?article=/news/x"
    assert client.get(public).get_json()["comments"] == []
    client.post(f"{API}/{comment.id}", headers=auth_headers, json={"action": "approve"})
    assert [c["id"] for c in client.get(public).get_json()["comments"]] == [comment.id]
    client.post(f"{API}/{comment.id}", headers=auth_headers, json={"action": "reject"})
    assert client.get(public).get_json()["comments"] == []


def test_bulk_applies_one_action_to_many(client, auth_headers, make_comment):
    ids = [make_comment().id for _ in range(3)]
    keep = make_comment()
    response = client.post(f"{API}/bulk", headers=auth_headers, json={"ids": ids, "action": "spam"})
    assert response.status_code == 200
    data = response.get_json()
    assert [c["id"] for c in data["comments"]] == ids
    assert {c["status"] for c in data["comments"]} == {"spam"}
    assert data["counts"]["spam"] == 3 and data["counts"]["pending"] == 1
    assert listing(client, auth_headers)["comments"][0]["id"] == keep.id


def test_bulk_with_an_unknown_id_changes_nothing(client, auth_headers, make_comment):
    comment = make_comment()
    response = client.post(f"{API}/bulk", headers=auth_headers,
                           json={"ids": [comment.id, 999999], "action": "spam"})
    assert response.status_code == 404
    assert "999999" in response.get_json()["error"]["message"]
    assert listing(client, auth_headers)["comments"][0]["status"] == "pending"


def test_unknown_id_is_404(client, auth_headers):
    response = client.post(f"{API}/424242", headers=auth_headers, json={"action": "approve"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("body", [{"action": "delete"}, {"action": None}, {}, {"action": 1},
                                  {"action": "approve", "note": 5}])
def test_unknown_action_or_bad_note_is_422(client, auth_headers, make_comment, body):
    comment = make_comment()
    response = client.post(f"{API}/{comment.id}", headers=auth_headers, json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("body", [{"ids": [], "action": "spam"}, {"ids": "1", "action": "spam"},
                                  {"ids": [True], "action": "spam"},
                                  {"ids": list(range(1, 502)), "action": "spam"},
                                  {"ids": [1], "action": "nuke"}])
def test_bad_bulk_bodies_are_422(client, auth_headers, make_comment, body):
    make_comment()
    response = client.post(f"{API}/bulk", headers=auth_headers, json=body)
    assert response.status_code == 422


def test_malformed_json_is_400_and_other_content_types_415(client, auth_headers, make_comment):
    comment = make_comment()
    bad = client.post(f"{API}/{comment.id}", headers=auth_headers, data="{not json",
                      content_type="application/json")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["code"] == "malformed_json"
    form = client.post(f"{API}/{comment.id}", headers=auth_headers, data={"action": "approve"})
    assert form.status_code == 415
    array = client.post(f"{API}/{comment.id}", headers=auth_headers, json=["approve"])
    assert array.status_code == 422


@pytest.mark.parametrize("method, path", [("get", API), ("post", f"{API}/1"),
                                          ("post", f"{API}/bulk"), ("post", f"{API}/1/block")])
def test_every_endpoint_needs_credentials(client, make_comment, method, path):
    make_comment()
    response = getattr(client, method)(path, json={"action": "approve", "ids": [1],
                                                   "kind": "email"})
    assert response.status_code == 401


def test_the_same_action_twice_records_one_event(client, auth_headers, make_comment):
    comment = make_comment()
    for _ in range(2):
        data = client.post(f"{API}/{comment.id}", headers=auth_headers,
                           json={"action": "approve"}).get_json()
    assert len(data["comment"]["events"]) == 1


def test_a_decision_changes_the_public_threads_etag(client, auth_headers, make_comment):
    comment = make_comment(article="/news/etag")
    public = "/api/v1/comments?article=/news/etag"
    before = client.get(public)
    for action, count in (("approve", 1), ("spam", 0)):
        client.post(f"{API}/{comment.id}", headers=auth_headers, json={"action": action})
        after = client.get(public)
        assert after.get_json()["count"] == count
        assert after.headers["ETag"] != before.headers["ETag"]
        before = after
