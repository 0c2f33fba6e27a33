"""View keys carry the claim round that stored them, so processes read back only what is new.

Revision ID: 0007_view_claim_rounds
Revises: 0006_thread_version

``view_claim_rounds`` holds one counter row; every flush of the embedded view counter takes the
next number (its *claim round*) as its first statement, and stamps the view keys it claims with
it. Rows stored before this migration get round 0: they are read back by a process's first
flush (every live key) like any other, and expire within the dedupe window.
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_view_claim_rounds"
down_revision = "0006_thread_version"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("view_visitors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_round", sa.BigInteger(), server_default="0",
                                      nullable=False))
        batch_op.create_index(batch_op.f("ix_view_visitors_claim_round"), ["claim_round"],
                              unique=False)
    op.create_table(
        "view_claim_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_view_claim_rounds")),
    )


def downgrade():
    op.drop_table("view_claim_rounds")
    with op.batch_alter_table("view_visitors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_view_visitors_claim_round"))
        batch_op.drop_column("claim_round")
