"""The demo: a news-site article page and an article list that embed the widget.

``GET /demo`` shows the featured article, ``GET /demo/articles/<slug>`` any demo article and
``GET /demo/articles`` the list page (counts only, no comment section). All 404 unless
``DEMO_ENABLED`` is on.

The page loads the widget from another origin name than its own (``localhost`` ⇄
``127.0.0.1``, same port), so the browser makes real cross-origin calls; engage's CORS allows
exactly that pair while the demo is on. With ``PUBLIC_URL`` set the widget comes from there.
Behind any other host name the widget comes from the page's own origin by relative URLs
(``'self'`` in the CSP): the page never writes a ``Host`` header it cannot vouch for into a
script URL or a policy, so ``Host: evil.example`` cannot make it load evil.example's script.

Pages are sent with a strict Content-Security-Policy: scripts only from the widget's origin, no
inline script, styles only from the widget's origin plus the page's own nonce'd <style>. So the
demo also proves the widget needs no 'unsafe-inline'.

Query options, passed through to the widget's data-* attributes: ``theme`` (auto, light,
dark; also themes the demo page) and ``lang`` (any language the widget has a catalog for; the
footer lists them). The page's own text stays English (``<html lang="en">``); only the widget
and the counts speak ``lang``.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, render_template, request
from werkzeug.wrappers import Response

from engage.demo import content
from engage.widget import catalogs
from engage.widget.routes import asset_url

bp = Blueprint("demo", __name__)

THEMES = ("auto", "light", "dark")
_SWAP = {"localhost": "127.0.0.1", "127.0.0.1": "localhost", "[::1]": "localhost"}
_LOOPBACK_HOST = re.compile(r"(?:localhost|127\.0\.0\.1|\[::1\])(?::[0-9]{1,5})?", re.IGNORECASE)


@bp.before_request
def _only_when_enabled():
    if not current_app.config["DEMO_ENABLED"]:
        abort(404)


def widget_origin(scheme: str, host: str) -> str:
    """The origin to load the widget from: the other loopback name, else the page's own."""
    name, sep, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if not sep or not port.isdigit():
        name, port = host, ""
    other = _SWAP.get(name.lower(), name)
    return f"{scheme}://{other}{':' + port if port else ''}"


def api_origin() -> str:
    """Where the page loads the widget and the API from ("" = its own origin, relative URLs):
    ``PUBLIC_URL``'s origin, else the other loopback name, else the page's own origin."""
    configured = current_app.config["PUBLIC_URL"]
    if configured:
        parts = urlsplit(configured)
        return f"{parts.scheme}://{parts.netloc}"
    if _LOOPBACK_HOST.fullmatch(request.host):
        return widget_origin(request.scheme, request.host)
    return ""


def content_security_policy(origin: str, nonce: str) -> str:
    """Everything the demo page and the widget need, and no inline script at all."""
    origin = origin or "'self'"
    return "; ".join([
        "default-src 'none'",
        f"script-src {origin}",
        f"style-src {origin} 'nonce-{nonce}'",
        f"img-src {origin} data:",
        f"connect-src {origin}",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ])


def _options() -> dict[str, str]:
    theme = request.args.get("theme", "auto")
    lang = request.args.get("lang", "en")
    return {"theme": theme if theme in THEMES else "auto",
            "lang": lang if lang in catalogs.available() else "en"}


def _page(template: str, **context) -> Response:
    origin = api_origin()
    nonce = secrets.token_urlsafe(16)
    own = request.host_url.rstrip("/") if _LOOPBACK_HOST.fullmatch(request.host) else ""
    html = render_template(
        template, nonce=nonce, api_origin=origin, page_origin=own,
        widget_js=origin + asset_url("engage.js"), articles=content.ARTICLES,
        nice_date=_nice_date, languages=catalogs.languages(), **_options(), **context)
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = content_security_policy(origin, nonce)
    response.headers["Cache-Control"] = "no-store"
    return response


def _nice_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


@bp.get("/demo")
def featured():
    """The featured article, as a reader arriving from the front page sees it."""
    return _page("demo/article.html", article=content.FEATURED,
                 related=content.related(content.FEATURED))


@bp.get("/demo/articles/<slug>")
def article(slug: str):
    found = content.find(slug)
    if found is None:
        abort(404)
    return _page("demo/article.html", article=found, related=content.related(found))


@bp.get("/demo/articles")
def article_list():
    """The list page: many counts filled by one batch call, no comment section."""
    return _page("demo/list.html")
