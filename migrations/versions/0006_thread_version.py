"""Articles carry a thread version; joins the feature branches into one head.

Revision ID: 0006_thread_version
Revises: 0002_moderation, 0003_classifier, 0004_moderators, 0005_pageviews
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_thread_version"
down_revision = ("0002_moderation", "0003_classifier", "0004_moderators", "0005_pageviews")
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thread_version", sa.Integer(), server_default="0",
                                      nullable=False))


def downgrade():
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("thread_version")
