"""The widget's message catalogs: one JSON file per language in ``static/widget/i18n/``.

A catalog file is named for its language tag in lower case (``de.json``, ``pt-br.json``) and
holds::

    {"name": "Deutsch", "dir": "ltr", "messages": {"key": "text", ...}}

``name`` is the language's own name (the demo's language menu shows it), ``dir`` is ``ltr`` or
``rtl``. A message is a string with ``{placeholders}``, or, for a text that depends on a number,
an object of plural forms keyed by the ``Intl.PluralRules`` categories of the language
(``zero one two few many other``; ``other`` is required) and optionally ``"=0"`` for the exact
number zero. ``en.json`` is the reference: every other catalog has exactly its keys
(``tests/widget/test_catalogs.py``). Adding a language is adding one file; nothing else changes.

``resolve(tag)`` picks the catalog for a page's language: the tag itself, then the tag cut
back one subtag at a time (``pt-br`` → ``pt``), then English. ``served(lang)`` is what the
widget receives: English messages overlaid with the language's own, so a key a translation
lacks (a new feature not yet translated) shows in English rather than as nothing.

Files are re-read when they change on disk (development), as the widget's other assets are.
The caches are keyed by catalog file, never by the requested tag, so hostile tags cannot grow
them.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent.parent / "static" / "widget" / "i18n"
REFERENCE = "en"
TAG_RE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8}){0,4}")
PLURAL_FORMS = frozenset({"zero", "one", "two", "few", "many", "other", "=0"})


@dataclass(frozen=True)
class Catalog:
    lang: str
    name: str
    dir: str
    messages: dict
    etag: str
    mtime_ns: int


@dataclass(frozen=True)
class Served:
    """The bytes the widget gets for one language, and their strong ETag."""
    data: bytes
    etag: str


_catalogs: dict[str, Catalog] = {}
_served: dict[str, tuple[tuple[str, str], Served]] = {}


def available() -> dict[str, Path]:
    """Language tag → catalog file, for every ``*.json`` in the catalog folder."""
    return {path.stem: path for path in sorted(CATALOG_DIR.glob("*.json"))
            if TAG_RE.fullmatch(path.stem)}


def load(lang: str) -> Catalog:
    """The catalog of ``lang`` (a file stem from ``available()``), re-read when it changes."""
    path = CATALOG_DIR / f"{lang}.json"
    mtime_ns = path.stat().st_mtime_ns
    cached = _catalogs.get(lang)
    if cached is None or cached.mtime_ns != mtime_ns:
        raw = path.read_bytes()
        document = json.loads(raw)
        cached = Catalog(lang=lang, name=document["name"], dir=document.get("dir", "ltr"),
                         messages=document["messages"],
                         etag=hashlib.sha256(raw).hexdigest()[:20], mtime_ns=mtime_ns)
        _catalogs[lang] = cached
    return cached


def resolve(tag: str) -> str | None:
    """The catalog for a language tag: itself, its shorter prefixes, then English.

    ``None`` when ``tag`` is not a well-formed tag (the route answers 404)."""
    tag = tag.lower().replace("_", "-")
    if not TAG_RE.fullmatch(tag):
        return None
    languages = available()
    parts = tag.split("-")
    for end in range(len(parts), 0, -1):
        candidate = "-".join(parts[:end])
        if candidate in languages:
            return candidate
    return REFERENCE


def served(lang: str) -> Served:
    """What the widget receives for ``lang``: ``{"lang", "dir", "messages"}`` as JSON, the
    messages being English overlaid with the language's own."""
    catalog, reference = load(lang), load(REFERENCE)
    key = (catalog.etag, reference.etag)
    cached = _served.get(lang)
    if cached is None or cached[0] != key:
        messages = {**reference.messages, **catalog.messages}
        data = json.dumps({"lang": lang, "dir": catalog.dir, "messages": messages},
                          ensure_ascii=False, separators=(",", ":")).encode()
        cached = (key, Served(data, hashlib.sha256(data).hexdigest()[:20]))
        _served[lang] = cached
    return cached[1]


def version_digest() -> str:
    """A hash of every catalog's bytes, part of the widget's asset version."""
    digest = hashlib.sha256()
    for lang in available():
        digest.update(f"{lang}:{load(lang).etag};".encode())
    return digest.hexdigest()


def languages() -> list[tuple[str, str]]:
    """(tag, own name) of every catalog, English first, for language menus."""
    tags = sorted(available(), key=lambda tag: (tag != REFERENCE, tag))
    return [(tag, load(tag).name) for tag in tags]
