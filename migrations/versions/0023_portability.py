"""Portability: imported_comments (source ids of imports) and privacy_events (reader requests).

Revision ID: 0023_portability
Revises: 0020_votes_edits

New tables only (engage/portability/models.py): nothing existing is copied or rewritten.
"""
from alembic import op
import sqlalchemy as sa

from engage.db import UTCDateTime

revision = "0023_portability"
down_revision = "0020_votes_edits"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "imported_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="SET NULL",
                                name=op.f("fk_imported_comments_comment_id_comments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_comments")),
        sa.UniqueConstraint("source", "site_id", "source_id",
                            name=op.f("uq_imported_comments_source_site_id_source_id")),
    )
    op.create_index("ix_imported_comments_comment_id", "imported_comments", ["comment_id"])
    op.create_table(
        "privacy_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("comments", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_events")),
    )


def downgrade():
    op.drop_table("privacy_events")
    op.drop_index("ix_imported_comments_comment_id", table_name="imported_comments")
    op.drop_table("imported_comments")
