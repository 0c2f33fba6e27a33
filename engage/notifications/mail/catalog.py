"""The mail strings in the reader's language.

``i18n/<lang>.json`` holds one flat object of messages with ``{placeholders}``; ``en.json`` is
complete and every other file falls back to it key by key. ``resolve(tag)`` picks the catalog
the way the widget's does (engage/widget/catalogs.py): the tag itself, then its base language
(``pt-BR`` → ``pt``), then English. Adding a language is one file.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent / "i18n"
DEFAULT = "en"
_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
RTL = {"ar", "he"}


@functools.cache
def languages() -> frozenset[str]:
    return frozenset(path.stem for path in CATALOG_DIR.glob("*.json"))


@functools.cache
def _messages(lang: str) -> dict[str, str]:
    english = json.loads((CATALOG_DIR / f"{DEFAULT}.json").read_text("utf-8"))
    if lang == DEFAULT:
        return english
    own = json.loads((CATALOG_DIR / f"{lang}.json").read_text("utf-8"))
    return {**english, **own}


def resolve(tag: str | None) -> str:
    """The catalog for a language tag: itself, its base language, or English."""
    if not tag or not _TAG.match(tag):
        return DEFAULT
    tag = tag.lower()
    parts = tag.split("-")
    for candidate in ("-".join(parts[:n]) for n in range(len(parts), 0, -1)):
        if candidate in languages():
            return candidate
    return DEFAULT


def text(lang: str, key: str, **values: object) -> str:
    """Message ``key`` of catalog ``lang`` (already resolved) with its placeholders filled."""
    template = _messages(lang if lang in languages() else DEFAULT)[key]
    return template.format(**values) if values else template


def direction(lang: str) -> str:
    return "rtl" if lang.split("-")[0] in RTL else "ltr"
