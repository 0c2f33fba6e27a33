"""With Redis configured but down, flood limits and form tokens fall back to the database."""

import pytest

from tests.factories import comment_payload
from tests.servers import free_port


@pytest.fixture
def config_overrides():
    # Nothing listens on this port: every Redis call fails with a connection error.
    return {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "FLOOD_SECONDS": 30}


def test_the_flood_limit_holds_through_the_database_when_redis_is_down(client):
    first = client.post("/api/v1/comments", json=comment_payload())
    assert first.status_code in (201, 202)
    second = client.post("/api/v1/comments", json=comment_payload())
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) > 0


def test_a_form_token_is_still_single_use_when_redis_is_down(client):
    token = client.get("/api/v1/form-token?article=/news/launch").json["form_token"]
    first = client.post("/api/v1/comments", json=comment_payload(form_token=token),
                        environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert first.status_code in (201, 202)
    replay = client.post("/api/v1/comments", json=comment_payload(
        form_token=token, author_email="other@example.org"),
        environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert replay.status_code == 202
    assert any(reason["rule"] == "too_fast" for reason in _reasons_of_last(client))


def _reasons_of_last(client):
    from sqlalchemy import select

    from engage.comments.models import Comment
    from engage.db import db

    comment = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    return comment.reasons
