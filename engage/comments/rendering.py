"""Comment text: a safe Markdown subset rendered once, at write time, to sanitised HTML.

Two layers, on purpose: markdown-it runs with raw HTML off (so ``<script>`` typed by a reader
becomes visible text) and only the listed constructs on; nh3 (ammonia) then allow-lists tags,
attributes and URL schemes, so even a bug in the Markdown layer cannot emit script. Links get
``rel="nofollow ugc noopener"``; ``javascript:`` and every scheme but http(s) are dropped.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

from engage.privacy import mask_emails

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "code", "pre", "blockquote", "ul", "ol", "li"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
LINK_REL = "nofollow ugc noopener"

_markdown = (
    MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False})
    .enable(["emphasis", "link", "autolink", "backticks", "fence", "code", "blockquote",
             "list", "newline", "escape", "entity"])
)
# markdown-it validates link targets itself; keep only web links.
_markdown.validateLink = lambda url: url.strip().lower().startswith(("http://", "https://"))


def render_body(text: str) -> str:
    """Public HTML for a comment body: email addresses masked, Markdown rendered, sanitised."""
    html = _markdown.render(mask_emails(text))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()
