"""Votes through the API: one per visitor per comment, changes replace, bursts are bounded,
and a vote never changes moderation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engage.comments.models import CommentStatus
from engage.db import utcnow
from engage.participation.models import CommentVote
from engage.participation.ranking import vote_rank, wilson_lower_bound


@pytest.fixture
def config_overrides():
    return {"VOTES_PER_NETWORK_HOUR": 5}


def vote(client, comment_id, value, ip="203.0.113.7", agent="Mozilla/5.0 (A)", **body):
    return client.post(f"/api/v1/comments/{comment_id}/votes", json={"value": value, **body},
                       headers={"User-Agent": agent}, environ_base={"REMOTE_ADDR": ip})


def test_one_vote_per_visitor_and_a_changed_vote_replaces_the_old(client, db_session,
                                                                   make_comment):
    comment = make_comment(status=CommentStatus.APPROVED)
    assert vote(client, comment.id, 1).json == {"score": 1, "up": 1, "down": 0}
    assert vote(client, comment.id, 1).json == {"score": 1, "up": 1, "down": 0}  # repeat
    other = vote(client, comment.id, 1, ip="198.51.100.9")
    assert other.json == {"score": 2, "up": 2, "down": 0}
    assert other.headers["Cache-Control"] == "no-store"
    # a change a moment later is refused (each change rewrites the comment), later it counts
    assert vote(client, comment.id, -1).status_code == 429
    db_session.execute(CommentVote.__table__.update().values(
        created_at=utcnow() - timedelta(minutes=1)))
    db_session.commit()
    assert vote(client, comment.id, -1).json == {"score": 0, "up": 1, "down": 1}
    assert vote(client, comment.id, 0).json == {"score": 1, "up": 1, "down": 0}  # withdrawn
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(CommentVote)) == 1
    thread = client.get("/api/v1/comments?article=/news/launch").json["comments"]
    assert (thread[0]["score"], thread[0]["up"], thread[0]["down"]) == (1, 1, 0)


def test_another_browser_on_the_same_network_is_another_visitor(client, make_comment):
    comment = make_comment(status=CommentStatus.APPROVED)
    vote(client, comment.id, 1, agent="Mozilla/5.0 (A)")
    assert vote(client, comment.id, 1, agent="Mozilla/5.0 (B)").json["up"] == 2


def test_stored_voter_keys_are_neither_ips_nor_shared_across_comments(client, db_session,
                                                                      make_comment):
    first, second = (make_comment(status=CommentStatus.APPROVED) for _ in range(2))
    vote(client, first.id, 1)
    vote(client, second.id, 1)
    rows = db_session.execute(select(CommentVote)).scalars().all()
    assert len({row.voter for row in rows}) == 2
    assert all("203.0.113" not in row.voter + row.network for row in rows)


def test_a_burst_from_one_network_is_bounded_with_429(client, make_comment):
    comments = [make_comment(status=CommentStatus.APPROVED) for _ in range(6)]
    answers = [vote(client, c.id, 1, agent=f"Bot {n}") for n, c in enumerate(comments)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert int(answers[-1].headers["Retry-After"]) > 0
    # another network is not affected, and withdrawing stays possible
    assert vote(client, comments[5].id, 1, ip="192.0.2.1").status_code == 200
    assert vote(client, comments[0].id, 0, agent="Bot 0").json["up"] == 0


def test_votes_never_change_moderation(client, db_session, make_comment):
    comment = make_comment(status=CommentStatus.APPROVED)
    for n in range(4):
        vote(client, comment.id, -1, ip=f"192.0.2.{n}")
    db_session.expire_all()
    assert db_session.get(type(comment), comment.id).status is CommentStatus.APPROVED


@pytest.mark.parametrize("status", [CommentStatus.PENDING, CommentStatus.SPAM,
                                    CommentStatus.REJECTED])
def test_voting_on_an_unpublished_comment_is_404(client, make_comment, status):
    comment = make_comment(status=status)
    answer = vote(client, comment.id, 1)
    assert answer.status_code == 404
    assert answer.json["error"]["code"] == "not_found"


def test_unknown_comment_and_other_site_are_404(client, make_comment):
    comment = make_comment(status=CommentStatus.APPROVED)
    assert vote(client, 999999, 1).status_code == 404
    assert vote(client, comment.id, 1, site="nosuchsite").status_code == 404


@pytest.mark.parametrize("body", [{"value": 2}, {"value": -2}, {"value": "1"}, {"value": True},
                                  {"value": 0.5}, {}])
def test_a_vote_other_than_minus_one_zero_one_is_422(client, make_comment, body):
    comment = make_comment(status=CommentStatus.APPROVED)
    answer = client.post(f"/api/v1/comments/{comment.id}/votes", json=body)
    assert answer.status_code == 422
    assert "value" in answer.json["error"]["fields"]


def test_malformed_bodies_get_the_api_errors(client, make_comment):
    comment = make_comment(status=CommentStatus.APPROVED)
    url = f"/api/v1/comments/{comment.id}/votes"
    assert client.post(url, data="value=1").status_code == 415
    assert client.post(url, data="{", content_type="application/json").status_code == 400


def test_wilson_lower_bound_keeps_one_vote_below_ninety_of_a_hundred():
    assert wilson_lower_bound(0, 0) == 0
    assert wilson_lower_bound(1, 0) < wilson_lower_bound(90, 10)
    assert 0.20 < wilson_lower_bound(1, 0) < 0.21
    assert 0.82 < wilson_lower_bound(90, 10) < 0.84
    assert vote_rank(90, 10) > vote_rank(9, 1) > vote_rank(1, 0)


def test_an_id_beyond_32_bits_is_404_not_a_database_error(client):
    for method, path in (("post", "/api/v1/comments/99999999999/votes"),
                         ("patch", "/api/v1/comments/99999999999"),
                         ("delete", "/api/v1/comments/99999999999")):
        answer = getattr(client, method)(path, json={"value": 1, "body": "x"})
        assert answer.status_code == 404, (method, answer.json)
