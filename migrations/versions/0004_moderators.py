"""Moderators, API tokens, login sessions, login failures, the audit log and queue counts.

The per-status counts table is kept exact by triggers on ``comments`` (see
``engage/queue/counts.py`` for why); their SQL lives only here.

Revision ID: 0004_moderators
Revises: 0001_initial
"""
from alembic import op
import sqlalchemy as sa

from engage.db import UTCDateTime

revision = "0004_moderators"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

STATUSES = ("approved", "pending", "spam", "rejected")

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


def _pg_function(name, deltas):
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


def upgrade():
    op.create_table(
        "moderators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_login_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderators")),
        sa.UniqueConstraint("name", name=op.f("uq_moderators_name")),
    )
    op.create_table(
        "moderator_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("hint", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["moderator_id"], ["moderators.id"],
                                name=op.f("fk_moderator_tokens_moderator_id_moderators"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderator_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_moderator_tokens_token_hash")),
    )
    with op.batch_alter_table("moderator_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moderator_tokens_moderator_id"), ["moderator_id"],
                              unique=False)

    op.create_table(
        "moderator_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["moderator_id"], ["moderators.id"],
                                name=op.f("fk_moderator_sessions_moderator_id_moderators"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderator_sessions")),
        sa.UniqueConstraint("id_hash", name=op.f("uq_moderator_sessions_id_hash")),
    )
    with op.batch_alter_table("moderator_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moderator_sessions_expires_at"), ["expires_at"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_moderator_sessions_moderator_id"), ["moderator_id"],
                              unique=False)

    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("failed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failures_failed_at"), ["failed_at"],
                              unique=False)
        batch_op.create_index("ix_login_failures_key", ["key", "failed_at"], unique=False)

    op.create_table(
        "moderation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("moderator", sa.String(length=64), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"],
                                name=op.f("fk_moderation_events_comment_id_comments"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_events")),
    )
    with op.batch_alter_table("moderation_events", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_events_comment", ["comment_id", "id"], unique=False)

    op.create_table(
        "comment_status_counts",
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("status", name=op.f("pk_comment_status_counts")),
    )
    seed = " UNION ALL ".join(f"SELECT '{status}' AS status" for status in STATUSES)
    op.execute(f"""INSERT INTO comment_status_counts (status, total)
        SELECT s.status, (SELECT count(*) FROM comments c WHERE c.status = s.status)
        FROM ({seed}) AS s""")
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}.get(dialect, []):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for name in ("insert", "delete", "update", "truncate"):
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS trg_comment_counts_{name} ON comments")
            op.execute(f"DROP FUNCTION IF EXISTS comment_counts_{name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS trg_comment_counts_{name}")
    op.drop_table("comment_status_counts")
    with op.batch_alter_table("moderation_events", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_events_comment")
    op.drop_table("moderation_events")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_key")
        batch_op.drop_index(batch_op.f("ix_login_failures_failed_at"))
    op.drop_table("login_failures")
    with op.batch_alter_table("moderator_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderator_sessions_moderator_id"))
        batch_op.drop_index(batch_op.f("ix_moderator_sessions_expires_at"))
    op.drop_table("moderator_sessions")
    with op.batch_alter_table("moderator_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderator_tokens_moderator_id"))
    op.drop_table("moderator_tokens")
    op.drop_table("moderators")
