"""WordPress exports (WXR 1.0–1.2, Tools → Export, ``wp-admin/includes/export.php``).

The file is RSS 2.0 with WordPress's namespace (``http://wordpress.org/export/1.x/``): each
``<item>`` is a post, page or attachment, with its ``<wp:comment>`` elements inside it. One
item is one ``Batch`` (one article, one transaction).

Mapping
- Article key: the path of the item's ``<link>`` (``normalize_article_key``); with plain
  permalinks (``/?p=123``, every post's path is ``/``) the key is ``/?p=123`` spelled the
  way engage keeps a ``?`` in a key (``/%3Fp=123``), so posts stay apart. Title from
  ``<title>``; URL from ``<link>`` when it is on the site's origins.
- Status (``wp:comment_approved``): ``1`` approved, ``0`` pending, ``spam`` spam, ``trash``
  and ``post-trashed`` rejected; anything else pending (held, never published by accident).
- ``wp:comment_type`` ``pingback``/``trackback`` are skipped and counted; other non-empty
  types than ``comment`` (WooCommerce order notes, …) are skipped as "not a comment".
- Date: ``wp:comment_date_gmt`` (UTC); WordPress writes ``0000-00-00 00:00:00`` when it had
  none, then ``wp:comment_date`` (the blog's local time, taken as UTC).
- Body: ``wp:comment_content`` is HTML; rendered by ``render_html_body``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import BinaryIO, Iterator
from urllib.parse import urlsplit

from engage.articles import normalize_article_key
from engage.comments.models import CommentStatus
from engage.comments.rendering import render_html_body
from engage.portability import records as r
from engage.portability.xmlstream import Context, child_text, elements, local, namespace

SOURCE = "wordpress"
WP_NAMESPACE = "http://wordpress.org/export/"
STATUSES = {"1": CommentStatus.APPROVED, "0": CommentStatus.PENDING,
            "spam": CommentStatus.SPAM, "trash": CommentStatus.REJECTED,
            "post-trashed": CommentStatus.REJECTED}
PINGBACK = "pingbacks/trackbacks"
NOT_A_COMMENT = "not a comment"
NO_DATE = "0000-00-00 00:00:00"


def _root_check(root: ET.Element) -> None:
    if local(root.tag) != "rss":
        raise r.BadSource("this is not a WordPress export (WXR): its root element is "
                          f"<{local(root.tag)}>, not <rss>")


def batches(file: BinaryIO, context: Context) -> Iterator[r.Batch]:
    """One batch per item that has comments; BadSource when the file is not WXR."""
    seen_wordpress = False
    for item in elements(file, {"item"}, 2, _root_check):
        seen_wordpress = seen_wordpress or any(
            namespace(child.tag).startswith(WP_NAMESPACE) for child in item)
        comments = [child for child in item if local(child.tag) == "comment"
                    and namespace(child.tag).startswith(WP_NAMESPACE)]
        if comments:
            article = _article(item, context)
            if article is None:
                yield r.Batch([r.Skipped(child_text(c, "comment_id"), "post without a link")
                               for c in comments])
            else:
                yield r.Batch([_comment(c, article, context) for c in comments])
    if not seen_wordpress:
        raise r.BadSource("this is not a WordPress export (WXR): an RSS feed without "
                          "WordPress's export namespace")


def _article(item: ET.Element, context: Context) -> r.ArticleInfo | None:
    link = child_text(item, "link").strip()
    post_id = child_text(item, "post_id").strip()
    parts = urlsplit(link)
    try:
        key = normalize_article_key(link) if link else ""
    except ValueError:
        return None
    if key in ("", "/") and parts.query:
        key = normalize_article_key(f"/%3F{parts.query}")
    elif not key and post_id:
        key = f"/%3Fp={post_id}"
    if not key:
        return None
    return r.article_info(key, child_text(item, "title"), link, context.origins)


def _comment(element: ET.Element, article: r.ArticleInfo, context: Context):
    # one pass over the children (the first of each name, as child_text reads them)
    fields: dict[str, str] = {}
    for item in element:
        fields.setdefault(local(item.tag), item.text or "")
    source_id = fields.get("comment_id", "").strip()
    kind = fields.get("comment_type", "").strip().lower()
    if kind in ("pingback", "trackback"):
        return r.Skipped(source_id, PINGBACK)
    if kind not in ("", "comment"):
        return r.Skipped(source_id, NOT_A_COMMENT)
    if not source_id:
        return r.Skipped("", "comment without an id")
    gmt = fields.get("comment_date_gmt", "").strip()
    try:
        created = r.parse_date(gmt if gmt and gmt != NO_DATE
                               else fields.get("comment_date"), context.now)
        body = r.clean_text(fields.get("comment_content")).strip()[:r.MAX_BODY]
        parent = fields.get("comment_parent", "").strip()
        return r.ImportedComment(
            source_id=source_id, article=article,
            parent=parent if parent not in ("", "0") else None,
            status=STATUSES.get(fields.get("comment_approved", "").strip(),
                                CommentStatus.PENDING),
            author_name=r.clean_name(fields.get("comment_author")),
            author_email=r.clean_email(fields.get("comment_author_email")),
            author_url=r.clean_website(fields.get("comment_author_url")),
            body=body, body_html=render_html_body(body), created_at=created,
            ip_prefix=r.clean_ip(fields.get("comment_author_IP")),
            user_agent=r.clean_user_agent(fields.get("comment_agent")),
        )
    except ValueError as error:
        return r.Skipped(source_id, str(error))
