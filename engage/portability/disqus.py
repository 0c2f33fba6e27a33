"""Disqus exports (Admin → Community → Export; schema ``http://disqus.com/api/schemas/1.0/``).

The root is ``<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">``;
``<category>`` elements come first, then every ``<thread>`` (an article: ``<link>``,
``<title>``, ``<id>`` the site's own identifier), then every ``<post>`` (a comment) pointing at
its thread and parent with ``dsq:id`` attributes. Threads are kept in memory (a few per
thousand posts); posts stream, ``POSTS_PER_BATCH`` to a transaction. Posts are not grouped by
thread, so a failed import resumes: batches written stay, and running it again skips them
(``loader``). A post whose parent has not come yet waits for it (Disqus lists posts in tree
order, so few ever wait).

Mapping
- Article key: the path of the thread's ``<link>``, else its ``<id>``; title ``<title>``.
- Status: ``isSpam`` true → spam, else ``isDeleted`` true → rejected, else approved (a Disqus
  export holds what was published, spam and deletions; held posts come out as published, as
  Disqus shows them).
- Authors: ``<author><name>``, ``<email>`` (absent for guests and many accounts: imported
  without one), ``<username>``; ``<ipAddress>`` cut to its network.
- Body: ``<message>`` is HTML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import BinaryIO, Iterator

from engage.articles import normalize_article_key
from engage.comments.models import CommentStatus
from engage.comments.rendering import render_html_body
from engage.portability import records as r
from engage.portability.xmlstream import Context, child, child_text, elements, local

SOURCE = "disqus"
NS = "http://disqus.com"
DSQ_ID = "{http://disqus.com/disqus-internals}id"
POSTS_PER_BATCH = 500
UNKNOWN_THREAD = "unknown thread"


def _root_check(root: ET.Element) -> None:
    if root.tag != f"{{{NS}}}disqus":
        raise r.BadSource(f"this is not a Disqus export: its root element is "
                          f"<{local(root.tag)}>, not <disqus xmlns=\"{NS}\">")


def _true(text: str) -> bool:
    return text.strip().lower() == "true"


def batches(file: BinaryIO, context: Context) -> Iterator[r.Batch]:
    threads: dict[str, r.ArticleInfo | None] = {}  # dsq:id or <id> → article
    pending: list = []
    for element in elements(file, {"thread", "post"}, 1, _root_check):
        if local(element.tag) == "thread":
            article = _article(element, context)
            if element.get(DSQ_ID):
                threads[element.get(DSQ_ID)] = article
            if child_text(element, "id").strip():
                threads.setdefault("id:" + child_text(element, "id").strip(), article)
        elif local(element.tag) == "post":
            pending.append(_post(element, threads, context))
            if len(pending) >= POSTS_PER_BATCH:
                yield r.Batch(pending)
                pending = []
    if pending:
        yield r.Batch(pending)


def _article(element: ET.Element, context: Context) -> r.ArticleInfo | None:
    link = child_text(element, "link").strip()
    identifier = child_text(element, "id").strip()
    for raw in (link, identifier):
        try:
            key = normalize_article_key(raw)
            break
        except ValueError:
            continue
    else:
        return None
    return r.article_info(key, child_text(element, "title"), link, context.origins)


def _post(element: ET.Element, threads: dict, context: Context):
    source_id = element.get(DSQ_ID) or child_text(element, "id").strip()
    if not source_id:
        return r.Skipped("", "post without an id")
    thread = child(element, "thread")
    reference = thread.get(DSQ_ID) if thread is not None else None
    article = threads.get(reference) if reference else None
    if article is None and thread is not None and (thread.text or "").strip():
        article = threads.get("id:" + thread.text.strip())
    if article is None:
        return r.Skipped(source_id, UNKNOWN_THREAD)
    parent = child(element, "parent")
    author = child(element, "author")
    author = author if author is not None else ET.Element("author")
    if _true(child_text(element, "isSpam")):
        status = CommentStatus.SPAM
    elif _true(child_text(element, "isDeleted")):
        status = CommentStatus.REJECTED
    else:
        status = CommentStatus.APPROVED
    try:
        body = r.clean_text(child_text(element, "message")).strip()[:r.MAX_BODY]
        return r.ImportedComment(
            source_id=source_id, article=article,
            parent=(parent.get(DSQ_ID) or (parent.text or "").strip() or None)
            if parent is not None else None,
            status=status,
            author_name=r.clean_name(child_text(author, "name")
                                     or child_text(author, "username")),
            author_email=r.clean_email(child_text(author, "email")),
            author_url=r.clean_website(child_text(author, "link")),
            body=body, body_html=render_html_body(body),
            created_at=r.parse_date(child_text(element, "createdAt"), context.now),
            ip_prefix=r.clean_ip(child_text(element, "ipAddress")),
        )
    except ValueError as error:
        return r.Skipped(source_id, str(error))
