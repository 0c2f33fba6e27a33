"""Moderators and their tokens carry a role; accounts may be limited to sites.

Revision ID: 0014_moderator_roles
Revises: 0013_article_details

- ``moderators.role`` and ``moderator_tokens.role``: every account and token made before roles
  existed could do everything, so they become ``admin`` (the column's server default).
- ``moderator_sites``: the sites an account is limited to (none: every site).
Only added columns and a new table: no table is copied, on SQLite either.
"""
from alembic import op
import sqlalchemy as sa

revision = "0014_moderator_roles"
down_revision = "0013_article_details"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("moderators", "moderator_tokens"):
        op.add_column(table, sa.Column("role", sa.String(length=16), server_default="admin",
                                       nullable=False))
    op.create_table(
        "moderator_sites",
        sa.Column("moderator_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["moderator_id"], ["moderators.id"],
                                name=op.f("fk_moderator_sites_moderator_id_moderators"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"],
                                name=op.f("fk_moderator_sites_site_id_sites")),
        sa.PrimaryKeyConstraint("moderator_id", "site_id", name=op.f("pk_moderator_sites")),
    )


def downgrade():
    op.drop_table("moderator_sites")
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a copy of the table: dropping the old
    # moderators table would delete every token and session through ON DELETE CASCADE.
    for table in ("moderator_tokens", "moderators"):
        op.drop_column(table, "role")
