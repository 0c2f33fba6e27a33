"""The queue's text search (``q=``): today's substring match, found through a word index.

Contract
- A comment matches ``q`` when its body or author name contains ``q`` (case-insensitive, as the
  database lowers text) or its email contains ``q`` lowered: the substring match of
  ``substring_match``, which every answer satisfies.
- The index (migration 0024) proposes the comments that have ``q``'s words, and the substring
  match is tested on those only. So every comment where ``q`` occurs on word boundaries ("tram"
  in "the tram, late"; "example.org" in "ada@example.org") is found, as the scan found it; a
  ``q`` cut inside a word ("ram" in "tram") no longer finds it; a ``q`` with no word the index
  knows (only punctuation or symbols) is searched by the scan, as before.
  - SQLite: the FTS5 table ``comments_search`` (``unicode61``: words are runs of letters and
    digits), asked for ``q``'s words as a phrase.
  - PostgreSQL: the GIN index ``ix_comments_search_words`` of ``POSTGRESQL_WORDS`` (non-
    alphanumerics made spaces, then ``to_tsvector('simple')``), asked for all of ``q``'s words
    (``plainto_tsquery`` of ``q`` made the same way): the same words on both sides, whatever
    the parser and the locale call a word, and no positions to recheck.
- On SQLite the index drives the page (newest or oldest matching rowid first, the cursor a
  rowid range), so a page costs about the matches it reads, rare words or common; with an
  article filter the article's comments drive and each is looked up in the index, so a search
  within a thread costs about the thread. PostgreSQL's planner chooses between the index and
  the queue's id order with the substring match as a filter (common words: pages fill at once).
  What stays slow: several common words that are rarely next to each other (every comment
  with all of them is read and tested).
"""

from __future__ import annotations

import re

from sqlalchemy import Integer, column, exists, or_, table, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from engage.comments.models import Comment

FTS_TABLE = "comments_search"
_fts = table(FTS_TABLE, column("rowid", Integer))
_match = text(f"{FTS_TABLE} MATCH :fts_query")
# A letter or digit: what FTS5's unicode61 tokenizer makes a word of.
_WORD_CHARACTER = re.compile(r"[^\W_]")

# The indexed expression of ix_comments_search_words, exactly as migration 0024 created it (a
# query must repeat it for PostgreSQL's planner to use the index), and the query made alike.
POSTGRESQL_WORDS = ("to_tsvector('simple'::regconfig, regexp_replace(comments.body || ' ' || "
                    "comments.author_name || ' ' || comments.author_email, '[^[:alnum:]]+', "
                    "' ', 'g'))")
_POSTGRESQL_QUERY = ("plainto_tsquery('simple'::regconfig, regexp_replace(:words_query, "
                     "'[^[:alnum:]]+', ' ', 'g'))")
_has_words = text(f"SELECT numnode({_POSTGRESQL_QUERY}) > 0")
_words_match = text(f"{POSTGRESQL_WORDS} @@ {_POSTGRESQL_QUERY}")

# Schema that migration 0024 creates and no model declares; the comparison of models with
# migrations (migrations/env.py, tests/test_migrations.py) leaves it out.
_OUTSIDE_MODELS = re.compile(rf"^({FTS_TABLE}(_\w+)?|ix_comments_search_\w+)$")


def outside_models(name: str | None) -> bool:
    """True for a table or index name of the search index (the FTS5 table, its shadow
    tables, the PostgreSQL word index)."""
    return bool(name) and bool(_OUTSIDE_MODELS.match(name))


def substring_match(q: str) -> ColumnElement[bool]:
    """Today's match: ``q`` a substring of the body, the author name or the email."""
    pattern = "%" + _escape_like(q.lower()) + "%"
    return or_(Comment.body.ilike(pattern, escape="\\"),
               Comment.author_name.ilike(pattern, escape="\\"),
               Comment.author_email.like(pattern, escape="\\"))


def narrow(session: Session, statement: Select, q: str,
           by_article: bool) -> tuple[Select, object]:
    """``statement`` (a select of comments) limited to the matches of ``q``, and the column
    to order the page by and compare the cursor with (the same ids, the one the index walks).
    """
    statement = statement.where(substring_match(q))
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # One small statement first: a q of no words would match nothing through the index.
        if not session.scalar(_has_words, {"words_query": q}):
            return statement, Comment.id
        return statement.where(_words_match.bindparams(words_query=q)), Comment.id
    if dialect != "sqlite" or not _WORD_CHARACTER.search(q):
        return statement, Comment.id
    phrase = '"' + q.replace('"', '""') + '"'  # q's words in order: FTS5 tokenizes the string
    match = _match.bindparams(fts_query=phrase)
    if by_article:
        return statement.where(exists().where(_fts.c.rowid == Comment.id, match)), Comment.id
    return statement.join(_fts, _fts.c.rowid == Comment.id).where(match), _fts.c.rowid


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
