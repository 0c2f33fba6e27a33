"""Moderation settings and the blocklist, stored in the database and read through a cache.

Storage
- ``moderation_settings``: one row per field a moderator changed (``name`` → JSON ``value``);
  a field without a row has its default from the app config (``options.options_from_config``).
- ``moderation_blocklist``: one row per blocked (kind, normalised value).
- ``moderation_revision``: one row whose ``revision`` every write increments.

Reading (``current``)
- Each process keeps the last snapshot (options, blocklist and the rule list built from them)
  per app (``init_app``: ``app.extensions["engage.moderation"]``, which also holds the spam
  filter's rule that ``create_app`` hands in). It asks the database for the revision at most
  once per ``MODERATION_SETTINGS_REFRESH_SECONDS`` and rebuilds only when the revision moved,
  so a change made through any process is applied everywhere within about a second, without
  a restart, and a comment costs no settings query most of the time.
- The writing process drops its snapshot at once (``invalidate``).
- A site's settings overrides (``sites.settings``, read through the site directory) and an
  article's own moderation mode give *variants* of the snapshot: the global options with the
  overrides applied, the same blocklist, their own rule list. A variant is built on first use
  and kept until the revision moves or the site's overrides change; premod on one site holds
  that site's comments alone.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping

from flask import Flask, current_app
from sqlalchemy import JSON, Enum, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.db import Base, UTCDateTime, upsert, utcnow
from engage.moderation.settings.options import (BlockKind, Blocklist, ModerationOptions, ProfanityMode,
                                       options_from_config)
from engage.moderation.pipeline import Rule
from engage.moderation.profanity_grades import matcher_for
from engage.moderation.rules import build_rules
from engage.site_directory import site_directory

EXTENSION = "engage.moderation"


def _enum_values(enum_class):
    return [member.value for member in enum_class]


class ModerationSetting(Base):
    __tablename__ = "moderation_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class BlockedEntry(Base):
    __tablename__ = "moderation_blocklist"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[BlockKind] = mapped_column(
        Enum(BlockKind, native_enum=False, length=16, values_callable=_enum_values,
             validate_strings=True))
    value: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind.value, "value": self.value,
                "created_at": self.created_at.isoformat(), "created_by": self.created_by}


class SettingsRevision(Base):
    __tablename__ = "moderation_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# ----------------------------------------------------------------------------- reading


def load_options(session: Session, config: Mapping[str, Any]) -> ModerationOptions:
    """The effective settings: config defaults with the stored overrides applied."""
    stored = {row.name: row.value for row in session.scalars(select(ModerationSetting))}
    options = options_from_config(config)
    known = {name: value for name, value in stored.items() if hasattr(options, name)}
    return options.updated(known)


def load_blocklist(session: Session) -> Blocklist:
    rows = session.execute(select(BlockedEntry.kind, BlockedEntry.value))
    return Blocklist.from_entries([(kind, value) for kind, value in rows])


def read_revision(session: Session) -> int:
    return session.scalar(select(SettingsRevision.revision).where(SettingsRevision.id == 1)) or 0


@dataclass(frozen=True)
class Snapshot:
    """Everything ``judge`` needs, built once per settings revision."""

    revision: int
    options: ModerationOptions
    blocklist: Blocklist
    rules: tuple[Rule, ...]
    overrides: tuple[tuple[str, Any], ...] = ()  # a variant's overrides (see module docstring)


class SettingsCache:
    """The per-process snapshot of one app's settings (see the module docstring);
    ``classifier`` is the spam filter's rule, or None."""

    def __init__(self, refresh_seconds: float, clock: Callable[[], float] = time.monotonic,
                 classifier: Rule | None = None):
        self.refresh_seconds = refresh_seconds
        self.clock = clock
        self.classifier = classifier
        self._snapshot: Snapshot | None = None
        # variant → (the base snapshot it was built from, the variant)
        self._variants: dict[tuple[str | None, str | None], tuple[Snapshot, Snapshot]] = {}
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        self._snapshot = None

    def current(self, session: Session, config: Mapping[str, Any],
                overrides: Mapping[str, Any] | None = None,
                variant: tuple[str | None, str | None] = (None, None)) -> Snapshot:
        """The snapshot to judge with; with ``overrides`` (field → stored value), the variant
        named ``variant`` (site, article mode) that applies them."""
        base = self._base(session, config)
        if not overrides:
            return base
        frozen = tuple(sorted((name, _hashable(value)) for name, value in overrides.items()))
        cached = self._variants.get(variant)
        if cached is not None and cached[0] is base and cached[1].overrides == frozen:
            return cached[1]
        known = {name: value for name, value in overrides.items() if hasattr(base.options, name)}
        snapshot = _snapshot_of(base.revision, base.options.updated(known), base.blocklist,
                                self.classifier, frozen)
        with self._lock:
            if len(self._variants) > MAX_VARIANTS:
                self._variants.clear()
            self._variants[variant] = (base, snapshot)
        return snapshot

    def _base(self, session: Session, config: Mapping[str, Any]) -> Snapshot:
        snapshot, now = self._snapshot, self.clock()
        if snapshot is not None and now - self._checked_at < self.refresh_seconds:
            return snapshot
        revision = read_revision(session)
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.revision != revision:
                snapshot = build_snapshot(session, config, revision, self.classifier)
                self._snapshot = snapshot
            self._checked_at = now
        return snapshot


MAX_VARIANTS = 10_000  # sites × article modes; cleared (and rebuilt on use) past this


def build_snapshot(session: Session, config: Mapping[str, Any], revision: int,
                   classifier: Rule | None = None) -> Snapshot:
    return _snapshot_of(revision, load_options(session, config), load_blocklist(session),
                        classifier)


def _snapshot_of(revision: int, options: ModerationOptions, blocklist: Blocklist,
                 classifier: Rule | None, overrides: tuple = ()) -> Snapshot:
    # better-profanity's matcher over the words graded at or above the site's hold grade
    profanity = (matcher_for(options.profanity_grades, options.profanity_hold_grade)
                 if options.profanity is not ProfanityMode.OFF else None)
    rules = build_rules(options, blocklist, profanity, classifier)
    return Snapshot(revision, options, blocklist, tuple(rules), overrides)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def init_app(app: Flask, classifier: Rule | None) -> None:
    """Keep ``app``'s settings cache, judging with ``classifier`` (the spam filter's rule)."""
    app.extensions[EXTENSION] = SettingsCache(
        float(app.config["MODERATION_SETTINGS_REFRESH_SECONDS"]), classifier=classifier)


def settings_cache(app: Flask | None = None) -> SettingsCache:
    """The settings cache of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION]


def current(session: Session, config: Mapping[str, Any], site: str | None = None,
            mode: str | None = None) -> Snapshot:
    """The settings snapshot to judge with: at most ~1 s behind the database. With ``site``,
    the site's overrides apply; with ``mode``, an article's own moderation mode on top."""
    overrides: dict[str, Any] = {}
    if site is not None:
        info = site_directory().get(site)
        if info is not None:
            overrides.update(info.settings)
    if mode is not None:
        overrides["mode"] = mode
    return settings_cache().current(session, config, overrides, (site, mode))


# ----------------------------------------------------------------------------- writing


def bump_revision(session: Session, now: datetime) -> None:
    """Increment the revision atomically (an upsert: the row may not exist yet)."""
    statement = upsert(session, SettingsRevision).values(id=1, revision=1, updated_at=now)
    session.execute(statement.on_conflict_do_update(
        index_elements=["id"],
        set_={"revision": SettingsRevision.revision + 1, "updated_at": now}))


def update_options(session: Session, changes: Mapping[str, Any], config: Mapping[str, Any],
                   by: str | None, now: datetime) -> ModerationOptions:
    """Store validated ``changes`` (None resets a field to its default) and commit."""
    for name, value in changes.items():
        row = session.get(ModerationSetting, name)
        if value is None:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            session.add(ModerationSetting(name=name, value=value, updated_at=now, updated_by=by))
        else:
            row.value, row.updated_at, row.updated_by = value, now, by
    bump_revision(session, now)
    session.commit()
    settings_cache().invalidate()
    return load_options(session, config)


def list_blocked(session: Session, kind: BlockKind | None = None) -> list[BlockedEntry]:
    query = select(BlockedEntry).order_by(BlockedEntry.kind, BlockedEntry.value)
    if kind is not None:
        query = query.where(BlockedEntry.kind == kind)
    return list(session.scalars(query))


def find_blocked(session: Session, kind: BlockKind, value: str) -> BlockedEntry | None:
    return session.scalar(select(BlockedEntry).where(BlockedEntry.kind == kind,
                                                     BlockedEntry.value == value))


def add_blocked(session: Session, kind: BlockKind, value: str, by: str | None, now: datetime,
                config: Mapping[str, Any]) -> tuple[BlockedEntry, bool]:
    """Block ``value`` (already normalised); returns the entry and whether it is new."""
    existing = find_blocked(session, kind, value)
    if existing is not None:
        return existing, False
    entry = BlockedEntry(kind=kind, value=value, created_at=now, created_by=by)
    session.add(entry)
    bump_revision(session, now)
    try:
        session.commit()
    except IntegrityError:  # another moderator blocked the same value a moment ago
        session.rollback()
        return find_blocked(session, kind, value), False
    settings_cache().invalidate()
    return entry, True


def remove_blocked(session: Session, entry: BlockedEntry, now: datetime,
                   config: Mapping[str, Any]) -> None:
    session.execute(delete(BlockedEntry).where(BlockedEntry.id == entry.id))
    bump_revision(session, now)
    session.commit()
    settings_cache().invalidate()
