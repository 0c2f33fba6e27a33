"""A per-process cache of each site's webhooks (the hot post path asks on every comment).

An entry lives ``WEBHOOKS_CACHE_SECONDS``; a change made in this process clears the cache at
once (``forget``), one made by another process is seen within that time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.notifications.models import Webhook

EXTENSION = "engage.webhook_cache"


@dataclass(frozen=True)
class HookView:
    id: str
    events: frozenset[str]
    format: str


def for_site(app: Flask, session: Session, site_id: str) -> tuple[HookView, ...]:
    cache = app.extensions.setdefault(EXTENSION, {})
    now = time.monotonic()
    found = cache.get(site_id)
    if found is not None and found[0] > now:
        return found[1]
    rows = session.execute(select(Webhook.id, Webhook.events, Webhook.format)
                           .where(Webhook.site_id == site_id)).all()
    hooks = tuple(HookView(row.id, frozenset(row.events or ()), row.format) for row in rows)
    cache[site_id] = (now + float(app.config["WEBHOOKS_CACHE_SECONDS"]), hooks)
    return hooks


def forget(app: Flask) -> None:
    app.extensions.get(EXTENSION, {}).clear()
