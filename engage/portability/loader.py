"""Write what an importer yields: one transaction per batch, source ids remembered.

Contract
- ``Loader(session, source, site, now, …).load(batches)`` returns a ``Summary``. Each
  ``Batch`` is written in one transaction: its article(s), its comments, their source ids,
  training examples (``train``) and, for engage's own exports, moderation events and views.
  A batch that fails is rolled back whole and the error goes up: what earlier batches wrote
  stays, complete, and running the import again skips it (source ids) and resumes after it.
  WordPress and Isso batches are one article each, so no article is ever half-imported.
- A comment whose source id is already known for (source, site) is skipped as "already
  imported", so a second run imports 0. An erased or purged comment's id stays known.
- Parents: a reply is written after its parent, with the parent's engage id. A parent that is
  neither in the batch nor imported before is waited for until the end when ``defer`` is set
  (Disqus lists posts in tree order, but promises it only loosely), else the reply is
  skipped ("missing parent"); replies that lead back to themselves are skipped as "parent
  loop", and so are replies to skipped comments.
- ``dry_run``: everything is read and checked, nothing is written (each batch is rolled back).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engage.articles import Article, find_article, get_or_create_article
from engage.comments.models import Comment, CommentStatus
from engage.comments.thread_version import bump_thread_versions
from engage.db import upsert
from engage.pageviews.models import ArticleViews
from engage.participation.models import CommentEdit
from engage.portability.models import MAX_SOURCE_ID, ImportedComment as SourceRow
from engage.portability.records import ArticleInfo, Batch, ImportedComment, Skipped
from engage.queue.events import ModerationEvent
from engage.readers import random_avatar_token
from engage.spamfilter.learning import LEARNED_AS
from engage.spamfilter.store import SpamExample, bump_version

ALREADY = "already imported"
MISSING_PARENT = "missing parent"
LOOP = "parent loop"
_COMMENTS = Comment.__table__


@dataclass
class Summary:
    statuses: Counter = field(default_factory=Counter)
    articles: set = field(default_factory=set)
    skipped: Counter = field(default_factory=Counter)
    dry_run: bool = False

    @property
    def imported(self) -> int:
        return sum(self.statuses.values())

    def line(self) -> str:
        """The one line ``engage import`` ends with (DESIGN.md §3, Portability)."""
        counts = ", ".join(f"{self.statuses[status]} {status.value}" for status in CommentStatus)
        skipped = sum(self.skipped.values())
        reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(
            self.skipped.items(), key=lambda item: (-item[1], item[0])))
        text = (f"imported {self.imported} comments ({counts}) into {len(self.articles)} "
                f"articles; skipped {skipped}" + (f" ({reasons})" if reasons else ""))
        return ("dry run, nothing written: " + text) if self.dry_run else text


class Loader:
    def __init__(self, session: Session, source: str, site: str, *, dry_run: bool = False,
                 train: bool = False, defer: bool = False,
                 progress: Callable[[int], None] | None = None):
        self.session, self.source, self.site = session, source, site
        self._import_site = site
        self.dry_run, self.train, self.defer = dry_run, train, defer
        self.summary = Summary(dry_run=dry_run)
        self._progress = progress or (lambda n: None)
        self._waiting: dict[str, list[ImportedComment]] = defaultdict(list)  # parent → replies
        self._seen_dry: dict[str, int] = {}  # dry run: source ids "written" so far

    def load(self, batches: Iterable[Batch]) -> Summary:
        for batch in batches:
            self._write(batch)
            self._progress(len(batch.items))
        self._give_up_waiting()
        return self.summary

    # --- one batch ----------------------------------------------------------------------------
    def _write(self, batch: Batch) -> None:
        self.site = batch.site or self._import_site
        try:
            written = self._write_comments(batch)
            while written and self._waiting:  # replies that waited for a comment written now
                ready = [reply for source_id in written
                         for reply in self._waiting.pop(source_id, [])]
                if not ready:
                    break
                written = self._write_comments(Batch(ready))
            if self.dry_run:
                self.session.rollback()
            else:
                self.session.commit()
        except BaseException:
            self.session.rollback()
            raise

    def _write_comments(self, batch: Batch) -> dict[str, int]:
        comments = []
        for item in batch.items:
            if isinstance(item, Skipped):
                self.summary.skipped[item.reason] += 1
            elif len(item.source_id) > MAX_SOURCE_ID or len(item.parent or "") > MAX_SOURCE_ID:
                self.summary.skipped["id too long"] += 1
            else:
                comments.append(item)
        known = self._known({c.source_id for c in comments} | {c.parent for c in comments
                                                               if c.parent})
        fresh = []
        for comment in comments:
            if comment.source_id in known:
                self.summary.skipped[ALREADY] += 1
            else:
                fresh.append(comment)
        levels, waiting, skipped = _order(fresh, known)
        for reason, count in skipped.items():
            self.summary.skipped[reason] += count
        for comment in waiting:
            if self.defer:
                self._waiting[comment.parent].append(comment)
            else:
                self.summary.skipped[MISSING_PARENT] += 1
        articles = self._articles(batch.articles + [c.article for level in levels
                                                    for c in level])
        ids = {key: value for key, value in known.items() if value is not None}
        written: dict[str, int] = {}
        for level in levels:
            new_ids = self._insert(level, articles, ids)
            ids.update(new_ids)
            written.update(new_ids)
        self._views(batch.views, articles)
        if written and not self.dry_run:
            bump_thread_versions(self.session, {articles[c.article.key].id for level in levels
                                                for c in level})
        return written

    def _known(self, source_ids: set[str]) -> dict[str, int | None]:
        if not source_ids:
            return {}
        found: dict[str, int | None] = {}
        ordered = sorted(source_ids)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            found.update(self.session.execute(
                select(SourceRow.source_id, SourceRow.comment_id)
                .where(SourceRow.source == self.source, SourceRow.site_id == self.site,
                       SourceRow.source_id.in_(chunk))).all())
        if self.dry_run:
            found.update({key: self._seen_dry[key] for key in source_ids if key in self._seen_dry})
        return found

    def _articles(self, infos: list[ArticleInfo]) -> dict[str, Article]:
        articles: dict[str, Article] = {}
        for info in infos:
            if info.key in articles:
                continue
            if self.dry_run:
                article = find_article(self.session, info.key, self.site) or Article(
                    id=-1, site_id=self.site, key=info.key)
            else:
                article = get_or_create_article(self.session, info.key, self.site)
                _keep_details(article, info)
            articles[info.key] = article
        return articles

    def _insert(self, level: list[ImportedComment], articles: dict[str, Article],
                ids: dict[str, int]) -> dict[str, int]:
        for comment in level:
            self.summary.statuses[comment.status] += 1
            self.summary.articles.add((self.site, comment.article.key))
        if self.dry_run:
            new = {c.source_id: -1 for c in level}
            self._seen_dry.update(new)
            return new
        rows = [{
            "article_id": articles[c.article.key].id, "site_id": self.site,
            "parent_id": ids[c.parent] if c.parent else None, "status": c.status,
            "author_name": c.author_name, "author_email": c.author_email,
            "author_url": c.author_url, "body": c.body, "body_html": c.body_html,
            "ip_prefix": c.ip_prefix, "user_agent": c.user_agent, "reasons": c.reasons,
            "spam_score": c.spam_score, "created_at": c.created_at,
            "decided_at": c.decided_at, "decided_by": c.decided_by,
            # every row the same keys (one executemany); a legacy comment's email avatar
            # would change with the secret anyway: a random one
            "avatar_token": c.avatar_token or random_avatar_token(), **c.extra,
        } for c in level]
        result = self.session.connection().execute(
            insert(_COMMENTS).returning(_COMMENTS.c.id, sort_by_parameter_order=True), rows)
        new_ids = [row[0] for row in result]
        self.session.connection().execute(insert(SourceRow.__table__), [
            {"source": self.source, "site_id": self.site, "source_id": c.source_id,
             "comment_id": comment_id} for c, comment_id in zip(level, new_ids)])
        self._events(level, new_ids)
        if self.train:
            self._teach(level, new_ids)
        return {c.source_id: comment_id for c, comment_id in zip(level, new_ids)}

    def _events(self, level: list[ImportedComment], new_ids: list[int]) -> None:
        rows = [{"comment_id": comment_id, "moderator": event["moderator"][:64],
                 "from_status": event["from"], "to_status": event["to"],
                 "note": event.get("note"), "created_at": event["at"]}
                for c, comment_id in zip(level, new_ids) for event in c.events]
        if rows:
            self.session.connection().execute(insert(ModerationEvent.__table__), rows)
        edits = [{"comment_id": comment_id, "body": edit["body"], "edited_at": edit["edited_at"]}
                 for c, comment_id in zip(level, new_ids) for edit in c.edits]
        if edits:
            self.session.connection().execute(insert(CommentEdit.__table__), edits)

    def _teach(self, level: list[ImportedComment], new_ids: list[int]) -> None:
        rows = [{"comment_id": comment_id, "is_spam": LEARNED_AS[c.status]}
                for c, comment_id in zip(level, new_ids) if LEARNED_AS[c.status] is not None]
        if rows:
            self.session.connection().execute(insert(SpamExample.__table__), rows)
            bump_version(self.session)

    def _views(self, views: dict[str, dict[str, int]], articles: dict[str, Article]) -> None:
        if self.dry_run or not views:
            return
        for key, days in views.items():
            article = articles.get(key) or get_or_create_article(self.session, key, self.site)
            for day, count in days.items():
                statement = upsert(self.session, ArticleViews).values(
                    article_id=article.id, day=date.fromisoformat(day), count=int(count),
                    networks=0)
                self.session.execute(statement.on_conflict_do_update(
                    index_elements=["article_id", "day"],
                    set_={"count": ArticleViews.count + statement.excluded.count}))

    def _give_up_waiting(self) -> None:
        """Replies still waiting at the end: their parent never came, or they form a loop."""
        waiting = {reply.source_id: reply for replies in self._waiting.values()
                   for reply in replies}
        for reply in waiting.values():
            self.summary.skipped[LOOP if _loops(reply, waiting) else MISSING_PARENT] += 1
        self._waiting.clear()


def _keep_details(article: Article, info: ArticleInfo) -> None:
    if not article.details_locked:
        if info.title and info.title != article.title:
            article.title = info.title
        if info.url and info.url != article.url:
            article.url = info.url
    for name in ("mode", "closed_at", "created_at", "details_locked"):
        value = getattr(info, name)
        if value is not None:
            setattr(article, name, value)


WAITING = "waiting"


def _order(comments: list[ImportedComment], known: dict[str, int | None]):
    """(levels, waiting, skipped): comments in writing order, parents first (level n holds
    the comments n replies below a comment already stored or at the top); replies whose parent
    is outside the batch and not imported yet; and counts of replies given up on."""
    by_id = {c.source_id: c for c in comments}
    result: dict[str, int | str] = {}  # source id → level, or WAITING, or a skip reason
    for comment in comments:
        path: list[str] = []
        on_path: set[str] = set()
        current = comment.source_id
        while True:
            if current in result:
                inherited = result[current]
                break
            if current in on_path:
                inherited = LOOP
                break
            path.append(current)
            on_path.add(current)
            parent = by_id[current].parent
            if not parent or known.get(parent) is not None:
                inherited = -1
            elif parent in known:  # imported before, since erased or purged
                inherited = MISSING_PARENT
            elif parent not in by_id:
                inherited = WAITING
            else:
                current = parent
                continue
            break
        for source_id in reversed(path):  # each comment's outcome follows its parent's
            inherited = inherited + 1 if isinstance(inherited, int) else inherited
            result[source_id] = inherited
    levels: list[list[ImportedComment]] = []
    for comment in comments:
        level = result[comment.source_id]
        if isinstance(level, int):
            while len(levels) <= level:
                levels.append([])
            levels[level].append(comment)
    waiting = [c for c in comments if result[c.source_id] == WAITING]
    skipped = Counter(reason for reason in result.values()
                      if isinstance(reason, str) and reason != WAITING)
    return levels, waiting, skipped


def _loops(reply: ImportedComment, waiting: dict[str, ImportedComment]) -> bool:
    seen, current = set(), reply
    while current is not None and current.source_id not in seen:
        seen.add(current.source_id)
        current = waiting.get(current.parent)
    return current is not None
