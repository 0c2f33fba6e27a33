"""Per-status comment counts for the queue tabs, kept exact by database triggers.

Why a maintained table: counting a million comments per status takes tens to hundreds of
milliseconds on either database even with an index-only scan, and the queue shows the counts on
every page load. Triggers on ``comments`` keep ``comment_status_counts`` exact for every writer
(the comments service, moderator decisions, bulk imports, cascaded deletes), with no application
code to forget. Reading the counts is then a 4-row read.

- SQLite: row-level triggers (+1/-1 per inserted, deleted or re-statused comment).
- PostgreSQL: statement-level triggers over transition tables, so a bulk insert or a bulk
  decision updates each count row once per statement. Count rows are locked in status order
  by an upsert ordered by status, so two concurrent decisions cannot deadlock on them; a
  TRUNCATE of comments resets them to zero.

The trigger SQL is created by migration ``0004_moderators``; the ``after_create`` hook below
installs the same triggers when a database is built with ``metadata.create_all`` instead.
Per-article counts are not stored: one article's comments are few, and the
``ix_comments_thread (article_id, status, id)`` index counts them directly.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, event, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.comments.models import Comment, CommentStatus
from engage.db import Base


class CommentStatusCount(Base):
    __tablename__ = "comment_status_counts"

    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)


def status_counts(session: Session, article_id: int | None = None) -> dict[str, int]:
    """``{status: n}`` for every status (zeros included), over all comments or one article."""
    counts = {status.value: 0 for status in CommentStatus}
    if article_id is None:
        rows = session.execute(select(CommentStatusCount.status, CommentStatusCount.total))
    else:
        rows = session.execute(select(Comment.status, func.count())
                               .where(Comment.article_id == article_id).group_by(Comment.status))
    for status, total in rows:
        key = status.value if isinstance(status, CommentStatus) else status
        counts[key] = int(total)
    return counts


SQLITE_TRIGGERS = [
    # Upserts, not plain updates: a count row that is missing (a truncated or hand-edited
    # table) is recreated instead of silently never counting again.
    """CREATE TRIGGER trg_comment_counts_insert AFTER INSERT ON comments BEGIN
         INSERT INTO comment_status_counts (status, total) VALUES (NEW.status, 1)
           ON CONFLICT (status) DO UPDATE SET total = total + 1;
       END""",
    """CREATE TRIGGER trg_comment_counts_delete AFTER DELETE ON comments BEGIN
         INSERT INTO comment_status_counts (status, total) VALUES (OLD.status, -1)
           ON CONFLICT (status) DO UPDATE SET total = total - 1;
       END""",
    """CREATE TRIGGER trg_comment_counts_update AFTER UPDATE OF status ON comments
       WHEN OLD.status <> NEW.status BEGIN
         INSERT INTO comment_status_counts (status, total) VALUES (OLD.status, -1)
           ON CONFLICT (status) DO UPDATE SET total = total - 1;
         INSERT INTO comment_status_counts (status, total) VALUES (NEW.status, 1)
           ON CONFLICT (status) DO UPDATE SET total = total + 1;
       END""",
]

def _pg_function(name: str, deltas: str) -> str:
    """A trigger function adding ``deltas`` (rows of status, n) to the count rows.

    The upsert takes the row locks in status order, so concurrent statements cannot deadlock.
    """
    return f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO comment_status_counts AS c (status, total)
      SELECT d.status, d.n FROM ({deltas}) AS d ORDER BY d.status
      ON CONFLICT (status) DO UPDATE SET total = c.total + EXCLUDED.total;
    RETURN NULL;
END $$"""


POSTGRESQL_TRIGGERS = [
    _pg_function("comment_counts_insert",
                 "SELECT status, count(*) AS n FROM new_rows GROUP BY status"),
    _pg_function("comment_counts_delete",
                 "SELECT status, -count(*) AS n FROM old_rows GROUP BY status"),
    _pg_function("comment_counts_update",
                 """SELECT status, sum(n) AS n FROM (
                        SELECT status, -count(*) AS n FROM old_rows GROUP BY status
                        UNION ALL SELECT status, count(*) AS n FROM new_rows GROUP BY status
                    ) AS x GROUP BY status HAVING sum(n) <> 0"""),
    """CREATE TRIGGER trg_comment_counts_insert AFTER INSERT ON comments
       REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
       EXECUTE FUNCTION comment_counts_insert()""",
    """CREATE TRIGGER trg_comment_counts_delete AFTER DELETE ON comments
       REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
       EXECUTE FUNCTION comment_counts_delete()""",
    """CREATE TRIGGER trg_comment_counts_update AFTER UPDATE ON comments
       REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
       EXECUTE FUNCTION comment_counts_update()""",
    # TRUNCATE fires no delete triggers; start every count again from zero.
    """CREATE FUNCTION comment_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE comment_status_counts SET total = 0;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER trg_comment_counts_truncate AFTER TRUNCATE ON comments
       FOR EACH STATEMENT EXECUTE FUNCTION comment_counts_truncate()""",
]

SEED_COUNTS = """INSERT INTO comment_status_counts (status, total)
    SELECT s.status, (SELECT count(*) FROM comments c WHERE c.status = s.status)
    FROM ({}) AS s""".format(
    " UNION ALL ".join(f"SELECT '{status.value}' AS status" for status in CommentStatus))


@event.listens_for(Base.metadata, "after_create")
def _install_triggers(metadata, connection, tables=(), **kw) -> None:
    """Give databases built by ``create_all`` the same triggers the migration creates."""
    names = {table.name for table in tables}
    if not {"comments", "comment_status_counts"} <= names:
        return
    dialect = connection.dialect.name
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}.get(dialect)
    if statements is None:
        return
    connection.execute(text(SEED_COUNTS))
    for statement in statements:
        connection.exec_driver_sql(statement)
