"""View keys become integers and carry the claim round that stored them.

Revision ID: 0007_view_claim_rounds
Revises: 0006_thread_version

- ``view_visitors.view_key`` is a 63-bit integer (it was 32 hex characters): on SQLite it is
  the row id, so storing a key writes one B-tree instead of a table and an index beside it.
  The table only holds the dedupe window's keys, so it is recreated empty: for one window
  (30 minutes by default) after the upgrade, a reader's repeat view of an article they had
  viewed just before it counts once more. Stored counts are untouched.
- ``claim_round``: the embedded counter's flush that last claimed the row. ``view_claim_rounds``
  holds the one counter row; every flush takes the next number as its first statement.
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_view_claim_rounds"
down_revision = "0006_thread_version"
branch_labels = None
depends_on = None


def _visitors_table(key_type) -> None:
    op.create_table(
        "view_visitors",
        sa.Column("view_key", key_type, autoincrement=False, nullable=False),
        sa.Column("seen_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        *([sa.Column("claim_round", sa.BigInteger(), server_default="0", nullable=False)]
          if not isinstance(key_type, sa.String) else []),
        sa.PrimaryKeyConstraint("view_key", name=op.f("pk_view_visitors")),
    )
    with op.batch_alter_table("view_visitors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_view_visitors_expires_ms"), ["expires_ms"],
                              unique=False)
        if not isinstance(key_type, sa.String):
            batch_op.create_index(batch_op.f("ix_view_visitors_claim_round"), ["claim_round"],
                                  unique=False)


def upgrade():
    op.drop_table("view_visitors")
    _visitors_table(sa.BigInteger().with_variant(sa.Integer(), "sqlite"))
    op.create_table(
        "view_claim_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_view_claim_rounds")),
    )


def downgrade():
    op.drop_table("view_claim_rounds")
    op.drop_table("view_visitors")
    _visitors_table(sa.String(length=32))
