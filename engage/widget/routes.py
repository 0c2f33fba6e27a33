"""Serve the widget assets (``engage.js``, ``engage.css``) with caching that sites can rely on.

URLs:

- ``/widget/engage.js``, ``/widget/engage.css``: the current files, ``Cache-Control: public,
  max-age=300`` with an ``ETag``, so the README's embed line picks up an upgrade within minutes
  and revalidates with a cheap 304 in between.
- ``/widget/v<VERSION>/engage.js`` (and ``.css``): the same bytes, ``max-age`` one year and
  ``immutable`` when ``VERSION`` is the current one. ``VERSION`` is a hash of both files' bytes
  (``asset_version()``), not the package version, because it must change whenever the bytes
  change, also in development where ``__version__`` stays put and an immutable response with old
  bytes would stick in browsers for a year. Any other version still gets the current files with
  the short cache, so a page embedding an old versioned URL keeps working after an upgrade.

- ``/widget/i18n/<tag>.json`` (and ``/widget/v<VERSION>/i18n/<tag>.json``): the message
  catalog for a page's language tag, resolved by ``catalogs.resolve`` (the tag, its base
  language, then English; ``Content-Language`` names the one served), same caching as above.
  A malformed tag is 404. The version hash covers the catalogs too.

The script finds its stylesheet by replacing ``engage.js`` with ``engage.css`` in its own URL,
and its catalogs under ``i18n/`` beside itself, so a versioned script loads the same-versioned
stylesheet and catalogs. ``asset_url(name)`` gives templates the versioned path.

Assets are public and script-free of secrets, so they carry ``Access-Control-Allow-Origin: *``
and ``Cross-Origin-Resource-Policy: cross-origin`` (sites with COEP, or loading them with SRI and
``crossorigin``, can use them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, abort, request, url_for

from engage.widget import catalogs

bp = Blueprint("widget", __name__)

ASSET_DIR = Path(__file__).resolve().parent.parent / "static" / "widget"
CONTENT_TYPES = {
    "engage.js": "text/javascript; charset=utf-8",
    "engage.css": "text/css; charset=utf-8",
    "engage-actions.js": "text/javascript; charset=utf-8",
    "engage-live.js": "text/javascript; charset=utf-8",
}
SHORT_CACHE = "public, max-age=300"
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    data: bytes
    etag: str
    mtime_ns: int


_cache: dict[str, Asset] = {}


def load_asset(name: str) -> Asset:
    """The asset's bytes and strong ETag, re-read when the file changes on disk (development)."""
    path = ASSET_DIR / name
    mtime_ns = path.stat().st_mtime_ns
    cached = _cache.get(name)
    if cached is None or cached.mtime_ns != mtime_ns:
        data = path.read_bytes()
        cached = Asset(data, hashlib.sha256(data).hexdigest()[:20], mtime_ns)
        _cache[name] = cached
    return cached


def asset_version() -> str:
    """A short hash of all widget files: changes exactly when any of their bytes change."""
    digest = hashlib.sha256()
    for name in sorted(CONTENT_TYPES):
        digest.update(load_asset(name).etag.encode())
    digest.update(catalogs.version_digest().encode())
    return digest.hexdigest()[:12]


def asset_url(name: str, external: bool = False) -> str:
    """The versioned URL of ``name`` (``engage.js`` or ``engage.css``), for templates."""
    return url_for("widget.versioned_asset", version=asset_version(), name=name, _external=external)


def _serve(name: str, cache_control: str) -> Response:
    if name not in CONTENT_TYPES:
        abort(404)
    asset = load_asset(name)
    return _respond(asset.data, CONTENT_TYPES[name], asset.etag, cache_control)


def _serve_catalog(tag: str, cache_control: str) -> Response:
    lang = catalogs.resolve(tag)
    if lang is None:
        abort(404)
    catalog = catalogs.served(lang)
    response = _respond(catalog.data, "application/json; charset=utf-8", catalog.etag,
                        cache_control)
    response.headers["Content-Language"] = lang
    return response


def _respond(data: bytes, content_type: str, etag: str, cache_control: str) -> Response:
    response = Response(data, content_type=content_type)
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


@bp.get("/widget/<name>")
def asset(name: str):
    """The current asset, cached briefly (the URL sites paste from the README)."""
    return _serve(name, SHORT_CACHE)


@bp.get("/widget/v<version>/<name>")
def versioned_asset(version: str, name: str):
    """The asset under a version: immutable when the version is current, else short-lived."""
    current = version == asset_version()
    return _serve(name, IMMUTABLE_CACHE if current else SHORT_CACHE)


@bp.get("/widget/i18n/<tag>.json")
def catalog(tag: str):
    """The message catalog for a language tag, cached briefly."""
    return _serve_catalog(tag, SHORT_CACHE)


@bp.get("/widget/v<version>/i18n/<tag>.json")
def versioned_catalog(version: str, tag: str):
    """The catalog under a version: immutable when the version is current, else short-lived."""
    current = version == asset_version()
    return _serve_catalog(tag, IMMUTABLE_CACHE if current else SHORT_CACHE)
