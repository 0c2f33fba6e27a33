"""The random part of each day's salt, stored in the database so every process (and machine)
of an instance uses the same one; a day's salt is deleted once a later day's exists.

Reading a salt is the only thing a view needs from here: ``prepare`` (called by the view
counter's flush thread, off the request path) stores today's and tomorrow's salt ahead of
use, so the first view of a UTC day finds its salt with a read, which works on a full disk.
Only a salt nobody prepared (a new instance's first view) is created on the view's path.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy import Engine

from engage.pageviews import store


class SaltStore:
    """``store(day) -> bytes``: the salt of ``day``, created on first use (race-free)."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._prepared: date | None = None

    def __call__(self, day: date) -> bytes:
        with self._engine.connect() as conn:
            found = store.read_salt(conn, day)
        if found is None:
            with self._engine.begin() as conn:
                store.create_salts(conn, [day], _fresh)
                found = store.read_salt(conn, day)
        return bytes.fromhex(found)

    def prepare(self, today: date) -> None:
        """Store the salts of ``today`` and tomorrow unless this process already did today."""
        if self._prepared == today:
            return
        with self._engine.begin() as conn:
            store.create_salts(conn, [today, today + timedelta(days=1)], _fresh)
        self._prepared = today


def _fresh() -> str:
    return secrets.token_hex(32)
