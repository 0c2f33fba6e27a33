"""Votes, author edits and deletions: comment_votes, comment_edits and five comment columns.

Revision ID: 0020_votes_edits
Revises: 0019_live_events

Existing comments get no votes (0, 0, rank 0), no edit key (nobody can edit a comment stored
before edit keys existed) and are neither edited nor deleted.
"""
from alembic import op
import sqlalchemy as sa

from engage.db import UTCDateTime

revision = "0020_votes_edits"
down_revision = "0019_live_events"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("up", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("down", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("vote_rank", sa.Integer(), server_default="0",
                                   nullable=False))
        batch.add_column(sa.Column("edit_key_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("edited_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("deleted_at", UTCDateTime(), nullable=True))
    op.create_index("ix_comments_rank", "comments", ["article_id", "status", "vote_rank", "id"])
    op.create_table(
        "comment_votes",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(32), nullable=False),
        sa.Column("network", sa.String(32), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="CASCADE",
                                name=op.f("fk_comment_votes_comment_id_comments")),
        sa.PrimaryKeyConstraint("comment_id", "voter", name=op.f("pk_comment_votes")),
    )
    op.create_index("ix_comment_votes_network", "comment_votes", ["network", "created_at"])
    op.create_table(
        "comment_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("edited_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="CASCADE",
                                name=op.f("fk_comment_edits_comment_id_comments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_edits")),
    )
    op.create_index("ix_comment_edits_comment_id", "comment_edits", ["comment_id"])


def downgrade():
    op.drop_index("ix_comment_edits_comment_id", table_name="comment_edits")
    op.drop_table("comment_edits")
    op.drop_index("ix_comment_votes_network", table_name="comment_votes")
    op.drop_table("comment_votes")
    op.drop_index("ix_comments_rank", table_name="comments")
    with op.batch_alter_table("comments") as batch:
        for column in ("deleted_at", "edited_at", "edit_key_hash", "vote_rank", "down", "up"):
            batch.drop_column(column)
