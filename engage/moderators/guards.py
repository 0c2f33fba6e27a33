"""The decorators that guard moderator routes.

Contracts
- ``moderator_required`` (API routes): ``Authorization: Bearer <token>`` or a logged-in session.
  No credentials or an unknown token → 401; a revoked token → 403. A session-authenticated
  unsafe request must also carry the session's CSRF token in ``X-CSRF-Token`` (403 otherwise):
  the cookie alone must never be enough to change anything.
- ``login_required`` (HTML pages): a logged-in session, else a redirect to ``/login?next=…``.
- Both set ``flask.g.moderator`` (a ``Moderator``, with ``.name``) and ``g.auth_method``
  ("token" or "session"); the session path also sets ``g.csrf_token``.
"""

from __future__ import annotations

import functools
import hmac
from datetime import timedelta

from flask import g, redirect, request, url_for

from engage.db import db, utcnow
from engage.errors import ApiError, Forbidden
from engage.moderators import sessions
from engage.moderators.accounts import find_token

LAST_USED_PRECISION = timedelta(minutes=5)


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or ""


def _authenticate_bearer(token: str) -> None:
    stored = find_token(db.session, token) if token else None
    if stored is None:
        raise Unauthorized("The API token is not valid.",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if stored.revoked_at is not None:
        raise Forbidden("This API token has been revoked.", code="token_revoked")
    now = utcnow()
    # Recorded at most every few minutes: enough to spot unused tokens, not a write per call.
    if stored.last_used_at is None or now - stored.last_used_at > LAST_USED_PRECISION:
        stored.last_used_at = now
        db.session.commit()
    g.moderator = stored.moderator
    g.auth_method = "token"


def _load_session() -> bool:
    """Set g.moderator/g.csrf_token from the session cookie; True if logged in."""
    found = sessions.current(db.session, request.cookies.get(sessions.COOKIE_NAME), utcnow())
    if found is None:
        return False
    g.moderator = found.moderator
    g.csrf_token = found.csrf_token
    g.moderator_session = found
    g.auth_method = "session"
    return True


def moderator_required(view):
    """Guard an API view: bearer token or logged-in session (see module docstring)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = _bearer_token()
        if token is not None:
            _authenticate_bearer(token)
        elif _load_session():
            if request.method not in _SAFE_METHODS:
                sent = request.headers.get("X-CSRF-Token", "")
                if not hmac.compare_digest(sent.encode(), g.csrf_token.encode()):
                    raise Forbidden("Missing or wrong X-CSRF-Token header.", code="csrf_failed")
        else:
            raise Unauthorized("Log in or send 'Authorization: Bearer <token>'.",
                               headers={"WWW-Authenticate": "Bearer"})
        return view(*args, **kwargs)

    return wrapper


def login_required(view):
    """Guard an HTML page: a logged-in session, else redirect to the login page."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not _load_session():
            target = request.full_path if request.query_string else request.path
            return redirect(url_for("moderator_auth.login", next=target))
        return view(*args, **kwargs)

    return wrapper
