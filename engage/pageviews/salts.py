"""The random part of each day's salt, stored in the database so every process (and machine)
of an instance uses the same one; a day's salt is deleted once a later day's exists."""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import Engine

from engage.pageviews import store


class SaltStore:
    """``store(day) -> bytes``: the salt of ``day``, created on first use (race-free)."""

    def __init__(self, engine: Engine):
        self._engine = engine

    def __call__(self, day: date) -> bytes:
        with self._engine.begin() as conn:
            return bytes.fromhex(store.salt_for(conn, day, secrets.token_hex(32)))
