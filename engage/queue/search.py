"""The queue's text search (``q=``): today's substring match, found through a text index.

Contract
- A comment matches ``q`` when its body or author name contains ``q`` (case-insensitive, as the
  database lowers text) or its email contains ``q`` lowered: the substring match of
  ``substring_match``, which every answer still satisfies.
- The index only narrows which rows are tested, never what matches:
  - PostgreSQL: ``pg_trgm`` GIN indexes on the three columns (migration 0024) serve this very
    ``ILIKE``, so the answers are the substring scan's, partial words included.
  - SQLite: the FTS5 table ``comments_search`` (migration 0024) proposes the rows whose words
    contain ``q``'s words as a phrase, and the substring match is tested on those. So every
    comment where ``q`` occurs on word boundaries ("tram" in "the tram, late") is found, as the
    scan found it; ``q`` cut inside a word ("ram" in "tram") no longer finds it, and a ``q``
    with no letter or digit at all (nothing for FTS5 to look up) is searched by the scan.
- On SQLite the index drives the page (newest or oldest matching rowid first, the cursor a
  rowid range), so a page costs about the matches it reads, rare words or common; with an
  article filter the article's comments drive and each is looked up in the index, so a search
  within a thread costs about the thread, not the matches in the whole site.
"""

from __future__ import annotations

import re

from sqlalchemy import Integer, column, exists, or_, table, text
from sqlalchemy.sql import ColumnElement, Select

from engage.comments.models import Comment

FTS_TABLE = "comments_search"
_fts = table(FTS_TABLE, column("rowid", Integer))
_match = text(f"{FTS_TABLE} MATCH :fts_query")
# A letter or digit: what FTS5's unicode61 tokenizer makes a word of.
_WORD_CHARACTER = re.compile(r"[^\W_]")

# Schema that migration 0024 creates and no model declares; the comparison of models with
# migrations (migrations/env.py, tests/test_migrations.py) leaves it out.
_OUTSIDE_MODELS = re.compile(rf"^({FTS_TABLE}(_\w+)?|ix_comments_search_\w+)$")


def outside_models(name: str | None) -> bool:
    """True for a table or index name of the search index (the FTS5 table, its shadow
    tables, the trigram indexes)."""
    return bool(name) and bool(_OUTSIDE_MODELS.match(name))


def substring_match(q: str) -> ColumnElement[bool]:
    """Today's match: ``q`` a substring of the body, the author name or the email."""
    pattern = "%" + _escape_like(q.lower()) + "%"
    return or_(Comment.body.ilike(pattern, escape="\\"),
               Comment.author_name.ilike(pattern, escape="\\"),
               Comment.author_email.like(pattern, escape="\\"))


def narrow(statement: Select, q: str, dialect: str, by_article: bool) -> tuple[Select, object]:
    """``statement`` (a select of comments) limited to the matches of ``q``, and the column
    to order the page by and compare the cursor with (the same ids, the one the index walks).
    """
    statement = statement.where(substring_match(q))
    if dialect != "sqlite" or not _WORD_CHARACTER.search(q):
        return statement, Comment.id
    phrase = '"' + q.replace('"', '""') + '"'  # q's words in order: FTS5 tokenizes the string
    match = _match.bindparams(fts_query=phrase)
    if by_article:
        return statement.where(exists().where(_fts.c.rowid == Comment.id, match)), Comment.id
    return statement.join(_fts, _fts.c.rowid == Comment.id).where(match), _fts.c.rowid


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
