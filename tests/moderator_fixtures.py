"""Moderator fixtures: a moderator, an API token, a logged-in client, stored comments.

- ``moderator``: a ``ModeratorLogin`` (``.name``, ``.password``, ``.id``) stored in the test db.
- ``moderator_token``: a live API token of that moderator (``Authorization: Bearer …``).
- ``auth_headers``: ``{"Authorization": "Bearer <moderator_token>"}``.
- ``logged_in``: ``client`` after a real form login; ``logged_in.csrf`` is the session's token.
- ``blog_moderator_headers``: the bearer header of a moderator limited to the site "blog".
- ``make_comment(**fields)``: stores a comment directly (status pending by default) and returns
  it; ``article="/key"`` picks the article.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from engage.articles import get_or_create_article, normalize_article_key
from engage.comments.models import Comment, CommentStatus
from engage.db import utcnow
from engage.moderators.accounts import create_moderator, issue_token

MODERATOR_NAME = "alice"
MODERATOR_PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


@dataclass(frozen=True)
class ModeratorLogin:
    id: int
    name: str
    password: str


@pytest.fixture
def moderator(db_session) -> ModeratorLogin:
    account = create_moderator(db_session, MODERATOR_NAME, MODERATOR_PASSWORD)
    db_session.commit()
    return ModeratorLogin(account.id, account.name, MODERATOR_PASSWORD)


@pytest.fixture
def moderator_token(db_session, moderator) -> str:
    from engage.moderators.accounts import find_moderator

    token = issue_token(db_session, find_moderator(db_session, moderator.name))
    db_session.commit()
    return token


@pytest.fixture
def auth_headers(moderator_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {moderator_token}"}


def login_form_token(client) -> str:
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert match, "the login form carries a CSRF token"
    return match.group(1)


def log_in(client, name: str, password: str, **extra):
    """POST the login form as a browser would (token from the form, cookie from the GET)."""
    token = login_form_token(client)
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": token, **extra})


def page_csrf(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "moderator pages expose the session's CSRF token"
    return match.group(1)


@pytest.fixture
def logged_in(client, moderator):
    response = log_in(client, moderator.name, moderator.password)
    assert response.status_code == 302, response.get_data(as_text=True)
    client.csrf = page_csrf(client.get("/moderate").get_data(as_text=True))
    return client


@pytest.fixture
def blog_moderator_headers(app, db_session, moderator) -> dict[str, str]:
    from engage.moderators.roles import Role
    from engage.site_directory import site_directory
    from engage.sites import create_site

    create_site(db_session, "blog")
    site_directory(app).invalidate()
    blogger = create_moderator(db_session, "blogger", "a long account password",
                               role=Role.MODERATOR, sites=["blog"])
    headers = {"Authorization": f"Bearer {issue_token(db_session, blogger)}"}
    db_session.commit()
    return headers


@pytest.fixture
def make_comment(db_session):
    def make(article: str = "/news/launch", status: CommentStatus = CommentStatus.PENDING,
             **fields) -> Comment:
        n = next(_sequence)
        values = {
            "author_name": f"Reader {n}", "author_email": f"reader{n}@example.org",
            "body": f"Comment number {n}.", "ip_prefix": "198.51.100.0/24",
            "user_agent": "Mozilla/5.0 (test)", "reasons": [], "spam_score": None,
            "created_at": utcnow() - timedelta(minutes=10) + timedelta(seconds=n),
        }
        values.update(fields)
        values.setdefault("body_html", f"<p>{values['body']}</p>")
        article_id = get_or_create_article(db_session, normalize_article_key(article)).id
        comment = Comment(article_id=article_id,
                          status=status, **values)
        db_session.add(comment)
        db_session.commit()
        return comment

    return make
