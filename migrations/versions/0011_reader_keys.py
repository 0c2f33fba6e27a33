"""Comments carry the proof of their author (reader keys) and their own avatar token.

Revision ID: 0011_reader_keys
Revises: 0010_view_networks

- ``author_key``: HMAC of the email and the reader key the widget keeps in the browser
  (``engage/readers.py``); trust and first-comment standing rest on it, never on the email.
- ``avatar_token``: the public identicon's token, chosen when the comment is stored.
Existing comments keep NULL in both: they count for nobody's trust (nothing proves who wrote
them) and their avatar stays the keyed hash of their email, as before. Only added columns and
indexes: no table is copied, on SQLite either.
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_reader_keys"
down_revision = "0010_view_networks"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("comments", sa.Column("author_key", sa.String(length=64), nullable=True))
    op.add_column("comments", sa.Column("avatar_token", sa.String(length=32), nullable=True))
    op.create_index("ix_comments_author_key", "comments", ["author_key", "status"])
    op.create_index("ix_comments_network", "comments", ["ip_prefix", "article_id"])


def downgrade():
    op.drop_index("ix_comments_network", table_name="comments")
    op.drop_index("ix_comments_author_key", table_name="comments")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("avatar_token")
        batch_op.drop_column("author_key")
