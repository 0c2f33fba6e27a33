"""Reading engage's own export back (``exporter`` writes it; the format is described there).

The exporter writes one article per line, so this reader streams line by line: the header
line, then each article line, then the footer. One article is one ``Batch``. Comments keep
their statuses, parents, dates, authors, decisions and moderation events; views come back as
counts by day. Sites missing here are created; existing ones are left as they are.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import BinaryIO, Iterator

from engage.articles import normalize_article_key
from engage.comments.models import CommentStatus
from engage.comments.rendering import sanitize_html
from engage.portability import records as r
from engage.portability.xmlstream import Context

FORMAT = "engage-export"


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def read_header(file: BinaryIO) -> dict:
    """The export's first line: ``{"format", "version", "exported_at", "sites": […]}``."""
    first = file.readline()
    try:
        header = json.loads(first.decode("utf-8").rstrip().rstrip(",") + "}")
    except (UnicodeDecodeError, ValueError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise r.BadSource("this is not an engage export (its first line names no "
                          f"\"format\": \"{FORMAT}\")")
    return header


def batches(file: BinaryIO, context: Context, site: str | None) -> Iterator[r.Batch]:
    """The articles after the header (``read_header`` first), each into its own site, or
    all into ``site`` when one is given."""
    for number, raw in enumerate(file, start=2):
        line = raw.decode("utf-8", "replace").strip()
        if line.startswith("{\"article\""):
            try:
                article = json.loads(line.rstrip(","))["article"]
                batch = _batch(article, context)
                batch.site = site or article.get("site")
                yield batch
            except (ValueError, KeyError, TypeError) as error:
                raise r.BadSource(f"line {number} is not an article of an engage export "
                                  f"({type(error).__name__}: {error})") from None
        elif line.startswith("]}"):
            return
    raise r.BadSource("the export is truncated (no closing line)")


def _batch(data: dict, context: Context) -> r.Batch:
    info = r.ArticleInfo(
        key=normalize_article_key(data["key"]), title=data.get("title"), url=data.get("url"),
        mode=data.get("mode"), closed_at=_when(data.get("closed_at")),
        created_at=_when(data.get("created_at")), details_locked=data.get("details_locked"))
    items = []
    for c in data.get("comments", []):
        source_id = str(c["id"])
        try:
            items.append(r.ImportedComment(
                source_id=source_id, article=info,
                parent=str(c["parent_id"]) if c.get("parent_id") is not None else None,
                status=CommentStatus(c["status"]),
                author_name=r.clean_name(c.get("author_name")),
                author_email=r.clean_email(c.get("author_email")),
                author_url=r.clean_website(c.get("author_url")),
                body=r.clean_text(c.get("body")), body_html=sanitize_html(c.get("body_html", "")),
                created_at=r.check_date(datetime.fromisoformat(c["created_at"]), context.now),
                ip_prefix=(c.get("ip_prefix") or "")[:64] or None, user_agent=r.clean_user_agent(c.get("user_agent")),
                decided_at=_when(c.get("decided_at")), decided_by=c.get("decided_by"),
                reasons=c.get("reasons") or [], spam_score=c.get("spam_score"),
                avatar_token=c.get("avatar_token"),
                extra={"up": int(c.get("up") or 0), "down": int(c.get("down") or 0),
                       "vote_rank": int(c.get("vote_rank") or 0),
                       "edited_at": _when(c.get("edited_at")),
                       "deleted_at": _when(c.get("deleted_at"))},
                events=[{**e, "at": datetime.fromisoformat(e["at"])}
                        for e in c.get("events", [])],
                edits=[{"body": r.clean_text(e["body"]),
                        "edited_at": datetime.fromisoformat(e["edited_at"])}
                       for e in c.get("edits", [])]))
        except (ValueError, KeyError) as error:
            items.append(r.Skipped(source_id, str(error) if isinstance(error, ValueError)
                                   else "missing field"))
    return r.Batch(items, articles=[info], views={info.key: data.get("views", {})})
