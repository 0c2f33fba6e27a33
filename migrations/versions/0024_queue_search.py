"""Queue text search through an index: SQLite FTS5, PostgreSQL trigram indexes.

Revision ID: 0024_queue_search
Revises: 0019_live_events

- SQLite: ``comments_search``, an external-content FTS5 table over comments' ``body``,
  ``author_name`` and ``author_email`` (rowid = comments.id; the text is not stored twice),
  kept in step by three triggers in the writing transaction, and built from the existing rows.
  ``unicode61`` with ``remove_diacritics 0``: "resume" must not find "résumé", as the substring
  search it prefilters never did.
- PostgreSQL: ``pg_trgm`` GIN indexes on the same three columns. They serve the queue's own
  ``ILIKE '%q%'`` unchanged, so its answers stay those of the substring scan by construction.

Neither is a model (an FTS5 table with its shadow tables; GIN indexes with an operator class
on one dialect only): ``engage.queue.search.outside_models`` names them, and the comparison of
models with migrations leaves them out.
"""
from alembic import op

revision = "0024_queue_search"
down_revision = "0019_live_events"
branch_labels = None
depends_on = None

COLUMNS = ("body", "author_name", "author_email")

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

# pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
POSTGRESQL_UPGRADE = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
    f"CREATE INDEX ix_comments_search_{column} ON comments USING gin ({column} gin_trgm_ops)"
    for column in COLUMNS]
# The extension stays: other schemas of the database may use it, and it holds no data.
POSTGRESQL_DOWNGRADE = [f"DROP INDEX IF EXISTS ix_comments_search_{column}"
                        for column in COLUMNS]


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UPGRADE)
    elif dialect == "postgresql":
        _run(POSTGRESQL_UPGRADE)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWNGRADE)
    elif dialect == "postgresql":
        _run(POSTGRESQL_DOWNGRADE)
