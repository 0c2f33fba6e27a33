"""Queue text search through an index: SQLite FTS5, PostgreSQL a GIN index of words.

Revision ID: 0024_queue_search
Revises: 0023_portability

- SQLite: ``comments_search``, an external-content FTS5 table over comments' ``body``,
  ``author_name`` and ``author_email`` (rowid = comments.id; the text is not stored twice),
  kept in step by three triggers in the writing transaction, and built from the existing rows.
  ``unicode61`` with ``remove_diacritics 0``: the substring check that follows the index would
  refuse "résumé" for "resume" anyway, so the index does not propose it. A later revision that copies ``comments`` (SQLite's batch
  mode) drops these triggers with the old table: it must create them again, as 0012 does for
  the count triggers, and end with the ``'rebuild'`` below.
- PostgreSQL: ``ix_comments_search_words``, a GIN index of the words of the same three columns
  (``to_tsvector('simple', …)`` of the text with every run of non-alphanumerics made a space, so
  that the parser sees words only: no email, URL or hyphenated tokens that a part of them would
  not match). Its expression is ``engage.queue.search.POSTGRESQL_WORDS`` (the same, with the
  table named), or the planner would not use it. Not pg_trgm: trigrams that every row has
  ("com", "rea", "exa") made a rare word read most of a trigram index (30-60 ms at a million
  comments), where a word's own entry in a word index is short.

Neither is a model (an FTS5 table with its shadow tables; an expression index on one dialect):
``engage.queue.search.outside_models`` names them, and the comparison of models with
migrations leaves them out.
"""
from alembic import op

revision = "0024_queue_search"
down_revision = "0023_portability"
branch_labels = None
depends_on = None

SQLITE_UPGRADE = [
    """CREATE VIRTUAL TABLE comments_search USING fts5(
         body, author_name, author_email,
         content='comments', content_rowid='id',
         tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER trg_comments_search_insert AFTER INSERT ON comments BEGIN
         INSERT INTO comments_search (rowid, body, author_name, author_email)
           VALUES (NEW.id, NEW.body, NEW.author_name, NEW.author_email);
       END""",
    # An external-content table forgets a row only when told its old text exactly.
    """CREATE TRIGGER trg_comments_search_delete AFTER DELETE ON comments BEGIN
         INSERT INTO comments_search (comments_search, rowid, body, author_name, author_email)
           VALUES ('delete', OLD.id, OLD.body, OLD.author_name, OLD.author_email);
       END""",
    # Erasing an author's data rewrites these columns: the old words leave the index too.
    """CREATE TRIGGER trg_comments_search_update
         AFTER UPDATE OF body, author_name, author_email ON comments BEGIN
         INSERT INTO comments_search (comments_search, rowid, body, author_name, author_email)
           VALUES ('delete', OLD.id, OLD.body, OLD.author_name, OLD.author_email);
         INSERT INTO comments_search (rowid, body, author_name, author_email)
           VALUES (NEW.id, NEW.body, NEW.author_name, NEW.author_email);
       END""",
    "INSERT INTO comments_search (comments_search) VALUES ('rebuild')",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS trg_comments_search_update",
    "DROP TRIGGER IF EXISTS trg_comments_search_delete",
    "DROP TRIGGER IF EXISTS trg_comments_search_insert",
    "DROP TABLE IF EXISTS comments_search",
]

# As engage.queue.search.POSTGRESQL_WORDS, frozen here: a later change is a new revision.
POSTGRESQL_UPGRADE = [
    "CREATE INDEX ix_comments_search_words ON comments USING gin (to_tsvector('simple'::regconfig,"
    " regexp_replace(body || ' ' || author_name || ' ' || author_email, '[^[:alnum:]]+', ' ',"
    " 'g')))"]
POSTGRESQL_DOWNGRADE = ["DROP INDEX IF EXISTS ix_comments_search_words"]


def _run(statements_by_dialect):
    for statement in statements_by_dialect.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade():
    _run({"sqlite": SQLITE_UPGRADE, "postgresql": POSTGRESQL_UPGRADE})


def downgrade():
    _run({"sqlite": SQLITE_DOWNGRADE, "postgresql": POSTGRESQL_DOWNGRADE})
