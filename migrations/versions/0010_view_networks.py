"""Daily view counts remember (roughly) how many networks they came from.

Revision ID: 0010_view_networks
Revises: 0009_spam_trained_model

``article_views.networks``: a 31-bit mask, one bit per network that viewed the article that
day (``engage.pageviews.store.network_bit``). ``/api/v1/views/top`` lists only articles read
from several networks, so a key viewed from one network cannot top it. Rows stored before this
revision have no such record; they get every bit, so what was listed stays listed.
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_view_networks"
down_revision = "0009_spam_trained_model"
branch_labels = None
depends_on = None

ALL_NETWORKS = (1 << 31) - 1


def upgrade():
    with op.batch_alter_table("article_views", schema=None) as batch_op:
        batch_op.add_column(sa.Column("networks", sa.BigInteger(), server_default="0",
                                      nullable=False))
    op.execute(sa.text("UPDATE article_views SET networks = :all").bindparams(all=ALL_NETWORKS))


def downgrade():
    with op.batch_alter_table("article_views", schema=None) as batch_op:
        batch_op.drop_column("networks")
