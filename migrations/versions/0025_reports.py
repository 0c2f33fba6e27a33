"""Reader reports on comments (and DSA notices): comment_reports.

Revision ID: 0025_reports
Revises: 0024_queue_search

A new table only; existing comments have no reports. ``ix_comment_reports_state_comment`` is
the Reported tab's index (open reports by comment id, with the site: it covers the tab
and its count).
"""
from alembic import op
import sqlalchemy as sa

from engage.db import UTCDateTime

revision = "0025_reports"
down_revision = "0024_queue_search"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "comment_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("reporter", sa.String(32), nullable=False),
        sa.Column("network", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("good_faith", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("ground", sa.String(16), nullable=True),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="SET NULL",
                                name=op.f("fk_comment_reports_comment_id_comments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_reports")),
        sa.UniqueConstraint("comment_id", "reporter", name="uq_comment_reports_reporter"),
        sa.UniqueConstraint("reference", name=op.f("uq_comment_reports_reference")),
    )
    op.create_index("ix_comment_reports_state_comment", "comment_reports",
                    ["state", "comment_id", "site_id"])
    op.create_index("ix_comment_reports_network", "comment_reports", ["network", "created_at"])
    op.create_index("ix_comment_reports_email", "comment_reports", ["email"])


def downgrade():
    op.drop_index("ix_comment_reports_email", table_name="comment_reports")
    op.drop_index("ix_comment_reports_network", table_name="comment_reports")
    op.drop_index("ix_comment_reports_state_comment", table_name="comment_reports")
    op.drop_table("comment_reports")
