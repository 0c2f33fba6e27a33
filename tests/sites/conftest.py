"""Sites for the tests: ``make_site(id, origins=…, settings=…)`` stores one and returns its id."""

from __future__ import annotations

import pytest

from engage.site_directory import site_directory
from engage.sites import create_site


@pytest.fixture
def make_site(app, db_session):
    def make(site_id: str, origins=(), settings=None, name=None) -> str:
        create_site(db_session, site_id, name, list(origins), settings or {})
        site_directory(app).invalidate()
        return site_id

    return make
