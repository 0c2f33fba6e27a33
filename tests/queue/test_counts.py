"""Status counts stay exact whoever writes comments."""

from __future__ import annotations

from sqlalchemy import func, select, text

from engage.comments.models import Comment, CommentStatus
from engage.queue.counts import status_counts


def _actual(session) -> dict[str, int]:
    counts = {status.value: 0 for status in CommentStatus}
    for status, n in session.execute(select(Comment.status, func.count()).group_by(Comment.status)):
        counts[status.value] = n
    return counts


def test_bulk_sql_writes_are_counted(db_session, make_comment):
    for _ in range(4):
        make_comment()
    db_session.execute(text("UPDATE comments SET status = 'spam' WHERE id % 2 = 0"))
    db_session.execute(text("DELETE FROM comments WHERE id = 1"))
    db_session.commit()
    assert status_counts(db_session) == _actual(db_session)


def test_deleting_an_article_cascades_into_the_counts(db_session, make_comment):
    make_comment(article="/gone")
    make_comment(article="/kept")
    db_session.execute(text("DELETE FROM articles WHERE key = '/gone'"))
    db_session.commit()
    assert status_counts(db_session) == _actual(db_session)
    assert status_counts(db_session)["pending"] == 1
