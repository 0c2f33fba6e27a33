"""Widget tests: asset and demo routes need no database, so they run once, not per backend."""

from __future__ import annotations

import pytest

from engage import create_app
from tests.conftest import BASE_TEST_CONFIG


@pytest.fixture
def app(tmp_path, config_overrides):
    """An app whose database is never touched (assets and demo pages are static)."""
    application = create_app({**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp_path),
                              "DEMO_ENABLED": True, **config_overrides})
    with application.app_context():
        yield application
