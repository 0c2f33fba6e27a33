"""``engage export --format engage``: everything needed to rebuild the sites elsewhere.

The document is JSON, written one article per line so that it streams both ways (memory stays
that of one article, here and in ``engage_format``, which reads it back)::

    {"format": "engage-export", "version": 1, "exported_at": "…", "sites": [{"id", "name",
    "origins", "settings"}, …],
    "articles": [
    {"article": {"site", "key", "title", "url", "mode", "closed_at", "created_at",
                 "details_locked", "views": {"YYYY-MM-DD": n}, "comments": [{"id",
                 "parent_id", "status", "author_name", "author_email", "author_url", "body",
                 "body_html", "created_at", "decided_at", "decided_by", "reasons",
                 "spam_score", "ip_prefix", "user_agent", "avatar_token", "up", "down",
                 "vote_rank", "edited_at", "deleted_at", "events": [{
                 "moderator", "from", "to", "note", "at"}], "edits": [{"body",
                 "edited_at"}]}]}},
    …
    ]}

It holds readers' emails: treat the file as the database it copies. Not in it: moderator
accounts and tokens (passwords stay where they were set), spam-filter weights (retrained from
the decisions), view dedupe state and salts (they expire within a day), the votes' visitor
keys (the counts are kept) and edit keys (an imported comment cannot be edited by its author;
its earlier texts, which moderators see, are kept).
"""

from __future__ import annotations

import json
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.articles import Article
from engage.comments.models import Comment
from engage.db import utcnow
from engage.pageviews.models import ArticleViews
from engage.participation.edits import edits_for
from engage.portability.engage_format import FORMAT
from engage.queue.service import events_for
from engage.sites import list_sites

VERSION = 1


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def comment_record(comment: Comment, events: list, edits: list | None = None) -> dict:
    """One comment as the export (and a reader's data export) writes it."""
    return {
        "id": comment.id, "parent_id": comment.parent_id, "status": comment.status.value,
        "author_name": comment.author_name, "author_email": comment.author_email,
        "author_url": comment.author_url, "body": comment.body, "body_html": comment.body_html,
        "created_at": _iso(comment.created_at), "decided_at": _iso(comment.decided_at),
        "decided_by": comment.decided_by, "reasons": list(comment.reasons or []),
        "spam_score": comment.spam_score, "ip_prefix": comment.ip_prefix,
        "user_agent": comment.user_agent, "avatar_token": comment.avatar_token,
        "up": comment.up or 0, "down": comment.down or 0, "vote_rank": comment.vote_rank or 0,
        "edited_at": _iso(comment.edited_at), "deleted_at": _iso(comment.deleted_at),
        "events": [event.as_dict() for event in events], "edits": list(edits or []),
    }


def article_records(session: Session, site: str | None):
    """Each article of ``site`` (None: every site) as the export writes it, in id order."""
    query = select(Article).order_by(Article.id)
    if site is not None:
        query = query.where(Article.site_id == site)
    last = 0
    while True:  # pages of articles: a big site is never loaded at once
        page = list(session.scalars(query.where(Article.id > last).limit(200)))
        if not page:
            return
        for article in page:
            yield _article_record(session, article)
        last = page[-1].id
        session.expunge_all()


def _article_record(session: Session, article: Article) -> dict:
    comments = list(session.scalars(select(Comment).where(Comment.article_id == article.id)
                                    .order_by(Comment.id)))
    events = events_for(session, [comment.id for comment in comments])
    edits = edits_for(session, [comment.id for comment in comments])
    views = {day.isoformat(): count for day, count in session.execute(
        select(ArticleViews.day, ArticleViews.count)
        .where(ArticleViews.article_id == article.id).order_by(ArticleViews.day))}
    return {"site": article.site_id, "key": article.key, "title": article.title,
            "url": article.url, "mode": article.mode, "closed_at": _iso(article.closed_at),
            "created_at": _iso(article.created_at), "details_locked": article.details_locked,
            "views": views,
            "comments": [comment_record(comment, events[comment.id], edits[comment.id])
                         for comment in comments]}


def write_export(session: Session, out: TextIO, site: str | None = None) -> None:
    """Write the export of ``site`` (None: every site) to ``out``."""
    sites = [record.as_dict() for record in list_sites(session)
             if site is None or record.id == site]
    header = json.dumps({"format": FORMAT, "version": VERSION,
                         "exported_at": utcnow().isoformat(), "sites": sites},
                        ensure_ascii=False)
    out.write(header[:-1] + ",\n\"articles\": [\n")
    first = True
    for record in article_records(session, site):
        out.write(("" if first else ",\n")
                  + json.dumps({"article": record}, ensure_ascii=False))
        first = False
    out.write("\n]}\n")



