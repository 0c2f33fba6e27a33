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


@pytest.fixture
def make_account(app, db_session):
    """``make_account(name, role, sites=())`` → an ``Account`` with an API token's headers and
    a test client logged in through the real login form (``.page``, ``.page.csrf``)."""
    from engage.moderators.accounts import create_moderator, issue_token
    from engage.moderators.roles import Role
    from tests.moderator_fixtures import log_in, page_csrf

    class Account:
        def __init__(self, name: str, role: str, sites=()):
            account = create_moderator(db_session, name, "a long account password",
                                       role=Role(role), sites=list(sites))
            self.headers = {"Authorization": f"Bearer {issue_token(db_session, account)}"}
            db_session.commit()
            self.page = app.test_client()
            # A fresh app context: the test's own one holds ``g`` of earlier requests, and
            # the login page would show another account's logout form.
            with app.app_context():
                assert log_in(self.page, name, "a long account password").status_code == 302
            landing = self.page.get("/moderate")  # a 403 page for analysts, with the token
            self.page.csrf = page_csrf(landing.get_data(as_text=True))

    return Account
