"""The moderation settings and blocklist as pure, immutable values.

``ModerationOptions`` is what moderators edit through ``/api/v1/moderation/settings``; every
field has its default in the app config (``MODERATION_<FIELD>``, or the older names in
``CONFIG_KEYS``): ``options_from_config``. The dataclass's own defaults are those of
``engage.config.DEFAULTS``, for code that builds options without an app (tests, benchmarks).
Values stored in the database override the defaults field by field (see
``engage.moderation.settings.store``).

``Blocklist`` holds what moderators block through ``/api/v1/moderation/blocklist``: emails,
email domains, IP networks, URL hosts and words. Every blocklist hit is spam.

This module imports nothing from Flask or the database, so rules can be built from it in tests.
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass, fields, replace
from typing import Any, Mapping

from engage.config import DEFAULTS


class ModerationMode(enum.StrEnum):
    """AUTO publishes clean comments, PREMOD holds every comment, FIRST holds a reader's
    comments until one of them has been approved."""

    AUTO = "auto"
    PREMOD = "premod"
    FIRST = "first"


class ProfanityMode(enum.StrEnum):
    """HOLD holds profane comments (censored text as evidence), CENSOR publishes them censored,
    OFF ignores profanity."""

    HOLD = "hold"
    CENSOR = "censor"
    OFF = "off"


class ProfanityGrade(enum.StrEnum):
    """How strong a listed word is, weakest first (engage/moderation/profanity_grades.py):
    everyday words and exclamations, swearing not aimed at anyone, abuse."""

    ORDINARY = "ordinary"
    MILD = "mild"
    ABUSE = "abuse"


class BlockKind(enum.StrEnum):
    EMAIL = "email"      # one address, exact (case-insensitive)
    DOMAIN = "domain"    # an email domain and its subdomains
    IP = "ip"            # an IP network (a single address blocks its anonymised /24 or /48)
    HOST = "host"        # a URL host (and its subdomains) in links or the author's website
    WORD = "word"        # a word or phrase, matched on Unicode word boundaries


@dataclass(frozen=True)
class ModerationOptions:
    """Every moderator-editable threshold (what each means: ``engage.config``). 0 turns a
    numeric check off."""

    mode: ModerationMode = ModerationMode(DEFAULTS["MODERATION_MODE"])
    flood_seconds: int = DEFAULTS["FLOOD_SECONDS"]
    min_submit_seconds: float = float(DEFAULTS["MIN_SUBMIT_SECONDS"])
    auto_close_days: int = DEFAULTS["MODERATION_AUTO_CLOSE_DAYS"]
    links_hold: int = DEFAULTS["MODERATION_LINKS_HOLD"]
    links_spam: int = DEFAULTS["MODERATION_LINKS_SPAM"]
    link_shorteners: tuple[str, ...] = DEFAULTS["MODERATION_LINK_SHORTENERS"]
    profanity: ProfanityMode = ProfanityMode(DEFAULTS["MODERATION_PROFANITY"])
    profanity_hold_grade: ProfanityGrade = ProfanityGrade(DEFAULTS["MODERATION_PROFANITY_HOLD_GRADE"])
    profanity_grades: tuple[tuple[str, str], ...] = ()  # (word, grade) pairs over the shipped file
    moderation_words: tuple[str, ...] = DEFAULTS["MODERATION_WORDS"]
    shouting_ratio: float = DEFAULTS["MODERATION_SHOUTING_RATIO"]
    shouting_min_letters: int = DEFAULTS["MODERATION_SHOUTING_MIN_LETTERS"]
    repeat_char_run: int = DEFAULTS["MODERATION_REPEAT_CHAR_RUN"]
    repeat_word_run: int = DEFAULTS["MODERATION_REPEAT_WORD_RUN"]
    trust_approved_authors: bool = DEFAULTS["MODERATION_TRUST_APPROVED_AUTHORS"]

    def updated(self, changes: Mapping[str, Any]) -> "ModerationOptions":
        """A copy with ``changes`` (field name → already validated value) applied."""
        return replace(self, **{name: coerce(name, value) for name, value in changes.items()})

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: enums as their values, tuples as lists."""
        out: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if _TYPES[item.name] == _PAIRS:
                out[item.name] = dict(value)
                continue
            out[item.name] = list(value) if isinstance(value, tuple) else (
                value.value if isinstance(value, enum.Enum) else value)
        return out


# Fields whose app-config key is not MODERATION_<FIELD>: names fixed by DESIGN.md, and one that
# would otherwise read MODERATION_MODERATION_WORDS.
CONFIG_KEYS = {
    "mode": "MODERATION_MODE",
    "flood_seconds": "FLOOD_SECONDS",
    "min_submit_seconds": "MIN_SUBMIT_SECONDS",
    "moderation_words": "MODERATION_WORDS",
}

FIELD_NAMES = tuple(item.name for item in fields(ModerationOptions))
_TYPES = {item.name: item.type for item in fields(ModerationOptions)}
_PAIRS = "tuple[tuple[str, str], ...]"


def config_key(name: str) -> str:
    return CONFIG_KEYS.get(name, f"MODERATION_{name.upper()}")


def coerce(name: str, value: Any) -> Any:
    """Turn a stored/JSON value of field ``name`` into the field's Python type."""
    kind = _TYPES[name]
    if kind == "ModerationMode":
        return ModerationMode(value)
    if kind == "ProfanityMode":
        return ProfanityMode(value)
    if kind == "ProfanityGrade":
        return ProfanityGrade(value)
    if kind == _PAIRS:
        return _pairs(value)
    if kind == "tuple[str, ...]":
        if isinstance(value, str):
            value = [part for part in value.split(",")]
        return tuple(str(part).strip() for part in value if str(part).strip())
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return value


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    """(word, grade) pairs, sorted, from a mapping, pairs, or "word=grade" strings (env)."""
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if isinstance(value, Mapping):
        items = value.items()
    else:
        items = [tuple(part.split("=", 1)) if isinstance(part, str) else tuple(part)
                 for part in value]
    pairs = {" ".join(str(word).lower().split()): ProfanityGrade(str(grade).strip()).value
             for word, grade in items}
    return tuple(sorted((word, grade) for word, grade in pairs.items() if word))


def options_from_config(config: Mapping[str, Any]) -> ModerationOptions:
    """The defaults for this app, from its config (which holds every key)."""
    return ModerationOptions().updated({name: config[config_key(name)] for name in FIELD_NAMES})


@dataclass(frozen=True)
class Blocklist:
    """Normalised blocked values, ready for matching."""

    emails: frozenset[str] = frozenset()
    domains: tuple[str, ...] = ()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    hosts: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @classmethod
    def from_entries(cls, entries: list[tuple[str, str]]) -> "Blocklist":
        """Build from ``(kind, normalised value)`` pairs, as stored."""
        by_kind: dict[str, list[str]] = {kind.value: [] for kind in BlockKind}
        for kind, value in entries:
            by_kind[str(kind)].append(value)
        return cls(
            emails=frozenset(by_kind["email"]),
            domains=tuple(by_kind["domain"]),
            networks=tuple(ipaddress.ip_network(v, strict=False) for v in by_kind["ip"]),
            hosts=tuple(by_kind["host"]),
            words=tuple(by_kind["word"]),
        )


def normalize_block_value(kind: BlockKind, raw: str) -> str:
    """The stored form of a blocklist value, or ValueError with a moderator-facing reason."""
    value = (raw or "").strip()
    if not value:
        raise ValueError("value is required")
    if kind is BlockKind.EMAIL:
        value = value.lower()
        local, at, domain = value.rpartition("@")
        if not at or not local or "." not in domain or any(c.isspace() for c in value):
            raise ValueError("not an email address")
        return value
    if kind in (BlockKind.DOMAIN, BlockKind.HOST):
        value = value.lower().lstrip("@").rstrip(".")
        if kind is BlockKind.HOST and "://" in value:
            value = value.split("://", 1)[1]
        value = value.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        if value.startswith("www."):
            value = value[4:]
        labels = value.split(".")
        if len(labels) < 2 or any(not label or any(c.isspace() or c in "@:" for c in label)
                                  for label in labels):
            raise ValueError(f"not a {kind.value} name")
        return value
    if kind is BlockKind.IP:
        try:
            return str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValueError("not an IP address or network (e.g. 203.0.113.0/24)") from None
    if len(value) > 100:
        raise ValueError("a word or phrase is at most 100 characters")
    return " ".join(value.lower().split())
