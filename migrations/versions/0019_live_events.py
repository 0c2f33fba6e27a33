"""live_events: the short change log behind GET /api/v1/stream.

Revision ID: 0019_live_events
Revises: 0014_moderator_roles

A new table only (engage/live/models.py): nothing existing is copied or rewritten.
"""
from alembic import op
import sqlalchemy as sa

from engage.db import UTCDateTime

revision = "0019_live_events"
down_revision = "0014_moderator_roles"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "live_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_events")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_live_events_article_id_id", "live_events", ["article_id", "id"])
    op.create_index("ix_live_events_created_at", "live_events", ["created_at"])


def downgrade():
    op.drop_index("ix_live_events_created_at", table_name="live_events")
    op.drop_index("ix_live_events_article_id_id", table_name="live_events")
    op.drop_table("live_events")
