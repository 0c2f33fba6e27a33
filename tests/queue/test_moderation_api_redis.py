"""With REDIS_URL set, the flood limit and spent form tokens live in Redis (same behaviour)."""

from __future__ import annotations

import pytest
import redis

from engage.comments.models import CommentStatus
from engage.db import db
from engage.comments.models import Comment
from tests.factories import new_reader_key, post_comment


@pytest.fixture
def config_overrides(redis_url, redis_prefix):
    return {"REDIS_URL": redis_url, "REDIS_PREFIX": redis_prefix}


def test_flood_limit_uses_redis(client, auth_headers, redis_url, redis_prefix):
    client.patch("/api/v1/moderation/settings", json={"flood_seconds": 15}, headers=auth_headers)
    assert post_comment(client, reader_key=new_reader_key()).status_code == 201
    refused = post_comment(client, author_email="other@example.org")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) <= 15
    keys = list(redis.Redis.from_url(redis_url).scan_iter(match=redis_prefix + "flood:*"))
    assert len(keys) == 2   # the reader's IP and reader key, as keyed hashes


def test_spent_tokens_are_remembered_in_redis(client, redis_url, redis_prefix):
    token = client.get("/api/v1/form-token?article=/news/launch").get_json()["form_token"]
    assert post_comment(client, form_token=token).status_code == 201
    reused = post_comment(client, form_token=token)
    assert db.session.get(Comment, reused.get_json()["comment"]["id"]).status \
        is CommentStatus.PENDING
    keys = list(redis.Redis.from_url(redis_url).scan_iter(match=redis_prefix + "form-token:*"))
    assert len(keys) == 1
