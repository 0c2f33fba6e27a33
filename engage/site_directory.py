"""Each process's copy of the sites table, so that resolving a site costs a dict lookup.

Every public request names a site (the view beacon too, which runs before Flask), so the sites
are held in memory per app (``init_app``: ``app.extensions["engage.sites"]``). The directory
asks the database for ``sites_revision`` at most once per ``SITES_REFRESH_SECONDS`` and reloads
every site only when it moved; the process that writes a site drops its copy at once
(``invalidate``). A site created through another process is known here within about a second.

If the database cannot be read, the last copy stays in use (and, before any copy was read, one
holding only ``default``), so that a database outage does not turn every request into a 404.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

from flask import Flask, current_app
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from engage.db import db
from engage.sites import DEFAULT_SITE, Site, read_revision

log = logging.getLogger(__name__)

EXTENSION = "engage.sites"


@dataclass(frozen=True)
class SiteInfo:
    """A site as requests need it. ``cors_origins``: the origins CORS answers for it (its own,
    plus the global ``ALLOWED_ORIGINS`` for ``default``); ``settings``: its overrides."""

    id: str
    name: str
    origins: frozenset[str] = frozenset()
    cors_origins: frozenset[str] = frozenset()
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class _Copy:
    revision: int
    sites: dict[str, SiteInfo]
    every_origin: frozenset[str]


class SiteDirectory:
    """The per-process copy of one app's sites (see the module docstring)."""

    def __init__(self, engine: Engine, refresh_seconds: float, global_origins=(),
                 clock: Callable[[], float] = time.monotonic):
        self._engine = engine
        self._refresh = refresh_seconds
        self._global = frozenset(global_origins)
        self._clock = clock
        self._lock = threading.Lock()
        self._copy: _Copy | None = None
        self._checked_at = float("-inf")

    def get(self, site_id: str) -> SiteInfo | None:
        """The site ``site_id``, or None when there is no such site."""
        return self._current().sites.get(site_id)

    def every_origin(self) -> frozenset[str]:
        """Every origin of every site (a preflight that names no site is answered for these)."""
        return self._current().every_origin

    def all(self) -> list[SiteInfo]:
        return sorted(self._current().sites.values(), key=lambda site: site.id)

    def invalidate(self) -> None:
        self._checked_at = float("-inf")

    def _current(self) -> _Copy:
        copy, now = self._copy, self._clock()
        if copy is not None and now - self._checked_at < self._refresh:
            return copy
        with self._lock:
            if self._copy is not None and now - self._checked_at < self._refresh:
                return self._copy
            try:
                self._copy = self._read(self._copy)
            except SQLAlchemyError as error:
                log.warning("sites not readable (%s): using the last copy", type(error).__name__)
                if self._copy is None:
                    self._copy = self._info_from({})
            self._checked_at = now
            return self._copy

    def _read(self, copy: _Copy | None) -> _Copy:
        with self._engine.connect() as conn:
            revision = read_revision(conn)
            if copy is not None and copy.revision == revision:
                return copy
            rows = conn.execute(select(Site.id, Site.name, Site.origins, Site.settings)).all()
        copy = self._info_from({row.id: row for row in rows})
        return _Copy(revision, copy.sites, copy.every_origin)

    def _info_from(self, rows: dict) -> _Copy:
        sites = {}
        for site_id, row in rows.items():
            own = frozenset(row.origins or ())
            sites[site_id] = SiteInfo(site_id, row.name, own,
                                      own | self._global if site_id == DEFAULT_SITE else own,
                                      MappingProxyType(dict(row.settings or {})))
        if DEFAULT_SITE not in sites:  # only before the migration made it, or unreadable
            sites[DEFAULT_SITE] = SiteInfo(DEFAULT_SITE, DEFAULT_SITE, frozenset(), self._global)
        every = frozenset().union(*(site.cors_origins for site in sites.values()))
        return _Copy(-1, sites, every)


def init_app(app: Flask) -> None:
    """Give ``app`` its directory of sites."""
    with app.app_context():
        engine = db.engine
    app.extensions[EXTENSION] = SiteDirectory(
        engine, float(app.config["SITES_REFRESH_SECONDS"]), app.config["ALLOWED_ORIGINS"])


def site_directory(app: Flask | None = None) -> SiteDirectory:
    """The directory of ``app`` (default: the current app)."""
    return (app or current_app).extensions[EXTENSION]
