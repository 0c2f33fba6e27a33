"""Sites: the publications one engage serves, each with its own articles, origins and settings.

- A site's ``id`` is a slug (``validate_site_id``): it is what the widget's ``data-site`` and
  every public call's ``site`` name. ``default`` always exists (migration ``0012_sites`` makes
  it and moves every article made before sites to it); a call without ``site`` is on it.
- ``origins`` are the site's page origins (``normalize_origin``): CORS answers them (plus the
  global ``ALLOWED_ORIGINS`` for ``default``), and article URLs must be on one of them.
- ``settings`` are moderation settings that override the global ones for the site's articles
  (field → value, as ``PATCH /api/v1/moderation/settings`` takes them). This module stores
  them as given: the callers validate them with the moderation settings schema, which a core
  module may not import.
- Every write bumps ``sites_revision`` in the same transaction, so each process's
  ``site_directory.SiteDirectory`` notices within a second. Functions that write commit.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Mapping
from urllib.parse import urlsplit

from sqlalchemy import JSON, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engage.db import Base, UTCDateTime, upsert, utcnow

DEFAULT_SITE = "default"
MAX_SITE_ID = 64
MAX_SITE_NAME = 200
MAX_ORIGINS = 50
SITE_ID_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(MAX_SITE_ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_SITE_NAME))
    origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def as_dict(self) -> dict[str, Any]:
        """The admin API's view: ``{"id", "name", "origins", "settings"}``."""
        return {"id": self.id, "name": self.name, "origins": list(self.origins or []),
                "settings": dict(self.settings or {})}


class SitesRevision(Base):
    __tablename__ = "sites_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(Integer, default=0)


# ----------------------------------------------------------------------------- validation

def validate_site_id(raw: object) -> str:
    """``raw`` if it is a site id (lower-case letters, digits and inner '-', 1-64), else
    ValueError with a reason for the client."""
    if not isinstance(raw, str) or not SITE_ID_PATTERN.fullmatch(raw):
        raise ValueError("a site id is 1-64 lower-case letters, digits or '-', "
                         "starting and ending with a letter or digit")
    return raw


def normalize_origin(raw: object) -> str:
    """The origin as a browser sends it (``https://example.com``, ``http://host:8080``):
    lower-case, no default port, nothing after the host; ValueError when ``raw`` is no
    http(s) origin."""
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError(f"{text!r} is not an origin") from None
    scheme = parts.scheme.lower()
    if (scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username is not None
            or parts.password is not None or parts.path not in ("", "/") or parts.query
            or parts.fragment or any(ch.isspace() for ch in text)):
        raise ValueError(f"{text!r} is not an origin (scheme://host[:port], no path)")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS[scheme] else "")


def normalize_origins(raw: object) -> list[str]:
    """A list of origins, normalized and deduplicated in order; ValueError naming the bad ones."""
    if not isinstance(raw, (list, tuple)) or len(raw) > MAX_ORIGINS:
        raise ValueError(f"origins is a list of at most {MAX_ORIGINS} origins")
    found, errors = [], []
    for item in raw:
        try:
            found.append(normalize_origin(item))
        except ValueError as error:
            errors.append(str(error))
    if errors:
        raise ValueError("; ".join(errors))
    return list(dict.fromkeys(found))


def url_origin(url: str) -> str | None:
    """The origin of an absolute http(s) URL, or None when it has none."""
    try:
        parts = urlsplit(url)
        return normalize_origin(f"{parts.scheme}://{parts.netloc}")
    except ValueError:
        return None


# ----------------------------------------------------------------------------- reading

def get_site(session: Session, site_id: str) -> Site | None:
    return session.get(Site, site_id)


def list_sites(session: Session) -> list[Site]:
    return list(session.scalars(select(Site).order_by(Site.id)))


def read_revision(session_or_connection) -> int:
    return session_or_connection.execute(
        select(SitesRevision.revision).where(SitesRevision.id == 1)).scalar() or 0


# ----------------------------------------------------------------------------- writing

def _bump_revision(session: Session) -> None:
    statement = upsert(session, SitesRevision).values(id=1, revision=1)
    session.execute(statement.on_conflict_do_update(
        index_elements=["id"], set_={"revision": SitesRevision.revision + 1}))


def create_site(session: Session, site_id: str, name: str | None = None,
                origins: list[str] | None = None, settings: Mapping[str, Any] | None = None,
                now: datetime | None = None) -> Site:
    """Add a site (``origins`` normalized, ``settings`` validated by the caller) and commit;
    ValueError when the id is invalid or taken."""
    validate_site_id(site_id)
    if get_site(session, site_id) is not None:
        raise ValueError(f"a site with id {site_id!r} already exists")
    now = now or utcnow()
    site = Site(id=site_id, name=(name or site_id)[:MAX_SITE_NAME], origins=list(origins or []),
                settings={k: v for k, v in (settings or {}).items() if v is not None},
                created_at=now, updated_at=now)
    session.add(site)
    _bump_revision(session)
    session.commit()
    return site


def update_site(session: Session, site: Site, *, name: str | None = None,
                origins: list[str] | None = None, settings: Mapping[str, Any] | None = None,
                now: datetime | None = None) -> Site:
    """Change what is given and commit. ``settings`` are merged field by field into the
    overrides; a field given as None loses its override (the global setting applies)."""
    if name is not None:
        site.name = name[:MAX_SITE_NAME]
    if origins is not None:
        site.origins = list(origins)
    if settings is not None:
        merged = dict(site.settings or {})
        for field, value in settings.items():
            if value is None:
                merged.pop(field, None)
            else:
                merged[field] = value
        site.settings = merged
    site.updated_at = now or utcnow()
    _bump_revision(session)
    session.commit()
    return site
