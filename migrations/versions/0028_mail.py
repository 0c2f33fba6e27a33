"""Mail: reader subscriptions (double opt-in), moderator alerts and one-click links.

Revision ID: 0028_mail
Revises: 0027_outbox

- ``mail_addresses``: keyed hash of an address (never the address): confirmed once? last
  confirmation mail (at most one a day).
- ``subscriptions``: one reader request (replies of a comment, or an article), with the
  address to send to; indexes for the listener (article, parent comment) and the address.
- ``moderator_alerts`` (what a moderator hears about, how often, per site),
  ``moderator_digest_items`` (what waits for a digest), ``moderator_link_uses`` (one-click
  links used once), and ``moderators.email`` (where alerts go).
"""
from alembic import op
import sqlalchemy as sa

from engage.db import UTCDateTime

revision = '0028_mail'
down_revision = '0027_outbox'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_addresses',
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('confirmed_at', UTCDateTime(), nullable=True),
    sa.Column('confirm_sent_at', UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('address_hash', name=op.f('pk_mail_addresses'))
    )
    op.create_table('moderator_link_uses',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_moderator_link_uses'))
    )
    with op.batch_alter_table('moderator_link_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderator_link_uses_used_at'), ['used_at'], unique=False)

    op.create_table('moderator_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('events', sa.String(length=64), nullable=False),
    sa.Column('every', sa.String(length=8), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['moderator_id'], ['moderators.id'], name=op.f('fk_moderator_alerts_moderator_id_moderators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderator_alerts')),
    sa.UniqueConstraint('moderator_id', 'site_id', name=op.f('uq_moderator_alerts_moderator_id_site_id'))
    )
    op.create_table('moderator_digest_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('preference_id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=16), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_moderator_digest_items_comment_id_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['preference_id'], ['moderator_alerts.id'], name=op.f('fk_moderator_digest_items_preference_id_moderator_alerts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderator_digest_items'))
    )
    with op.batch_alter_table('moderator_digest_items', schema=None) as batch_op:
        batch_op.create_index('ix_moderator_digest_items_preference', ['preference_id', 'id'], unique=False)

    op.create_table('subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=24), nullable=False),
    sa.Column('address_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('tell_published', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_subscriptions_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_subscriptions_comment_id_comments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions'))
    )
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_subscriptions_address', ['address_hash'], unique=False)
        batch_op.create_index('ix_subscriptions_article', ['article_id', 'kind', 'state'], unique=False)
        batch_op.create_index('ix_subscriptions_comment', ['comment_id', 'kind'], unique=False)

    with op.batch_alter_table('moderators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))



def downgrade():
    with op.batch_alter_table('moderators', schema=None) as batch_op:
        batch_op.drop_column('email')

    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_index('ix_subscriptions_comment')
        batch_op.drop_index('ix_subscriptions_article')
        batch_op.drop_index('ix_subscriptions_address')

    op.drop_table('subscriptions')
    with op.batch_alter_table('moderator_digest_items', schema=None) as batch_op:
        batch_op.drop_index('ix_moderator_digest_items_preference')

    op.drop_table('moderator_digest_items')
    op.drop_table('moderator_alerts')
    with op.batch_alter_table('moderator_link_uses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderator_link_uses_used_at'))

    op.drop_table('moderator_link_uses')
    op.drop_table('mail_addresses')
