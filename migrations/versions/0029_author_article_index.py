"""A proven reader's comments indexed by article too: the double-submit check reads a few rows.

Revision ID: 0029_author_article_index
Revises: 0028_mail

``ix_comments_author_key`` was (author_key, status): the double-submit check asks for an
author's comment with the same text on one article, and SQLite, with an equality on one
column of either index, read it through ``ix_comments_pinned`` (article_id): every comment
of the thread, on every post (about 0.4 µs a comment: 4 ms a post at 10,000). It becomes
(author_key, article_id, status): the check reads the author's comments on that article, and
the author-history counts (author_key, status) read the author's entries as before, from the
index alone. Replaced rather than added: one more index would cost every post a page write.
"""
from alembic import op

revision = "0029_author_article_index"
down_revision = "0028_mail"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_comments_author_key", table_name="comments")
    op.create_index("ix_comments_author_key", "comments", ["author_key", "article_id", "status"])


def downgrade():
    op.drop_index("ix_comments_author_key", table_name="comments")
    op.create_index("ix_comments_author_key", "comments", ["author_key", "status"])
