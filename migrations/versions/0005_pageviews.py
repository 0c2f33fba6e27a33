"""View counter: daily counts per article, recent view keys, daily salts, persisted batches.

Revision ID: 0005_pageviews
Revises: 0001_initial
"""
from alembic import op
import sqlalchemy as sa

from engage.db import UTCDateTime

revision = "0005_pageviews"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "article_views",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name=op.f("fk_article_views_article_id_articles"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "day", name=op.f("pk_article_views")),
    )
    with op.batch_alter_table("article_views", schema=None) as batch_op:
        batch_op.create_index("ix_article_views_day", ["day"], unique=False)

    op.create_table(
        "view_visitors",
        sa.Column("view_key", sa.String(length=32), nullable=False),
        sa.Column("seen_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("view_key", name=op.f("pk_view_visitors")),
    )
    with op.batch_alter_table("view_visitors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_view_visitors_expires_ms"), ["expires_ms"],
                              unique=False)

    op.create_table(
        "view_salts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_view_salts")),
    )

    op.create_table(
        "view_batches",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("persisted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_view_batches")),
    )
    with op.batch_alter_table("view_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_view_batches_persisted_at"), ["persisted_at"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("view_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_view_batches_persisted_at"))
    op.drop_table("view_batches")
    op.drop_table("view_salts")
    with op.batch_alter_table("view_visitors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_view_visitors_expires_ms"))
    op.drop_table("view_visitors")
    with op.batch_alter_table("article_views", schema=None) as batch_op:
        batch_op.drop_index("ix_article_views_day")
    op.drop_table("article_views")
