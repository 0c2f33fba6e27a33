"""The double-submit check (engage/moderation/duplicate.py) through the post path: what an
unproven post (no reader key) is compared with, and what SQLite reads for it."""

from __future__ import annotations

import pytest


def test_an_unproven_repost_is_a_409_among_its_networks_latest_comments(client):
    # an API client's retry is refused; the same text after NETWORK_RECENT more comments from
    # that network on the article is not looked for (the check reads a bounded number of rows)
    from engage.moderation.duplicate import NETWORK_RECENT

    def post(body: str) -> int:
        return client.post("/api/v1/comments", environ_base={"REMOTE_ADDR": "10.7.7.7"},
                           json={"article": "/dup/network", "author_name": "Api client",
                                 "author_email": "api@example.org", "body": body}).status_code

    assert post("The same words, sent by a client that retries.") in (201, 202)
    assert post("The same words, sent by a client that retries.") == 409
    for n in range(NETWORK_RECENT - 1):
        assert post(f"Another comment of the feed, number {n}.") in (201, 202)
    assert post("The same words, sent by a client that retries.") == 409  # still among them
    assert post("One more comment of the feed.") in (201, 202)
    assert post("The same words, sent by a client that retries.") in (201, 202)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_an_unproven_posts_check_reads_its_networks_latest_comments_newest_first(db_session):
    from sqlalchemy import text

    from engage.moderation.duplicate import _BY_NETWORK

    sql = _BY_NETWORK.sql(db_session.get_bind().dialect)
    plan = " ".join(row[-1] for row in db_session.execute(
        text("EXPLAIN QUERY PLAN " + sql.replace("?", ":p")), {"p": 1}))
    assert "ix_comments_network (ip_prefix=? AND article_id=?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # the index gives the newest first, no sort
