"""Statements on the driver's cursor give what SQLAlchemy's execution gives (SQLite and
PostgreSQL): the same stored values, timestamps read back aware, fixed LIMITs, RETURNING, the
session's transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import bindparam, select, update

from engage.db import dialect_insert, utcnow
from engage.driver_statements import DriverStatement
from engage.notifications.models import OutboxMessage

TABLE = OutboxMessage.__table__
COLUMNS = ("id", "channel", "payload", "key", "state", "attempts", "next_attempt_at", "created_at")
INSERT = DriverStatement(lambda dialect: (
    dialect_insert(dialect, TABLE).values({name: bindparam(name) for name in COLUMNS})
    .on_conflict_do_nothing(index_elements=["key"]).returning(TABLE.c.id)))
DUE = DriverStatement(select(TABLE.c.next_attempt_at).where(TABLE.c.key == bindparam("key")))
NEWEST_IDS = DriverStatement(select(TABLE.c.id).order_by(TABLE.c.id.desc()).limit(2))


def _row(key: str, when):
    return {"id": key.replace(":", "-"), "channel": "mail", "key": key, "state": "queued",
            "attempts": 0, "payload": {"kind": "reply", "ünï": ["cödé", 1]},
            "next_attempt_at": when, "created_at": when}


def test_values_written_on_the_driver_read_back_as_the_orm_wrote_them(db_session):
    when = utcnow() - timedelta(hours=3)
    assert INSERT.first(db_session, _row("mail:a", when)) == ("mail-a",)
    db_session.commit()
    stored = db_session.get(OutboxMessage, "mail-a")
    assert stored.payload == {"kind": "reply", "ünï": ["cödé", 1]}
    assert stored.next_attempt_at == when and stored.next_attempt_at.tzinfo is not None
    assert DUE.scalar(db_session, {"key": "mail:a"}) == when
    assert DUE.scalar(db_session, {"key": "mail:none"}) is None


def test_a_conflict_adds_nothing_and_returns_no_row(db_session):
    when = utcnow()
    INSERT.execute(db_session, _row("mail:b", when))
    again = {**_row("mail:b", when), "id": "other"}
    assert INSERT.first(db_session, again) is None
    db_session.commit()
    assert db_session.scalars(select(OutboxMessage.id)).all() == ["mail-b"]


def test_a_limit_fixed_when_built_is_applied(db_session):
    when = utcnow()
    for key in ("mail:1", "mail:2", "mail:3"):
        INSERT.execute(db_session, _row(key, when))
    rows = NEWEST_IDS.execute(db_session, {}).fetchall()
    assert [row[0] for row in rows] == ["mail-3", "mail-2"]


def test_statements_run_in_the_sessions_transaction(db_session):
    INSERT.execute(db_session, _row("mail:c", utcnow()))
    db_session.rollback()
    assert db_session.get(OutboxMessage, "mail-c") is None


def test_a_statement_whose_sql_changes_per_call_is_refused(db_session):
    ids = bindparam("ids", expanding=True)
    expanding = DriverStatement(update(TABLE).where(TABLE.c.id.in_(ids)).values(attempts=1))
    with pytest.raises(ValueError):
        expanding.execute(db_session, {"ids": ["x"]})


def test_find_article_gives_what_the_orms_select_gave(db_session):
    from engage.articles import Article, find_article, get_or_create_article

    stored = get_or_create_article(db_session, "/driver/a").id
    db_session.commit()
    db_session.expunge_all()
    found = find_article(db_session, "/driver/a")
    assert found.id == stored and found.details_locked is False
    assert found.created_at.tzinfo is not None and found.closed_at is None
    assert find_article(db_session, "/driver/a") is found  # the session's own object
    found.title = "Changed"  # a persistent object: the change is flushed and committed
    db_session.commit()
    db_session.expunge_all()
    assert find_article(db_session, "/driver/a").title == "Changed"
    pending = Article(site_id="default", key="/driver/pending", created_at=utcnow(),
                      thread_version=0)
    db_session.add(pending)
    assert find_article(db_session, "/driver/pending") is pending  # flushed first, as autoflush
    assert find_article(db_session, "/driver/none") is None


def test_a_driver_error_is_raised_as_sqlalchemys(db_session):
    from sqlalchemy.exc import IntegrityError

    plain = DriverStatement(lambda dialect: dialect_insert(dialect, TABLE).values(
        {name: bindparam(name) for name in COLUMNS}))
    plain.execute(db_session, _row("mail:d", utcnow()))
    with pytest.raises(IntegrityError):  # the same id again (engage/errors.py maps these)
        plain.execute(db_session, {**_row("mail:d", utcnow()), "key": "mail:other"})
    db_session.rollback()
    assert db_session.get(OutboxMessage, "mail-d") is None
