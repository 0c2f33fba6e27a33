"""Status counts stay exact however the database was built and whoever writes comments."""

from __future__ import annotations

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from engage.articles import Article
from engage.comments.models import Comment, CommentStatus
from engage.db import Base, utcnow
from engage.moderation.queue_counts import status_counts


def _actual(session) -> dict[str, int]:
    counts = {status.value: 0 for status in CommentStatus}
    for status, n in session.execute(select(Comment.status, func.count()).group_by(Comment.status)):
        counts[status.value] = n
    return counts


def test_create_all_installs_the_same_triggers(tmp_path):
    import engage.moderation.routes  # noqa: F401  (every model registered)

    engine = create_engine(f"sqlite:///{tmp_path / 'created.sqlite3'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        article = Article(key="/a", created_at=utcnow())
        session.add(article)
        session.flush()
        comments = [Comment(article_id=article.id, status=status, author_name="n",
                            author_email="e@example.org", body="b", body_html="b", reasons=[],
                            created_at=utcnow())
                    for status in [CommentStatus.PENDING] * 3 + [CommentStatus.APPROVED]]
        session.add_all(comments)
        session.commit()
        comments[0].status = CommentStatus.SPAM
        session.delete(comments[1])
        session.commit()
        assert status_counts(session) == _actual(session) == {
            "approved": 1, "pending": 1, "spam": 1, "rejected": 0}
    engine.dispose()


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
