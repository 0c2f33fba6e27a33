"""Moderation settings, blocklist, settings revision, flood marks and spent form tokens.

Revision ID: 0002_moderation
Revises: 0001_initial
"""
from alembic import op
import sqlalchemy as sa

from engage.db import UTCDateTime

revision = "0002_moderation"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "moderation_settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_moderation_settings")),
    )
    op.create_table(
        "moderation_blocklist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("email", "domain", "ip", "host", "word", name="blockkind",
                                  native_enum=False, length=16), nullable=False),
        sa.Column("value", sa.String(length=254), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_blocklist")),
        sa.UniqueConstraint("kind", "value", name=op.f("uq_moderation_blocklist_kind_value")),
    )
    op.create_table(
        "moderation_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_revision")),
    )
    op.create_table(
        "moderation_flood",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_moderation_flood")),
    )
    with op.batch_alter_table("moderation_flood", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moderation_flood_last_at"), ["last_at"], unique=False)
    op.create_table(
        "moderation_form_tokens",
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_moderation_form_tokens")),
    )
    with op.batch_alter_table("moderation_form_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moderation_form_tokens_used_at"), ["used_at"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("moderation_form_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_form_tokens_used_at"))
    op.drop_table("moderation_form_tokens")
    with op.batch_alter_table("moderation_flood", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_flood_last_at"))
    op.drop_table("moderation_flood")
    op.drop_table("moderation_revision")
    op.drop_table("moderation_blocklist")
    op.drop_table("moderation_settings")
