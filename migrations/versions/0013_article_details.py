"""Articles carry a title, a URL and their own moderation mode.

Revision ID: 0013_article_details
Revises: 0012_sites

- ``title``, ``url``: what the widget sends with a comment (the page's title and canonical
  URL), or what a moderator set; ``details_locked`` is set once a moderator corrected them, so
  that the next comment from a page with a stale title does not undo the correction.
- ``mode``: the article's own moderation mode (``auto``, ``premod``, ``first``); NULL follows the
  site's setting. Every existing article has none of these: NULL, NULL, false, NULL.
Only added columns: no table is copied, on SQLite either.
"""
from alembic import op
import sqlalchemy as sa

revision = "0013_article_details"
down_revision = "0012_sites"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("articles", sa.Column("title", sa.String(length=300), nullable=True))
    op.add_column("articles", sa.Column("url", sa.String(length=2000), nullable=True))
    op.add_column("articles", sa.Column("details_locked", sa.Boolean(), server_default=sa.false(),
                                        nullable=False))
    op.add_column("articles", sa.Column("mode", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("mode")
        batch_op.drop_column("details_locked")
        batch_op.drop_column("url")
        batch_op.drop_column("title")
