"""Sites: every article belongs to one; everything stored before moves to the site ``default``.

Revision ID: 0012_sites
Revises: 0011_reader_keys

- ``sites`` (id slug, name, origins, settings overrides) and ``sites_revision``; the site
  ``default`` is created.
- ``articles.site_id`` (every existing article: ``default``); an article is unique by
  (site_id, key) instead of by key.
- ``comments.site_id`` (the article's site, kept on the comment for the per-site queue, counts
  and overview), with the indexes of those queries.
- ``comment_status_counts`` counts per (site_id, status), seeded from the comments, and its
  triggers (see ``engage/queue/counts.py``) count by the comment's site.

SQLite can only drop a unique constraint or add a referencing column by copying the table, and
dropping the old copy of ``articles`` or ``comments`` with foreign keys on would delete every
comment and view count through ``ON DELETE CASCADE``. So foreign keys are switched off for
this revision (outside a transaction, where SQLite honours it), checked with
``PRAGMA foreign_key_check`` before they are switched on again.
"""
import importlib.util  # a revision file is no importable module (its name starts with a digit)
from pathlib import Path

from alembic import op
import sqlalchemy as sa

from engage.db import UTCDateTime

revision = "0012_sites"
down_revision = "0011_reader_keys"
branch_labels = None
depends_on = None

DEFAULT = "default"

SQLITE_TRIGGERS = [
    # Upserts: a missing count row is recreated instead of silently never counting again.
    """CREATE TRIGGER trg_comment_counts_insert AFTER INSERT ON comments BEGIN
         INSERT INTO comment_status_counts (site_id, status, total)
           VALUES (NEW.site_id, NEW.status, 1)
           ON CONFLICT (site_id, status) DO UPDATE SET total = total + 1;
       END""",
    """CREATE TRIGGER trg_comment_counts_delete AFTER DELETE ON comments BEGIN
         INSERT INTO comment_status_counts (site_id, status, total)
           VALUES (OLD.site_id, OLD.status, -1)
           ON CONFLICT (site_id, status) DO UPDATE SET total = total - 1;
       END""",
    """CREATE TRIGGER trg_comment_counts_update AFTER UPDATE OF status, site_id ON comments
       WHEN OLD.status <> NEW.status OR OLD.site_id <> NEW.site_id BEGIN
         INSERT INTO comment_status_counts (site_id, status, total)
           VALUES (OLD.site_id, OLD.status, -1)
           ON CONFLICT (site_id, status) DO UPDATE SET total = total - 1;
         INSERT INTO comment_status_counts (site_id, status, total)
           VALUES (NEW.site_id, NEW.status, 1)
           ON CONFLICT (site_id, status) DO UPDATE SET total = total + 1;
       END""",
]


def _pg_function(name, deltas):
    """A trigger function adding ``deltas`` (rows of site_id, status, n) to the count rows,
    locking them in (site_id, status) order so that concurrent statements cannot deadlock."""
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO comment_status_counts AS c (site_id, status, total)
      SELECT d.site_id, d.status, d.n FROM ({deltas}) AS d ORDER BY d.site_id, d.status
      ON CONFLICT (site_id, status) DO UPDATE SET total = c.total + EXCLUDED.total;
    RETURN NULL;
END $$"""


POSTGRESQL_FUNCTIONS = [
    _pg_function("comment_counts_insert",
                 "SELECT site_id, status, count(*) AS n FROM new_rows GROUP BY site_id, status"),
    _pg_function("comment_counts_delete",
                 "SELECT site_id, status, -count(*) AS n FROM old_rows GROUP BY site_id, status"),
    _pg_function("comment_counts_update",
                 """SELECT site_id, status, sum(n) AS n FROM (
                        SELECT site_id, status, -count(*) AS n FROM old_rows
                          GROUP BY site_id, status
                        UNION ALL SELECT site_id, status, count(*) AS n FROM new_rows
                          GROUP BY site_id, status
                    ) AS x GROUP BY site_id, status HAVING sum(n) <> 0"""),
]


def _revision_0004():
    """Revision ``0004_moderators``, whose PostgreSQL triggers (on statements, calling the
    functions above) stay as they were, and whose per-status counts a downgrade restores."""
    spec = importlib.util.spec_from_file_location(
        "engage_migration_0004", Path(__file__).with_name("0004_moderators.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _postgresql_triggers() -> list[str]:
    return POSTGRESQL_FUNCTIONS + [statement for statement in _revision_0004().POSTGRESQL_TRIGGERS
                                   if statement.startswith("CREATE TRIGGER")]


def _foreign_keys(on: bool) -> None:
    """SQLite only: switch foreign key enforcement (see the module docstring)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if on:
        problems = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"foreign keys broken by the migration: {problems[:5]}")
    with op.get_context().autocommit_block():
        bind.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _drop_count_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for name in ("insert", "delete", "update", "truncate"):
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS trg_comment_counts_{name} ON comments")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS trg_comment_counts_{name}")


def _site_column(table: str) -> sa.Column:
    return sa.Column("site_id", sa.String(length=64), server_default=DEFAULT, nullable=False)


def upgrade():
    _foreign_keys(False)
    op.create_table(
        "sites",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("origins", sa.JSON(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
    )
    op.create_table(
        "sites_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites_revision")),
    )
    sites = sa.table("sites", sa.column("id"), sa.column("name"), sa.column("origins", sa.JSON),
                     sa.column("settings", sa.JSON), sa.column("created_at", UTCDateTime()),
                     sa.column("updated_at", UTCDateTime()))
    now = sa.func.current_timestamp()
    op.execute(sites.insert().values(id=DEFAULT, name=DEFAULT, origins=[], settings={},
                                     created_at=now, updated_at=now))
    op.execute("INSERT INTO sites_revision (id, revision) VALUES (1, 1)")

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(_site_column("articles"))
        batch_op.drop_constraint("uq_articles_key", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_articles_site_id_key"),
                                          ["site_id", "key"])
        batch_op.create_foreign_key(batch_op.f("fk_articles_site_id_sites"), "sites",
                                    ["site_id"], ["id"])

    _drop_count_triggers()
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(_site_column("comments"))
        batch_op.create_foreign_key(batch_op.f("fk_comments_site_id_sites"), "sites",
                                    ["site_id"], ["id"])
        batch_op.create_index("ix_comments_site_queue", ["site_id", "status", "id"],
                              unique=False)
        batch_op.create_index("ix_comments_site_created", ["site_id", "created_at"],
                              unique=False)

    op.drop_table("comment_status_counts")
    op.create_table(
        "comment_status_counts",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "status", name=op.f("pk_comment_status_counts")),
    )
    op.execute("""INSERT INTO comment_status_counts (site_id, status, total)
        SELECT site_id, status, count(*) FROM comments GROUP BY site_id, status""")
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": _postgresql_triggers()}
    for statement in statements.get(dialect, []):
        op.execute(statement)
    _foreign_keys(True)


def downgrade():
    """Back to one site: refused while any other site has articles (they would collide)."""
    bind = op.get_bind()
    others = bind.execute(sa.text("SELECT count(*) FROM articles WHERE site_id <> :d"),
                          {"d": DEFAULT}).scalar()
    if others:
        raise RuntimeError(f"{others} articles belong to sites other than {DEFAULT!r}")
    _foreign_keys(False)
    _drop_count_triggers()
    op.drop_table("comment_status_counts")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_site_created")
        batch_op.drop_index("ix_comments_site_queue")
        batch_op.drop_constraint("fk_comments_site_id_sites", type_="foreignkey")
        batch_op.drop_column("site_id")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_constraint("fk_articles_site_id_sites", type_="foreignkey")
        batch_op.drop_constraint("uq_articles_site_id_key", type_="unique")
        batch_op.create_unique_constraint("uq_articles_key", ["key"])
        batch_op.drop_column("site_id")
    op.drop_table("sites_revision")
    op.drop_table("sites")
    _recreate_status_counts()
    _foreign_keys(True)


def _recreate_status_counts() -> None:
    """The per-status counts of ``0004_moderators``, with that revision's own triggers."""
    old = _revision_0004()
    op.create_table(
        "comment_status_counts",
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("status", name=op.f("pk_comment_status_counts")),
    )
    op.execute("""INSERT INTO comment_status_counts (status, total)
        SELECT status, count(*) FROM comments GROUP BY status""")
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": old.SQLITE_TRIGGERS,
                      "postgresql": old.POSTGRESQL_TRIGGERS}.get(dialect, []):
        op.execute(statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
