"""Spam filter: labelled examples and the training-set version.

Revision ID: 0003_classifier
Revises: 0001_initial
"""
from alembic import op
import sqlalchemy as sa

from engage.db import UTCDateTime

revision = "0003_classifier"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "spam_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("is_spam", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("author_name", sa.String(length=100), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"],
                                name=op.f("fk_spam_examples_comment_id_comments"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spam_examples")),
        sa.UniqueConstraint("comment_id", name=op.f("uq_spam_examples_comment_id")),
    )
    op.create_table(
        "spam_model_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spam_model_state")),
    )


def downgrade():
    op.drop_table("spam_model_state")
    op.drop_table("spam_examples")
