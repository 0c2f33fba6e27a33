"""Spam filter: the trained weights, stored so that one process trains for all.

Revision ID: 0009_spam_trained_model
Revises: 0008_canonical_article_keys

``spam_trained_model`` holds one row: the weights (compressed JSON), the training-set stamp
they were trained from, and the training lease (engage/spamfilter/model_store.py). A restarted
process loads the weights instead of retraining. Nothing to convert: the first refresh after
the upgrade trains once and stores the result.
"""
from alembic import op
import sqlalchemy as sa

from engage.db import UTCDateTime

revision = "0009_spam_trained_model"
down_revision = "0008_canonical_article_keys"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "spam_trained_model",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("weights", sa.LargeBinary(), nullable=True),
        sa.Column("trained_at", UTCDateTime(), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spam_trained_model")),
    )


def downgrade():
    op.drop_table("spam_trained_model")
