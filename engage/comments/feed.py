"""Atom feeds (RFC 4287) of the newest approved comments of a site or of one article.

What goes in is the public view of each comment (``public.public_comment``: the masked name and
website, the sanitised HTML), never an email, and links lead to the article's URL (with the
widget's ``#engage-comment-<id>`` anchor), which engage knows once the widget sent it. Entry
ids are tag URIs (RFC 4151) minted from the host, the comment's day and its id, so they stay
the same for as long as the comment exists. Characters XML cannot carry are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.articles import Article
from engage.comments.models import Comment, CommentStatus
from engage.comments.public import public_comment
from engage.comments.service import PUBLIC_COLUMNS

ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedSubject:
    """What the feed is of: a site (``article`` None) or one of its articles."""

    site_id: str
    site_name: str
    article: Article | None
    key: str | None = None  # the key asked for, also when engage never saw the article


def newest_comments(session: Session, subject: FeedSubject, limit: int) -> list:
    """The ``limit`` newest approved comments of the subject, with their articles, newest
    first (one index range: ``ix_comments_site_queue`` or ``ix_comments_thread``)."""
    query = (select(*PUBLIC_COLUMNS, Article.key, Article.title, Article.url)
             .join(Article, Article.id == Comment.article_id)
             .where(Comment.status == CommentStatus.APPROVED))
    if subject.article is not None:
        query = query.where(Comment.article_id == subject.article.id)
    elif subject.key is not None:
        return []
    else:
        query = query.where(Comment.site_id == subject.site_id)
    return list(session.execute(query.order_by(Comment.id.desc()).limit(limit)))


def atom_feed(subject: FeedSubject, rows: list, self_url: str, now: datetime) -> bytes:
    """The feed document (UTF-8 bytes)."""
    host = urlsplit(self_url).hostname or "localhost"
    feed = ET.Element("feed", xmlns=ATOM)
    if subject.key is not None:
        title = (subject.article.title if subject.article is not None else None) or subject.key
        _text(feed, "title", f"Comments on {title}")
        feed_id = f"tag:{host},2026:engage/{subject.site_id}/article{quote(subject.key)}"
    else:
        _text(feed, "title", f"Comments on {subject.site_name}")
        feed_id = f"tag:{host},2026:engage/{subject.site_id}"
    _text(feed, "id", feed_id)
    _text(feed, "updated", (rows[0].created_at if rows else now).isoformat())
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    url = subject.article.url if subject.article is not None else None
    if url:
        ET.SubElement(feed, "link", rel="alternate", type="text/html", href=url)
    _text(ET.SubElement(feed, "author"), "name", subject.site_name)
    _text(feed, "generator", "engage")
    for row in rows:
        feed.append(_entry(row, host))
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8",
                                                                    xml_declaration=False)


def _entry(row, host: str) -> ET.Element:
    shown = public_comment(row, base="")
    entry = ET.Element("entry")
    _text(entry, "id", f"tag:{host},{row.created_at:%Y-%m-%d}:engage/comment/{row.id}")
    _text(entry, "title", f"{shown['author_name']} on {row.title or row.key}")
    if row.url:
        ET.SubElement(entry, "link", rel="alternate", type="text/html",
                      href=f"{row.url}#engage-comment-{row.id}")
    _text(entry, "published", row.created_at.isoformat())
    _text(entry, "updated", row.created_at.isoformat())
    author = ET.SubElement(entry, "author")
    _text(author, "name", shown["author_name"] or "Anonymous")
    if shown["author_url"]:
        _text(author, "uri", shown["author_url"])
    content = _text(entry, "content", shown["body_html"])
    content.set("type", "html")
    return entry


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = _NOT_XML.sub("", text)
    return element
