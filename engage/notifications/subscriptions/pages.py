"""The small HTML pages that mail links open: no login, no JavaScript, no third parties.

``page(...)`` renders ``notifications/page.html`` with headers for a page reached by a secret
link: nothing cached, no Referer (the token is in the URL), no framing, a CSP that allows only
its own inline style and form posts to itself.
"""

from __future__ import annotations

from flask import make_response, render_template

from engage.notifications.mail.catalog import direction

PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")


def page(title: str, lines: list[str], *, status: int = 200, lang: str = "en",
         button: str | None = None, hidden: dict | None = None, quote_html: str | None = None,
         link: tuple[str, str] | None = None):
    """``link``: (address, text) of one link under the lines (the confirmation page's way
    back to the article)."""
    html = render_template("notifications/page.html", title=title, lines=lines, lang=lang,
                           dir=direction(lang), button=button, hidden=hidden,
                           quote_html=quote_html, link=link)
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["X-Robots-Tag"] = "noindex"
    return response
