"""SQLite's queue search index takes new comments in batches, off the post: a post writes less.

Revision ID: 0031_deferred_search_index
Revises: 0030_partial_comment_indexes

0024's insert trigger added every new comment to the FTS5 table ``comments_search`` inside
the post's own transaction. FTS5 then wrote a new segment for that single row, with its
structure record, its size row and its term pages: 5.4 of the 20.7 pages a post wrote, plus
the tokenizing. In ``bench/comments.py``'s load, a server without that trigger posted 8-13 %
more per second (three side-by-side runs). A batch of 200 rows costs 4-7 µs a row.

From this revision (SQLite only; PostgreSQL's GIN index is the database's own work):

- ``comments_search_state`` holds one row, ``indexed_through``: every comment with an id up
  to it is in the index, and no comment above it is. ``engage.queue.search_index`` moves it
  forward in batches: on a thread of each serving process, and before every queue search,
  so that a search still sees every comment.
- The insert trigger indexes a new comment only when its id is at or below
  ``indexed_through``. That happens for an explicit id, or when the newest comment was deleted
  and SQLite gave its id out again. Ordinary posts get ids above it and wait for the batch.
- The delete and update triggers change the index only for rows that are in it.

A later revision that copies ``comments`` (SQLite's batch mode) drops these triggers with the
old table. It must create them again as they are here.
"""
from alembic import op

revision = "0031_deferred_search_index"
down_revision = "0030_partial_comment_indexes"
branch_labels = None
depends_on = None

_INDEXED = "(SELECT indexed_through FROM comments_search_state)"
_TRIGGERS = ("trg_comments_search_insert", "trg_comments_search_delete",
             "trg_comments_search_update")

UPGRADE = [
    """CREATE TABLE comments_search_state (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         indexed_through INTEGER NOT NULL)""",
    # 0024's triggers indexed every row so far
    "INSERT INTO comments_search_state (id, indexed_through) "
    "SELECT 1, coalesce(max(id), 0) FROM comments",
    *(f"DROP TRIGGER {name}" for name in _TRIGGERS),
    f"""CREATE TRIGGER trg_comments_search_insert AFTER INSERT ON comments
         WHEN NEW.id <= {_INDEXED} BEGIN
         INSERT INTO comments_search (rowid, body, author_name, author_email)
           VALUES (NEW.id, NEW.body, NEW.author_name, NEW.author_email);
       END""",
    # An external-content table forgets a row only when told its old text exactly, and must
    # never be told about a row it does not hold.
    f"""CREATE TRIGGER trg_comments_search_delete AFTER DELETE ON comments
         WHEN OLD.id <= {_INDEXED} BEGIN
         INSERT INTO comments_search (comments_search, rowid, body, author_name, author_email)
           VALUES ('delete', OLD.id, OLD.body, OLD.author_name, OLD.author_email);
       END""",
    f"""CREATE TRIGGER trg_comments_search_update
         AFTER UPDATE OF body, author_name, author_email ON comments
         WHEN OLD.id <= {_INDEXED} BEGIN
         INSERT INTO comments_search (comments_search, rowid, body, author_name, author_email)
           VALUES ('delete', OLD.id, OLD.body, OLD.author_name, OLD.author_email);
         INSERT INTO comments_search (rowid, body, author_name, author_email)
           VALUES (NEW.id, NEW.body, NEW.author_name, NEW.author_email);
       END""",
]

# 0024's triggers, and every row indexed again (the rows above indexed_through were not)
DOWNGRADE = [
    *(f"DROP TRIGGER {name}" for name in _TRIGGERS),
    "DROP TABLE comments_search_state",
    """CREATE TRIGGER trg_comments_search_insert AFTER INSERT ON comments BEGIN
         INSERT INTO comments_search (rowid, body, author_name, author_email)
           VALUES (NEW.id, NEW.body, NEW.author_name, NEW.author_email);
       END""",
    """CREATE TRIGGER trg_comments_search_delete AFTER DELETE ON comments BEGIN
         INSERT INTO comments_search (comments_search, rowid, body, author_name, author_email)
           VALUES ('delete', OLD.id, OLD.body, OLD.author_name, OLD.author_email);
       END""",
    """CREATE TRIGGER trg_comments_search_update
         AFTER UPDATE OF body, author_name, author_email ON comments BEGIN
         INSERT INTO comments_search (comments_search, rowid, body, author_name, author_email)
           VALUES ('delete', OLD.id, OLD.body, OLD.author_name, OLD.author_email);
         INSERT INTO comments_search (rowid, body, author_name, author_email)
           VALUES (NEW.id, NEW.body, NEW.author_name, NEW.author_email);
       END""",
    "INSERT INTO comments_search (comments_search) VALUES ('rebuild')",
]


def _run(statements):
    if op.get_bind().dialect.name == "sqlite":
        for statement in statements:
            op.execute(statement)


def upgrade():
    _run(UPGRADE)


def downgrade():
    _run(DOWNGRADE)
