"""Isso databases (the SQLite file Isso serves from, ``isso/db/``).

Tables read: ``threads (id, uri, title)`` and ``comments (tid, id, parent, created, modified,
mode, remote_addr, text, author, email, website, …)``. Another schema is refused before
anything is read. The file is opened read-only; comments stream in ``(tid, id)`` order, one
thread per ``Batch``.

Mapping
- Article key: the thread's ``uri`` (Isso stores the page's path); URL: the site's first
  origin followed by that path, when the site names origins; title: ``title``.
- Status (``mode``): 1 accepted → approved, 2 pending (held) → pending, 4 deleted → rejected
  (Isso keeps a deleted comment that has replies, with its text blanked, so that the replies
  stay threaded; engage keeps it rejected for the same reason); any other mode → pending.
- Date: ``created`` (Unix time, UTC). Body: Isso comments are Markdown, rendered as the
  widget's are (``render_body``). ``remote_addr`` is already cut by Isso; engage cuts it again
  to its own /24 or /48. Text that is not UTF-8 or holds a NUL byte skips the comment.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from engage.articles import normalize_article_key
from engage.comments.models import CommentStatus
from engage.comments.rendering import render_body
from engage.portability import records as r
from engage.portability.xmlstream import Context

SOURCE = "isso"
STATUSES = {1: CommentStatus.APPROVED, 2: CommentStatus.PENDING, 4: CommentStatus.REJECTED}
THREAD_COLUMNS = {"id", "uri", "title"}
COMMENT_COLUMNS = {"tid", "id", "parent", "created", "mode", "remote_addr", "text", "author",
                   "email", "website"}
BAD_TEXT = "text not UTF-8"


def open_database(path: str | Path) -> sqlite3.Connection:
    """The database, read-only, after checking it is Isso's; BadSource otherwise."""
    try:
        connection = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        connection.text_factory = bytes
        tables = {row[0].decode() for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as error:
        raise r.BadSource(f"this is not an Isso database (SQLite says: {error})") from None
    for table, needed in (("threads", THREAD_COLUMNS), ("comments", COMMENT_COLUMNS)):
        if table not in tables:
            connection.close()
            raise r.BadSource(f"an SQLite database, but not Isso's: no table {table!r}")
        columns = {row[1].decode() for row in connection.execute(f"PRAGMA table_info({table})")}
        if not needed <= columns:
            connection.close()
            raise r.BadSource(f"an SQLite database, but not Isso's: table {table!r} lacks "
                              + ", ".join(sorted(needed - columns)))
    return connection


def count_comments(connection: sqlite3.Connection) -> int:
    return connection.execute("SELECT count(*) FROM comments").fetchone()[0]


def batches(connection: sqlite3.Connection, context: Context) -> Iterator[r.Batch]:
    threads = {tid: _article(uri, title, context)
               for tid, uri, title in connection.execute("SELECT id, uri, title FROM threads")}
    current, items = None, []
    rows = connection.execute(
        "SELECT tid, id, parent, created, mode, remote_addr, text, author, email, website "
        "FROM comments ORDER BY tid, id")
    for row in rows:
        if row[0] != current and items:
            yield r.Batch(items)
            items = []
        current = row[0]
        items.append(_comment(row, threads.get(row[0]), context))
    if items:
        yield r.Batch(items)


def _decode(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(BAD_TEXT) from None
    return str(value)


def _article(uri, title, context: Context) -> r.ArticleInfo | None:
    try:
        path, name = _decode(uri), _decode(title)
        key = normalize_article_key(path)
    except ValueError:
        return None
    url = context.origins[0] + path if context.origins and path.startswith("/") else None
    return r.article_info(key, name, url, context.origins)


def _comment(row, article: r.ArticleInfo | None, context: Context):
    tid, comment_id, parent, created, mode, remote_addr, text, author, email, website = row
    source_id = str(comment_id)
    if article is None:
        return r.Skipped(source_id, "unknown thread")
    try:
        if not isinstance(created, (int, float)):
            raise ValueError("unparseable date")
        try:
            when = datetime.fromtimestamp(created, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise ValueError("unparseable date") from None
        body = r.clean_text(_decode(text)).strip()[:r.MAX_BODY]
        return r.ImportedComment(
            source_id=source_id, article=article,
            parent=str(parent) if parent is not None else None,
            status=STATUSES.get(mode, CommentStatus.PENDING),
            author_name=r.clean_name(_decode(author)),
            author_email=r.clean_email(_decode(email)),
            author_url=r.clean_website(_decode(website)),
            body=body, body_html=render_body(body), created_at=r.check_date(when, context.now),
            ip_prefix=r.clean_ip(_decode(remote_addr)),
        )
    except ValueError as error:
        return r.Skipped(source_id, str(error))
