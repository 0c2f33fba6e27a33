"""Tables of the view counter.

- ``article_views``: one row per article and UTC day; ``count`` only ever grows through an atomic
  ``INSERT … ON CONFLICT DO UPDATE SET count = count + excluded.count``. ``networks`` is a
  31-bit mask OR-ed the same way: each counted view sets the bit of its network
  (``store.network_bit``), so the number of bits set says how many networks (about) the day's
  views came from; ``/views/top`` lists only articles read from several.
- ``view_visitors``: view keys (visitor × article, see ``visitors.py``) seen within the dedupe
  window, so the worker processes of an embedded instance agree on repeats. Rows are deleted
  once they expire; they never hold an IP address or a user agent. Its times are epoch
  milliseconds, not ``UTCDateTime``: they are only compared, never shown, and every flush binds
  two per view, where datetime conversion cost more than the rest of the insert. ``claim_round``
  is the number of the flush that last claimed the row (see ``view_claim_rounds``).
- ``view_claim_rounds``: one row, the number of the last claim round. Each embedded flush takes
  the next one as its first statement, which also serializes flushes (SQLite does anyway), so
  round numbers follow commit order and "rows with a round above N" is exactly what other
  processes claimed since this process's round N.
- ``view_salts``: the random part of each day's salt; past days are deleted.
- ``view_batches``: ids of the Redis batches already persisted, so replaying a batch after a
  crash between the database commit and the Redis cleanup never counts twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engage.db import Base, UTCDateTime


class ArticleViews(Base):
    __tablename__ = "article_views"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date(), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger(), default=0)
    networks: Mapped[int] = mapped_column(BigInteger(), default=0, server_default="0")

    # "most viewed in the last N days" scans days first.
    __table_args__ = (Index("ix_article_views_day", "day"),)


class ViewVisitor(Base):
    __tablename__ = "view_visitors"

    # SQLite: exactly INTEGER, so that the key is the row id (no index beside the table)
    view_key: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"),
                                          primary_key=True, autoincrement=False)
    seen_ms: Mapped[int] = mapped_column(BigInteger())
    expires_ms: Mapped[int] = mapped_column(BigInteger(), index=True)
    claim_round: Mapped[int] = mapped_column(BigInteger(), index=True, server_default="0")


class ViewClaimRound(Base):
    __tablename__ = "view_claim_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1: a single counter row
    n: Mapped[int] = mapped_column(BigInteger())


class ViewSalt(Base):
    __tablename__ = "view_salts"

    day: Mapped[date] = mapped_column(Date(), primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class ViewBatch(Base):
    __tablename__ = "view_batches"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    persisted_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
