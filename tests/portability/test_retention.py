"""Retention: old spam and rejected comments are purged, old networks and user agents
cleared, by ``engage purge`` and by the running server on its own."""

from __future__ import annotations

import time
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import select

from engage import create_app
from engage.comments.models import Comment, CommentStatus
from engage.config import DEFAULTS
from engage.db import db, utcnow
from engage.portability.models import PrivacyEvent
from tests.conftest import BASE_TEST_CONFIG
from tests.portability.helpers import run


def _old(make_comment, days: float, status=CommentStatus.APPROVED, **fields):
    return make_comment(status=status, created_at=utcnow() - timedelta(days=days), **fields).id


def test_retention_is_off_by_default():
    assert DEFAULTS["RETENTION_SPAM_DAYS"] == 0 and DEFAULTS["RETENTION_IP_DAYS"] == 0


@pytest.mark.parametrize("config_overrides", [{"RETENTION_SPAM_DAYS": 30,
                                               "RETENTION_IP_DAYS": 7}])
def test_purge_applies_both_settings(app, make_comment):
    old_spam = _old(make_comment, 40, CommentStatus.SPAM)
    old_rejected = _old(make_comment, 31, CommentStatus.REJECTED)
    # decided recently: the days count from the decision
    recently_decided = _old(make_comment, 90, CommentStatus.SPAM,
                            decided_at=utcnow() - timedelta(days=2))
    new_spam = _old(make_comment, 1, CommentStatus.SPAM)
    old_approved = _old(make_comment, 40)
    old_pending = _old(make_comment, 8, CommentStatus.PENDING)
    recent = _old(make_comment, 1)
    result = run(app, "purge")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("purged 2 spam and rejected comments; cleared the network "
                                     "and user agent of 3 comments")
    db.session.expire_all()
    remaining = {c.id: c for c in db.session.scalars(select(Comment))}
    assert old_spam not in remaining and old_rejected not in remaining
    assert {recently_decided, new_spam, old_approved, old_pending, recent} <= set(remaining)
    for comment_id in (old_approved, old_pending, recently_decided):
        assert (remaining[comment_id].ip_prefix, remaining[comment_id].user_agent) == (None, None)
    assert remaining[recent].ip_prefix == "198.51.100.0/24"
    assert remaining[new_spam].user_agent == "Mozilla/5.0 (test)"
    assert db.session.scalars(select(PrivacyEvent.action)).all() == ["purge"]
    again = run(app, "purge")
    assert again.output.strip().startswith("purged 0 spam")


def test_purge_with_retention_off_keeps_everything(app, make_comment):
    _old(make_comment, 4000, CommentStatus.SPAM)
    assert run(app, "purge").output.startswith("purged 0 spam and rejected comments; cleared "
                                               "the network and user agent of 0 comments")
    assert db.session.scalar(select(Comment.ip_prefix)) == "198.51.100.0/24"


@pytest.fixture(scope="module")
def live_server_config():
    return {"RETENTION_SPAM_DAYS": 30, "RETENTION_INTERVAL_SECONDS": 0.2}


def test_the_running_server_purges_on_its_own(live_server):
    writer = create_app({**BASE_TEST_CONFIG, "INSTANCE_PATH": live_server.settings["INSTANCE_PATH"]})
    with writer.app_context():
        from engage.articles import get_or_create_article

        article = get_or_create_article(db.session, "/old-news")
        old = Comment(article_id=article.id, status=CommentStatus.SPAM, author_name="Spammer",
                      author_email="s@example.org", body="buy", body_html="<p>buy</p>",
                      reasons=[], created_at=utcnow() - timedelta(days=60))
        db.session.add(old)
        db.session.commit()
        old_id = old.id
        urllib.request.urlopen(live_server.url + "/healthz").read()  # a request starts it
        deadline = time.monotonic() + 30
        while db.session.get(Comment, old_id) is not None and time.monotonic() < deadline:
            db.session.expire_all()
            time.sleep(0.1)
        assert db.session.get(Comment, old_id) is None, live_server.log()
        db.session.remove()
        db.engine.dispose()
