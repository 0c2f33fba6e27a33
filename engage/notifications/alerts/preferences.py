"""What a moderator hears about, how often, on which site (``engage moderator notify``).

``set_preference(session, moderator, events, every, site)`` stores one row per moderator and
site (``site=None``: every site the moderator may act on); ``events`` empty means nothing.
Raises ValueError, saying why, for an unknown event, frequency or site. ``matching`` lists
the preferences that want an event on a site, with their moderators, for moderators that may
decide there and have an email.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.moderators.accounts import Moderator, moderator_sites
from engage.moderators.roles import DECIDERS, Role
from engage.notifications.alerts.models import EVENTS, EVERY_SITE, FREQUENCIES, AlertPreference
from engage.sites import get_site


def parse_events(raw: str) -> tuple[str, ...]:
    if raw.strip().lower() == "none":
        return ()
    events = tuple(dict.fromkeys(part.strip().lower() for part in raw.split(",") if part.strip()))
    unknown = [event for event in events if event not in EVENTS]
    if unknown or not events:
        raise ValueError("--on takes held, reported, both (held,reported) or none")
    return events


def set_preference(session: Session, moderator: Moderator, events: tuple[str, ...], every: str,
                   site: str | None = None) -> AlertPreference:
    if every not in FREQUENCIES:
        raise ValueError("--every takes now, hourly or daily")
    if site is not None and get_site(session, site) is None:
        raise ValueError(f"no site {site!r}")
    key = site or EVERY_SITE
    preference = session.scalar(select(AlertPreference).where(
        AlertPreference.moderator_id == moderator.id, AlertPreference.site_id == key))
    if preference is None:
        preference = AlertPreference(moderator_id=moderator.id, site_id=key)
        session.add(preference)
    preference.events = ",".join(events)
    preference.every = every
    session.flush()
    return preference


def matching(session: Session, event: str, site: str) -> list[tuple[AlertPreference, Moderator]]:
    """Preferences wanting ``event`` on ``site``: a site's own row wins over the "*" row."""
    rows = session.execute(
        select(AlertPreference, Moderator).join(Moderator,
                                                Moderator.id == AlertPreference.moderator_id)
        .where(AlertPreference.site_id.in_((site, EVERY_SITE)), Moderator.email.is_not(None))
        .order_by(AlertPreference.moderator_id, AlertPreference.site_id != site)).all()
    chosen: dict[int, tuple[AlertPreference, Moderator]] = {}
    for preference, moderator in rows:
        chosen.setdefault(moderator.id, (preference, moderator))
    found = []
    for preference, moderator in chosen.values():
        if event not in preference.event_list or Role(moderator.role) not in DECIDERS:
            continue
        sites = None if moderator.role == Role.ADMIN.value else moderator_sites(session, moderator)
        if sites is None or site in sites:
            found.append((preference, moderator))
    return found
