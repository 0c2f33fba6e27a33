"""Comment use cases: submit and read a thread. Each function owns its transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import Engine, and_, bindparam, func, insert, or_, select
from sqlalchemy.orm import Session, aliased, make_transient_to_detached

from engage.articles import Article, find_article, get_or_create_article, unsaved_article
from engage.comments.cursors import Cursor
from engage.comments.models import Comment, CommentStatus
from engage.comments.rendering import render_body
from engage.comments.thread_version import bump_thread_versions
from engage.db import commit_keeping_loaded
from engage.driver_statements import DriverStatement
from engage.errors import ValidationFailed
from engage.live import recorder as live_recorder
from engage.moderation.admission import admit
from engage.moderation.closed import closed_reason
from engage.moderation.judge import judge, status_for
from engage.moderation.pipeline import Submission
from engage.notifications.events import comment_event
from engage.observability import metrics
from engage.queue import suspensions
from engage.readers import identify
from engage.sites import DEFAULT_SITE


@dataclass(frozen=True)
class ClientInfo:
    """Who sent the request, already anonymised: never a raw IP."""

    ip_prefix: str | None
    user_agent: str | None


@dataclass(frozen=True)
class Thread:
    article: str
    count: int
    comments: list  # rows with the PUBLIC_COLUMNS attributes
    next_cursor: Cursor | None
    closed: bool = False


# Only what the public view needs (the email keys the avatar of comments stored before reader
# keys): loading whole entities would spend most of a 200-comment read building ORM objects.
PUBLIC_COLUMNS = (Comment.id, Comment.parent_id, Comment.author_name, Comment.author_url,
                  Comment.author_email, Comment.avatar_token, Comment.body_html,
                  Comment.created_at, Comment.up, Comment.down, Comment.vote_rank,
                  Comment.edited_at, Comment.deleted_at, Comment.staff, Comment.pinned_at)


def submit(session: Session, data: Mapping[str, Any], client: ClientInfo, now: datetime,
           config: Mapping[str, Any], edit_key_hash: str | None = None) -> Comment:
    """Validate the reply target, judge the comment and store it with its verdict.

    ``data`` is the output of ``CommentInputSchema``, with ``site`` the id of an existing site
    (absent: ``default``); ``edit_key_hash`` is stored for the author's edits
    (engage/participation/edits.py). Returns the stored comment; its status says whether it was
    published. Raises ``ValidationFailed`` for a bad parent.

    Reads and judges first and writes last (DESIGN.md §2, rule 12): the admission's database
    claims (engage/moderation/admission.py) and the article of a first comment are written
    with the comment, so the write transaction does not open before the checks and the
    pipeline ran.
    """
    site = data.get("site") or DEFAULT_SITE
    article = (find_article(session, data["article"], site)
               or unsaved_article(data["article"], now, site))
    parent_id = data.get("parent_id")
    if parent_id is not None:
        _check_parent(session, parent_id, article)
    # Who the poster is rests on the browser's reader key, never on the email (readers.py).
    reader = identify(data["author_email"], data.get("reader_key"), config["SECRET_KEY"],
                      data.get("reader_proof"))
    # 403 closed, 409 duplicate, 429 flood (nothing stored); then the form token is spent.
    admission = admit(session, article, reader=reader, body=data["body"],
                      ip_prefix=client.ip_prefix, token=data.get("form_token"), now=now,
                      config=config)
    token = admission.token
    submission = Submission(
        article=article.key, body=data["body"], author_name=data["author_name"],
        author_email=data["author_email"], author_url=data.get("author_url"),
        parent_id=parent_id, ip_prefix=client.ip_prefix, user_agent=client.user_agent,
        honeypot=data.get("phone") or "", now=now,
        form_token_age=token.age, form_token_problem=token.problem,
        author_key=reader.author_key,
    )
    verdict = judge(session, submission, config, site=article.site_id, mode=article.mode)
    status, reasons = status_for(verdict), verdict.reasons()
    # A suspended author (engage/queue/suspensions.py): spam, or held in shadow mode; the
    # answer is the one of any held comment.
    suspension = suspensions.suspension_for(session, data["author_email"], client.ip_prefix, now)
    if suspension is not None:
        status, reasons = suspensions.apply(suspension, status, reasons)
    body = verdict.rewritten_body or data["body"]  # profanity "censor" mode publishes censored
    body_html = render_body(body)
    # The writes start here (the flood and form-token claims first, 429/409 if a concurrent
    # post took them): on SQLite the write lock is held from here to the commit only.
    admission.claim()
    if article.id is None:
        article = get_or_create_article(session, article.key, article.site_id)
    keep_details(article, data.get("article_title"), data.get("article_url"))
    comment = _store(session, dict(
        article_id=article.id, site_id=article.site_id, parent_id=parent_id,
        status=status,
        author_name=data["author_name"], author_email=data["author_email"].lower(),
        author_url=data.get("author_url"), author_key=reader.author_key,
        avatar_token=reader.avatar_token, body=body, body_html=body_html,
        ip_prefix=client.ip_prefix, user_agent=(client.user_agent or "")[:512] or None,
        reasons=reasons, spam_score=verdict.spam_score, created_at=now,
        edit_key_hash=edit_key_hash,
    ), now)
    # webhooks and mail listeners, in this transaction: a crash after the commit loses no
    # message, a rollback sends none (engage/notifications/events.py: spam caught here is
    # "comment.held" too)
    comment_event(session, "comment.created" if comment.status == CommentStatus.APPROVED
                  else "comment.held", comment)
    commit_keeping_loaded(session)  # the answer is built from these values: no reload
    metrics.comment_judged(status.value, [r["rule"] for r in reasons])
    return comment


def _store(session: Session, values: dict[str, Any], now: datetime) -> Comment:
    """INSERT one comment with Core and return it as a loaded row of ``session``.

    The ORM's unit of work cost more than the INSERT itself on every post (issue 22), so the
    row is written directly and the entity is attached as already persistent
    (``make_transient_to_detached``: every column is set, so nothing reloads). The flush hooks
    that every ORM change to a comment runs (engage/comments/thread_version.py,
    engage/live/recorder.py) do not see a Core INSERT, so this does what they would do, in the
    same transaction: bump the article's thread version, and log a published comment for the
    live stream. Columns not in ``values`` take their Python default (None when they have none).
    """
    row = {name: values[name] if name in values else _default(column)
           for name, column in _INSERTED}
    row["id"] = _INSERT.scalar(session, row)
    comment = Comment(**row)
    make_transient_to_detached(comment)
    session.add(comment)
    bump_thread_versions(session, {comment.article_id})
    if comment.status == CommentStatus.APPROVED:
        live_recorder.record(session, [(comment.article_id, comment.id)], now)
    return comment


def _default(column):
    default = column.default
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg


_INSERTED = [(column.key, column) for column in Comment.__table__.columns if column.key != "id"]
# on the driver's cursor (engage/driver_statements.py): SQLAlchemy's execution of this
# INSERT cost more than SQLite's work, on every post (issue 22)
_INSERT = DriverStatement(insert(Comment.__table__)
                          .values({name: bindparam(name) for name, _ in _INSERTED})
                          .returning(Comment.__table__.c.id))


def keep_details(article: Article, title: str | None, url: str | None) -> None:
    """Take the page's title and URL sent with a comment, unless a moderator set them
    (``details_locked``); written with the comment, and only when they changed."""
    if article.details_locked:
        return
    if title and title != article.title:
        article.title = title
    if url and url != article.url:
        article.url = url


def _check_parent(session: Session, parent_id: int, article: Article) -> None:
    parent = session.get(Comment, parent_id)
    if parent is None or parent.article_id != article.id or parent.status != CommentStatus.APPROVED:
        raise ValidationFailed("A reply must answer a published comment of the same article.",
                               fields={"parent_id": ["No published comment with this id here."]})


@dataclass(frozen=True)
class ThreadHead:
    """What identifies one version of an article's thread: read with one indexed query."""

    article_id: int
    key: str
    version: int
    closed: bool


def thread_head(session: Session | Engine, article_key: str, now: datetime,
                auto_close_days: int = 0, site: str = DEFAULT_SITE) -> ThreadHead | None:
    """The article's id, thread version and open/closed state at ``now``; None if unknown.

    ``session``: a Session (read in its transaction) or an Engine (one pooled connection
    for this query alone: what a public read uses, because a cached page then needs no
    session at all, and setting one up and closing it cost as much as the rest of the read).
    """
    params = {"site": site, "key": article_key}
    if isinstance(session, Engine):
        with session.connect() as connection:
            article = connection.execute(_HEAD, params).first()
    else:  # Core on the session's connection: the ORM's execute cost more than the query
        article = session.connection().execute(_HEAD, params).first()
    if article is None:
        return None
    closed = closed_reason(article, now, auto_close_days) is not None
    return ThreadHead(article.id, article.key, article.thread_version, closed)


# Columns, not the entity, and one statement built once: every thread read (and revalidation)
# runs it, and building an ORM Article cost more than the query itself.
_HEAD = (select(Article.id, Article.key, Article.thread_version, Article.closed_at,
                Article.created_at)
         .where(Article.site_id == bindparam("site"), Article.key == bindparam("key")))


def read_thread(session: Session, head: ThreadHead, cursor: Cursor | None, limit: int,
                sort: str = "oldest") -> Thread:
    """One page of an article's approved comments in the order ``sort`` names.

    Pinned comments (engage/participation/pins.py) come first, in every sort, on the first page
    only (no ``cursor``), most recently pinned first; the ``limit`` comments of each page that
    follow them, and every later page, leave them out, so walking the pages meets each comment
    exactly once. The first page thus holds up to ``PINS_PER_ARTICLE`` more than ``limit``.

    ``oldest``: ``limit`` comments after ``cursor`` (an id) in id order. Replies always have
    larger ids than their parents, so a client that threads by ``parent_id`` in page order
    always meets the parent first (a pinned parent is on the first page, before them).

    ``newest`` and ``best``: ``limit`` top-level comments (those that answer no published
    comment) newest first, or by ``vote_rank`` (ties: oldest first), each page followed by
    every published reply under them in id order, so the parent still always comes first and
    replies stay in time order. The cursor is the last top-level comment's id (``newest``) or
    its ``rank.id`` (``best``).
    """
    visible = (Comment.article_id == head.article_id, Comment.status == CommentStatus.APPROVED)
    count = session.scalar(select(func.count()).select_from(Comment).where(*visible)) or 0
    pinned = [] if cursor else _pinned(session, head.article_id)
    if sort == "oldest":
        query = (select(*PUBLIC_COLUMNS).where(*visible, Comment.pinned_at.is_(None))
                 .order_by(Comment.id).limit(limit + 1))
        if cursor:
            query = query.where(Comment.id > cursor.id)
        rows = list(session.execute(query))
        next_cursor = Cursor(rows[limit - 1].id) if len(rows) > limit else None
        return Thread(head.key, count, pinned + rows[:limit], next_cursor, head.closed)
    roots = _roots(head.article_id, sort, cursor).limit(limit + 1)
    rows = list(session.execute(roots))
    more, rows = len(rows) > limit, rows[:limit]
    next_cursor = None
    if more:
        last = rows[-1]
        next_cursor = Cursor(last.id, last.vote_rank if sort == "best" else None)
    roots = pinned + rows
    return Thread(head.key, count, roots + _replies(session, head.article_id, roots),
                  next_cursor, head.closed)


def _pinned(session: Session, article_id: int) -> list:
    """The article's published pinned comments, most recently pinned first (``ix_comments_pinned``)."""
    return list(session.execute(
        select(*PUBLIC_COLUMNS)
        .where(Comment.article_id == article_id, Comment.pinned_at.is_not(None),
               Comment.status == CommentStatus.APPROVED)
        .order_by(Comment.pinned_at.desc(), Comment.id)))


def _roots(article_id: int, sort: str, cursor: Cursor | None):
    """Published comments of the article that answer no published comment, in ``sort`` order,
    pinned ones left out (``read_thread`` puts them first)."""
    parent = aliased(Comment)
    query = (select(*PUBLIC_COLUMNS)
             .outerjoin(parent, (parent.id == Comment.parent_id)
                        & (parent.status == CommentStatus.APPROVED))
             .where(Comment.article_id == article_id, Comment.status == CommentStatus.APPROVED,
                    Comment.pinned_at.is_(None), parent.id.is_(None)))
    if sort == "newest":
        if cursor:
            query = query.where(Comment.id < cursor.id)
        return query.order_by(Comment.id.desc())
    if cursor:
        rank = cursor.rank or 0
        query = query.where(or_(Comment.vote_rank < rank,
                                and_(Comment.vote_rank == rank, Comment.id > cursor.id)))
    return query.order_by(Comment.vote_rank.desc(), Comment.id)


def _replies(session: Session, article_id: int, roots: list) -> list:
    """Every published comment under ``roots`` (through published parents), in id order."""
    if not roots:
        return []
    root_ids = [row.id for row in roots]
    child = aliased(Comment)
    tree = select(Comment.id).where(Comment.id.in_(root_ids)).cte("tree", recursive=True)
    tree = tree.union_all(select(child.id).where(
        child.parent_id == tree.c.id, child.article_id == article_id,
        child.status == CommentStatus.APPROVED))
    query = (select(*PUBLIC_COLUMNS).where(Comment.id.in_(select(tree.c.id)),
                                           Comment.id.not_in(root_ids))
             .order_by(Comment.id))
    return list(session.execute(query))


def comment_counts(session: Session, keys: list[str],
                   site: str = DEFAULT_SITE) -> dict[str, int]:
    """Approved comment counts per article key of ``site`` (0 for unknown keys)."""
    counts = {key: 0 for key in keys}
    if not keys:
        return counts
    rows = session.execute(
        select(Article.key, func.count(Comment.id))
        .join(Comment, Comment.article_id == Article.id)
        .where(Article.site_id == site, Article.key.in_(keys),
               Comment.status == CommentStatus.APPROVED)
        .group_by(Article.key))
    counts.update({key: count for key, count in rows})
    return counts
