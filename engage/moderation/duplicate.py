"""Duplicate comments: the same text twice from the same poster on the same article → 409.

"The same poster" is never "the same email": a 409 that depended on the email would confirm
a guessed address to anyone who knows a comment's text (issue 15). It is

- for a proven post (a reader key, engage/readers.py): the same ``author_key``, i.e. the same
  browser and email: a double-submit from the widget;
- for an unproven post: an earlier unproven post from the same anonymised network (an API
  client retrying), among that network's ``NETWORK_RECENT`` latest unproven comments on the
  article. The answer then depends on the network and the text, never on the email.
  Two people behind one network sending the same text without a reader key: the second is
  refused; the widget always sends a key, so its readers never meet this.

Any earlier status counts (a repost of a held or spam comment is as much a duplicate as a
repost of a published one), and the reply is the same 409 whatever the earlier status was.
Two identical posts at the same instant are caught by the flood limit instead.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engage.comments.models import Comment
from engage.driver_statements import DriverStatement
from engage.errors import Conflict

MESSAGE = "You already posted this comment here."


def _earlier(*poster):
    return select(Comment.id).where(*poster, Comment.article_id == bindparam("article"),
                                    Comment.body == bindparam("body")).limit(1)


# An unproven post is compared with this many of its network's latest unproven comments on
# the article: a retry comes right after the first try, and a network (an API client's
# server, say) that posts thousands of comments into one thread would otherwise have each
# post read all of them (SQLite reads the latest through ix_comments_network, newest first).
NETWORK_RECENT = 50


def _recent_by_network():
    recent = (select(Comment.id, Comment.body)
              .where(Comment.author_key.is_(None), Comment.ip_prefix == bindparam("poster"),
                     Comment.article_id == bindparam("article"))
              .order_by(Comment.id.desc()).limit(NETWORK_RECENT).subquery())
    return select(recent.c.id).where(recent.c.body == bindparam("body")).limit(1)


# Built once: every post runs one of them.
_BY_READER = DriverStatement(_earlier(Comment.author_key == bindparam("poster")))
_BY_NETWORK = DriverStatement(_recent_by_network())


def check_duplicate(session: Session, article_id: int, body: str, author_key: str | None,
                    ip_prefix: str | None) -> None:
    """Raise ``Conflict`` when this poster (see the module docstring) already posted ``body``
    on this article. An unproven post without a network is never a duplicate, nor is the
    first comment of an article not stored yet (``article_id`` None)."""
    if article_id is None:
        return
    # on the driver's cursor, in the session's transaction (engage/driver_statements.py):
    # SQLAlchemy's execution cost more than the query on every post (issue 22); the post
    # path has no pending ORM change here
    if author_key is not None:
        found = _BY_READER.scalar(session, {"poster": author_key, "article": article_id,
                                            "body": body})
    elif ip_prefix:
        found = _BY_NETWORK.scalar(session, {"poster": ip_prefix, "article": article_id,
                                             "body": body})
    else:
        return
    if found is not None:
        raise Conflict(MESSAGE)
