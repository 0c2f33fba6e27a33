"""``engage export --format wxr``: a site's comments as a WordPress export (WXR 1.2), so a site
can go back to WordPress (Tools → Import → WordPress).

Each article becomes a post (``<link>`` its URL, else the site's first origin and its key);
each comment a ``<wp:comment>`` with its author, email, website, network address (engage keeps
only the network: its first address is written), dates, parent and status (approved ``1``,
pending ``0``, spam ``spam``, rejected ``trash``). The body is the published HTML.
"""

from __future__ import annotations

import re
from typing import TextIO
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session

from engage.portability.exporter import article_records
from engage.sites import get_site

APPROVED = {"approved": "1", "pending": "0", "spam": "spam", "rejected": "trash"}
# XML 1.0 cannot hold these, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(value) -> str:
    return escape(_NOT_XML.sub("", "" if value is None else str(value)))


def _wp_date(iso: str | None) -> str:
    return (iso or "")[:19].replace("T", " ")


def write_wxr(session: Session, out: TextIO, site: str) -> None:
    record = get_site(session, site)
    base = (record.origins or [""])[0] if record else ""
    out.write('<?xml version="1.0" encoding="UTF-8" ?>\n'
              '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
              'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
              'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
              'xmlns:dc="http://purl.org/dc/elements/1.1/" '
              'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
              f'<title>{_x(record.name if record else site)}</title>\n<link>{_x(base)}</link>\n'
              '<wp:wxr_version>1.2</wp:wxr_version>\n'
              f'<wp:base_site_url>{_x(base)}</wp:base_site_url>\n')
    for number, article in enumerate(article_records(session, site), start=1):
        link = article["url"] or (base + article["key"] if article["key"].startswith("/")
                                  else article["key"])
        out.write(f'<item>\n<title>{_x(article["title"] or article["key"])}</title>\n'
                  f'<link>{_x(link)}</link>\n<wp:post_id>{number}</wp:post_id>\n'
                  f'<wp:post_date_gmt>{_wp_date(article["created_at"])}</wp:post_date_gmt>\n'
                  f'<wp:comment_status>{"closed" if article["closed_at"] else "open"}'
                  '</wp:comment_status>\n<wp:status>publish</wp:status>\n'
                  '<wp:post_type>post</wp:post_type>\n')
        for comment in article["comments"]:
            address = (comment["ip_prefix"] or "").split("/", 1)[0]
            out.write(
                '<wp:comment>\n'
                f'<wp:comment_id>{comment["id"]}</wp:comment_id>\n'
                f'<wp:comment_author>{_x(comment["author_name"])}</wp:comment_author>\n'
                f'<wp:comment_author_email>{_x(comment["author_email"])}'
                '</wp:comment_author_email>\n'
                f'<wp:comment_author_url>{_x(comment["author_url"])}</wp:comment_author_url>\n'
                f'<wp:comment_author_IP>{_x(address)}</wp:comment_author_IP>\n'
                f'<wp:comment_date>{_wp_date(comment["created_at"])}</wp:comment_date>\n'
                f'<wp:comment_date_gmt>{_wp_date(comment["created_at"])}</wp:comment_date_gmt>\n'
                f'<wp:comment_content>{_x(comment["body_html"])}</wp:comment_content>\n'
                f'<wp:comment_approved>{APPROVED[comment["status"]]}</wp:comment_approved>\n'
                '<wp:comment_type>comment</wp:comment_type>\n'
                f'<wp:comment_parent>{comment["parent_id"] or 0}</wp:comment_parent>\n'
                '<wp:comment_user_id>0</wp:comment_user_id>\n</wp:comment>\n')
        out.write('</item>\n')
    out.write('</channel>\n</rss>\n')
