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
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a copy of the table: dropping the old
    # articles table would delete every comment and view count through ON DELETE CASCADE.
    for column in ("mode", "details_locked", "url", "title"):
        op.drop_column("articles", column)
