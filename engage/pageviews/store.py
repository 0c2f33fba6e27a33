"""SQL for view counts, shared by every backend. Each function takes an open Connection; the
caller owns the transaction (``engine.begin()``), so one flush is one transaction.

Counting is always ``INSERT … ON CONFLICT DO UPDATE SET count = count + excluded.count``: the
database adds atomically, so any number of processes can flush at once without a lost update.

Articles are named by ``engage.articles.article_ref`` (the key itself on ``default``), which is
what the backends key their buffers and Redis keys by; these functions turn refs into
(site, key) rows.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import date, datetime

from sqlalchemy import Connection, String, case, cast, delete, func, select, text

from engage.articles import Article, article_ref, split_ref
from engage.db import upsert
from engage.sites import DEFAULT_SITE
from engage.pageviews.models import ArticleViews, ViewBatch, ViewClaimRound, ViewSalt, ViewVisitor

_articles = Article.__table__
_views = ArticleViews.__table__
_visitors = ViewVisitor.__table__
_salts = ViewSalt.__table__
_batches = ViewBatch.__table__
_claim_rounds = ViewClaimRound.__table__


def article_ids(conn: Connection, refs: Iterable[str], now: datetime) -> dict[str, int]:
    """Ids of the articles named by ``refs`` (``article_ref`` of normalized keys), creating
    the missing ones race-free."""
    ids: dict[str, int] = {}
    for site, keys in _by_site(refs).items():
        found = _ids_of(conn, site, keys)
        missing = [key for key in keys if key not in found]
        if missing:
            conn.execute(upsert(conn, _articles).on_conflict_do_nothing(
                index_elements=["site_id", "key"]),
                [{"site_id": site, "key": key, "created_at": now} for key in missing])
            found.update(_ids_of(conn, site, missing))
        ids.update({article_ref(site, key): article_id for key, article_id in found.items()})
    return ids


def _by_site(refs: Iterable[str]) -> dict[str, list[str]]:
    """The keys of ``refs`` grouped by site, each group sorted (one lock order for inserts)."""
    grouped: dict[str, set[str]] = {}
    for ref in refs:
        site, key = split_ref(ref)
        grouped.setdefault(site, set()).add(key)
    return {site: sorted(keys) for site, keys in grouped.items()}


def _ids_of(conn: Connection, site: str, keys: list[str]) -> dict[str, int]:
    return dict(conn.execute(select(_articles.c.key, _articles.c.id).where(
        _articles.c.site_id == site, _articles.c.key.in_(keys))).all())


def add_counts(conn: Connection, counts: Mapping[tuple[str, date], int], now: datetime,
               networks: Mapping[tuple[str, date], int] | None = None) -> None:
    """Add ``counts[(article_ref, day)]`` views: one atomic upsert per article and day.

    ``networks[(article_ref, day)]`` is the network mask of those views (``network_bit``);
    it is OR-ed into the stored one, so the row knows roughly how many networks viewed it.
    """
    counts = {slot: n for slot, n in counts.items() if n > 0}
    if not counts:
        return
    networks = networks or {}
    ids = article_ids(conn, (key for key, _ in counts), now)
    # Sorted rows: concurrent flushers lock rows in the same order and cannot deadlock.
    rows = sorted(({"article_id": ids[key], "day": day, "count": n,
                    "networks": networks.get((key, day), 0) & NETWORK_MASK}
                   for (key, day), n in counts.items()), key=lambda r: (r["article_id"], r["day"]))
    stmt = upsert(conn, _views)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["article_id", "day"],
        set_={"count": _views.c.count + stmt.excluded.count,
              "networks": _views.c.networks.op("|")(stmt.excluded.networks)}), rows)


def network_bit(network: str) -> int:
    """The bit of the network key ``network`` (hex) in an article's daily network mask.

    31 bits (a mask stays a positive 32-bit integer, which Redis's Lua ``bit`` library and
    both databases handle alike): readers from k networks set about k bits while k is small,
    and one network sets one bit per day, whatever it sends. The network key is salted with the
    day's salt, so a stored bit says nothing about which network it was.
    """
    return 1 << (int(network[:8], 16) % NETWORK_BITS)


NETWORK_BITS = 31
NETWORK_MASK = (1 << NETWORK_BITS) - 1


def epoch_ms(moment: datetime) -> int:
    """``moment`` as whole milliseconds since the Unix epoch (the unit of view_visitors)."""
    return int(moment.timestamp() * 1000)


def next_claim_round(conn: Connection) -> int:
    """Take the next claim round number (see ``models``). Make it the transaction's first
    statement: on SQLite it takes the write lock before anything is read, and on PostgreSQL the
    counter row stays locked until commit, so rounds are taken and committed in one order."""
    stmt = upsert(conn, _claim_rounds).values(id=1, n=1)
    stmt = stmt.on_conflict_do_update(index_elements=["id"], set_={"n": _claim_rounds.c.n + 1})
    return conn.execute(stmt.returning(_claim_rounds.c.n)).scalar_one()


def claim_views(conn: Connection, views: Iterable[tuple[int, int, int, Hashable]],
                claim_round: int) -> Counter:
    """Record ``(view_key, seen_ms, expires_ms, slot)`` rows; return how many count, per slot.

    A key counts when it is new or its stored row has expired by the new ``seen_ms``; the row
    is then renewed. Rows inserted or renewed are stamped with ``claim_round``. Keys must be
    unique within one call. The database decides, so two
    processes that both saw a visitor's first view store it once. ``slot`` is whatever the
    caller counts views by (article and day); it is not stored.

    PostgreSQL answers which keys it claimed (``RETURNING``) in one reply. SQLite's driver
    would step through a returned row at a time, releasing the interpreter lock for each (a
    flush would hand it to the request threads and back once per view), so there the views
    of each slot are claimed by one statement that reads them from a JSON array, and the
    statement's row count says how many it inserted or renewed.
    """
    views = sorted(views)  # one lock order for concurrent flushers (no deadlocks)
    if not views:
        return Counter()
    if conn.dialect.name == "sqlite":
        by_slot: dict[Hashable, list] = {}
        for key, seen, expires, slot in views:
            by_slot.setdefault(slot, []).append((key, seen, expires))
        return Counter({slot: conn.execute(_SQLITE_CLAIM, {"rows": json.dumps(rows),
                                                           "round": claim_round}).rowcount
                        for slot, rows in by_slot.items()})
    stmt = upsert(conn, _visitors)
    stmt = stmt.on_conflict_do_update(
        index_elements=["view_key"],
        set_={"seen_ms": stmt.excluded.seen_ms, "expires_ms": stmt.excluded.expires_ms,
              "claim_round": stmt.excluded.claim_round},
        where=_visitors.c.expires_ms <= stmt.excluded.seen_ms,
    ).returning(_visitors.c.view_key)
    claimed = set(conn.execute(stmt, [{"view_key": k, "seen_ms": s, "expires_ms": e,
                                       "claim_round": claim_round}
                                      for k, s, e, _ in views]).scalars().all())
    return Counter(slot for key, _, _, slot in views if key in claimed)


# ``WHERE true`` keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
_SQLITE_CLAIM = text(
    "INSERT INTO view_visitors (view_key, seen_ms, expires_ms, claim_round) "
    "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), "
    "json_extract(value, '$[2]'), :round FROM json_each(:rows) WHERE true "
    "ON CONFLICT (view_key) DO UPDATE SET seen_ms = excluded.seen_ms, "
    "expires_ms = excluded.expires_ms, claim_round = excluded.claim_round "
    "WHERE view_visitors.expires_ms <= excluded.seen_ms")


def claimed_after(conn: Connection, claim_round: int, limit: int) -> list[tuple[int, int]]:
    """``(view_key, expires_ms)`` of at most ``limit`` rows claimed in a round after
    ``claim_round``, the latest rounds first."""
    return _keys_with_expiry(conn, _visitors.c.claim_round > claim_round,
                             _visitors.c.claim_round.desc(), limit)


def live_view_keys(conn: Connection, now_ms: int, limit: int) -> list[tuple[int, int]]:
    """``(view_key, expires_ms)`` of at most ``limit`` unexpired rows, latest first."""
    return _keys_with_expiry(conn, _visitors.c.expires_ms > now_ms,
                             _visitors.c.expires_ms.desc(), limit)


def _keys_with_expiry(conn: Connection, where, order_by, limit: int) -> list[tuple[int, int]]:
    """``(view_key, expires_ms)`` of the first ``limit`` rows matching ``where``.

    The rows come back joined into one value: a flush reads thousands of them, and SQLite's
    driver releases the interpreter lock for every row it steps through, which hands the lock
    to a request thread and back thousands of times per flush.
    """
    row = cast(_visitors.c.view_key, String) + ":" + cast(_visitors.c.expires_ms, String)
    rows = select(row.label("row")).where(where).order_by(order_by).limit(limit).subquery()
    joined = conn.execute(select(_joined(conn, rows.c.row))).scalar_one_or_none()
    if not joined:
        return []
    return [(int(key), int(expires)) for key, expires in
            (item.split(":") for item in joined.split(","))]


def _joined(conn: Connection, column):
    """``column``'s values of every row, joined with commas, as one value (an aggregate)."""
    if conn.dialect.name == "postgresql":
        return func.string_agg(column, ",")
    return func.group_concat(column, ",")


def prune(conn: Connection, now: datetime, batches_before: datetime) -> None:
    """Delete expired view keys and batch ids older than ``batches_before``."""
    conn.execute(delete(_visitors).where(_visitors.c.expires_ms <= epoch_ms(now)))
    conn.execute(delete(_batches).where(_batches.c.persisted_at < batches_before))


def mark_batch(conn: Connection, batch_id: str, now: datetime) -> bool:
    """Claim a Redis batch for this transaction; False if it was already persisted."""
    claimed = conn.execute(upsert(conn, _batches).on_conflict_do_nothing(index_elements=["id"])
                           .values(id=batch_id, persisted_at=now).returning(_batches.c.id))
    return claimed.scalar_one_or_none() is not None  # (rowcount is not reliable here)


def known_totals(conn: Connection, refs: Iterable[str]) -> dict[str, int]:
    """Stored all-time views of those of ``refs`` (``article_ref``) that are articles (0 if
    never viewed); refs that are no article are left out."""
    result: dict[str, int] = {}
    for site, keys in _by_site(refs).items():
        rows = conn.execute(
            select(_articles.c.key, func.coalesce(func.sum(_views.c.count), 0))
            .select_from(_articles.outerjoin(_views, _views.c.article_id == _articles.c.id))
            .where(_articles.c.site_id == site, _articles.c.key.in_(keys))
            .group_by(_articles.c.key))
        result.update({article_ref(site, key): int(total) for key, total in rows})
    return result


def totals(conn: Connection, refs: Iterable[str]) -> dict[str, int]:
    """Stored all-time views of each of ``refs`` (0 for unknown articles)."""
    refs = list(dict.fromkeys(refs))
    result = dict.fromkeys(refs, 0)
    for site, keys in _by_site(refs).items():
        rows = conn.execute(
            select(_articles.c.key, func.sum(_views.c.count))
            .join(_views, _views.c.article_id == _articles.c.id)
            .where(_articles.c.site_id == site, _articles.c.key.in_(keys))
            .group_by(_articles.c.key))
        result.update({article_ref(site, key): int(total or 0) for key, total in rows})
    return result


def daily(conn: Connection, ref: str, first: date, last: date) -> dict[date, int]:
    """Stored views of ``ref`` per day from ``first`` to ``last`` inclusive (days with views)."""
    site, key = split_ref(ref)
    rows = conn.execute(
        select(_views.c.day, _views.c.count)
        .join(_articles, _views.c.article_id == _articles.c.id)
        .where(_articles.c.site_id == site, _articles.c.key == key,
               _views.c.day >= first, _views.c.day <= last))
    return {day: int(count) for day, count in rows}


def top(conn: Connection, first: date, last: date, limit: int,
        min_networks: int = 0, site: str = DEFAULT_SITE) -> list[tuple[str, int]]:
    """The ``limit`` most viewed articles of ``site`` from ``first`` to ``last`` (their keys),
    most views first.

    With ``min_networks`` above 1, only articles whose views came from at least that many
    networks on one of those days (bits of their daily network mask) are listed.
    """
    views = func.sum(_views.c.count).label("views")
    query = (select(_articles.c.key, views)
             .join(_articles, _views.c.article_id == _articles.c.id)
             .where(_articles.c.site_id == site, _views.c.day >= first, _views.c.day <= last)
             .group_by(_articles.c.key).order_by(views.desc(), _articles.c.key).limit(limit))
    if min_networks > 1:
        spread = case((_has_bits(_views.c.networks, min_networks), 1), else_=0)
        query = query.having(func.max(spread) == 1)
    return [(key, int(count)) for key, count in conn.execute(query)]


def _has_bits(mask, at_least: int):
    """SQL: ``mask`` has at least ``at_least`` bits set. Clearing the lowest set bit
    (``m & (m - 1)``) ``at_least - 1`` times leaves something (both databases have ``&``; neither
    has a portable popcount)."""
    for _ in range(min(at_least, NETWORK_BITS) - 1):
        mask = mask.op("&")(mask - 1)
    return mask != 0


def read_salt(conn: Connection, day: date) -> str | None:
    """The stored salt of ``day``, or None (a read: it works on a full disk)."""
    return conn.execute(select(_salts.c.salt).where(_salts.c.day == day)).scalar_one_or_none()


def create_salts(conn: Connection, days: Iterable[date], fresh: Callable[[], str]) -> None:
    """Store a ``fresh()`` salt for each of ``days`` that has none; delete the salts of days
    before the first of them."""
    days = sorted(set(days))
    for day in days:
        conn.execute(upsert(conn, _salts).on_conflict_do_nothing(index_elements=["day"])
                     .values(day=day, salt=fresh()))
    conn.execute(delete(_salts).where(_salts.c.day < days[0]))
