"""Stored article keys become canonical; articles that were one article in several spellings merge.

Revision ID: 0008_canonical_article_keys
Revises: 0007_view_claim_rounds

``normalize_article_key`` now decodes percent-escapes, NFC-normalises and drops invisible format
characters, so ``/caf%C3%A9``, ``/café`` (NFC) and ``/cafe`` + U+0301 (NFD) are one article. Rows
stored under an old spelling are renamed to the canonical key; when the canonical key already
has a row, the old row is merged into it: its comments (and any other rows that reference it)
move over, its daily view counts are added, the thread version is bumped (cached pages and
ETags change), the earlier creation time and any closing are kept, and the old row is deleted.
Keys that were already canonical (every plain ASCII path without escapes) are untouched.

The migration calls the application's ``normalize_article_key`` on purpose: its job is to make
stored keys agree with the one definition of "the same article" that the running code applies.
A later change to that definition needs its own migration. Downgrade does nothing: a merge
cannot be undone, and canonical keys are valid keys for the old code too.
"""
from alembic import op
import sqlalchemy as sa

from engage.articles import normalize_article_key

revision = "0008_canonical_article_keys"
down_revision = "0007_view_claim_rounds"
branch_labels = None
depends_on = None

articles = sa.table("articles", sa.column("id"), sa.column("key"), sa.column("created_at"),
                    sa.column("closed_at"), sa.column("thread_version"))
views = sa.table("article_views", sa.column("article_id"), sa.column("day"), sa.column("count"))


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(sa.select(articles.c.id, articles.c.key).order_by(articles.c.id)).all()
    owner = {key: article_id for article_id, key in rows}
    for article_id, key in rows:
        try:
            canonical = normalize_article_key(key)
        except ValueError:  # not a valid key any more: leave it for an operator to look at
            continue
        if canonical == key:
            continue
        target = owner.get(canonical)
        if target is None:
            bind.execute(articles.update().where(articles.c.id == article_id)
                         .values(key=canonical))
            owner[canonical] = article_id
        else:
            _merge(bind, article_id, target)
        del owner[key]


def _merge(bind, source: int, target: int) -> None:
    for day, count in bind.execute(sa.select(views.c.day, views.c.count)
                                   .where(views.c.article_id == source)).all():
        added = bind.execute(views.update()
                             .where(views.c.article_id == target, views.c.day == day)
                             .values(count=views.c.count + count))
        if added.rowcount == 0:
            bind.execute(views.insert().values(article_id=target, day=day, count=count))
    bind.execute(views.delete().where(views.c.article_id == source))
    for table, column in _references(bind):
        bind.execute(sa.text(f'UPDATE "{table}" SET "{column}" = :target '
                             f'WHERE "{column}" = :source'), {"target": target, "source": source})
    old = bind.execute(sa.select(articles).where(articles.c.id == source)).one()
    new = bind.execute(sa.select(articles).where(articles.c.id == target)).one()
    closed = [value for value in (old.closed_at, new.closed_at) if value is not None]
    bind.execute(articles.update().where(articles.c.id == target).values(
        created_at=min(old.created_at, new.created_at),
        closed_at=min(closed) if closed else None,
        thread_version=old.thread_version + new.thread_version + 1))
    bind.execute(articles.delete().where(articles.c.id == source))


def _references(bind) -> list[tuple[str, str]]:
    """Every (table, column) that references articles.id, except the summed view counts."""
    inspector = sa.inspect(bind)
    found = []
    for table in inspector.get_table_names():
        if table == "article_views":
            continue
        for foreign_key in inspector.get_foreign_keys(table):
            if foreign_key["referred_table"] == "articles":
                found.extend((table, column) for column in foreign_key["constrained_columns"])
    return found


def downgrade():
    pass
