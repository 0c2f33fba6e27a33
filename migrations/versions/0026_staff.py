"""Staff replies, pinned comments and suspensions: two comment columns and a table.

Revision ID: 0026_staff
Revises: 0025_reports

``comments.staff`` (false for every existing comment: readers wrote them) and
``comments.pinned_at`` (none pinned) with ``ix_comments_pinned``; ``suspensions``, the bans
that expire (engage/queue/suspensions.py). Columns are added with plain ``ALTER TABLE ... ADD
COLUMN``, not SQLite's batch copy, which would drop the queue search triggers of 0024.
"""
from alembic import op
import sqlalchemy as sa

from engage.db import UTCDateTime

revision = "0026_staff"
down_revision = "0025_reports"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("comments", sa.Column("staff", sa.Boolean(), server_default=sa.false(),
                                        nullable=False))
    op.add_column("comments", sa.Column("pinned_at", UTCDateTime(), nullable=True))
    op.create_index("ix_comments_pinned", "comments", ["article_id", "pinned_at"])
    op.create_table(
        "suspensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("email", "network", name="suspensionkind", native_enum=False,
                                  length=16), nullable=False),
        sa.Column("value", sa.String(254), nullable=False),
        sa.Column("shadow", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=False),
        sa.Column("lifted_at", UTCDateTime(), nullable=True),
        sa.Column("lifted_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspensions")),
    )
    op.create_index("ix_suspensions_kind_value", "suspensions", ["kind", "value"])
    op.create_index("ix_suspensions_kind_until", "suspensions", ["kind", "until"])


def downgrade():
    op.drop_index("ix_suspensions_kind_until", table_name="suspensions")
    op.drop_index("ix_suspensions_kind_value", table_name="suspensions")
    op.drop_table("suspensions")
    op.drop_index("ix_comments_pinned", table_name="comments")
    # SQLite drops a column in place since 3.35: no table copy, the 0024 triggers stay.
    op.drop_column("comments", "pinned_at")
    op.drop_column("comments", "staff")
