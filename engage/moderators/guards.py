"""The decorators that guard moderator routes.

Contracts
- ``api_guard(*roles)`` (API routes): ``Authorization: Bearer <token>`` or a logged-in session.
  No credentials or an unknown token → 401; a revoked token → 403; a role not in ``roles`` →
  403 ``forbidden_role``. A session-authenticated unsafe request must also carry the
  session's CSRF token in ``X-CSRF-Token`` (403 otherwise): the cookie alone must never be
  enough to change anything. ``moderator_required`` lets admins and moderators in,
  ``admin_required`` admins, ``member_required`` every role (analysts too).
- ``page_guard(*roles)`` (HTML pages): a logged-in session, else a redirect to
  ``/login?next=…``; a role not in ``roles`` gets a 403 page. ``login_required`` lets admins
  and moderators in.
- All set ``flask.g.moderator`` (a ``Moderator``, with ``.name``), ``g.role`` (the role this
  request acts with: for a token, the weaker of the token's and the account's),
  ``g.moderator_sites`` (the sites it may act on; None: every site; always None for admins)
  and ``g.auth_method`` ("token" or "session"); the session path also sets ``g.csrf_token``.
- ``check_site(site_id)`` raises 403 when the request may not act on that site,
  ``check_every_site()`` when it is limited to some sites.
"""

from __future__ import annotations

import functools
import hmac
from datetime import timedelta

from flask import g, redirect, render_template, request, url_for

from engage.db import db, utcnow
from engage.errors import ApiError, Forbidden
from engage.moderators import sessions
from engage.moderators.accounts import find_token, moderator_sites
from engage.moderators.roles import ALL_ROLES, DECIDERS, Role

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
    g.role = stored.effective_role
    g.auth_method = "token"


def _load_session() -> bool:
    """Set g.moderator/g.csrf_token from the session cookie; True if logged in."""
    found = sessions.current(db.session, request.cookies.get(sessions.COOKIE_NAME), utcnow())
    if found is None:
        return False
    g.moderator = found.moderator
    g.role = Role(found.moderator.role)
    g.csrf_token = found.csrf_token
    g.moderator_session = found
    g.auth_method = "session"
    return True


def _scope() -> None:
    g.moderator_sites = None if g.role is Role.ADMIN else moderator_sites(db.session, g.moderator)


def check_site(site_id: str) -> None:
    """Raise ``Forbidden`` (403) when this request may not act on ``site_id``."""
    if g.moderator_sites is not None and site_id not in g.moderator_sites:
        raise Forbidden("You may not act on this site.", code="forbidden_site")


def check_every_site() -> None:
    """Raise ``Forbidden`` (403) when this request is limited to some sites: for what applies
    to every site (the blocklist)."""
    if g.moderator_sites is not None:
        raise Forbidden("This applies to every site; your account is limited to some.",
                        code="forbidden_site")


def api_guard(*roles: Role):
    """Guard an API view: bearer token or logged-in session, one of ``roles`` (see the
    module docstring)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            token = _bearer_token()
            if token is not None:
                _authenticate_bearer(token)
            elif _load_session():
                if request.method not in _SAFE_METHODS:
                    sent = request.headers.get("X-CSRF-Token", "")
                    if not hmac.compare_digest(sent.encode(), g.csrf_token.encode()):
                        raise Forbidden("Missing or wrong X-CSRF-Token header.",
                                        code="csrf_failed")
            else:
                raise Unauthorized("Log in or send 'Authorization: Bearer <token>'.",
                                   headers={"WWW-Authenticate": "Bearer"})
            if g.role not in roles:
                raise Forbidden(f"The role {g.role.value} may not do this.",
                                code="forbidden_role")
            _scope()
            return view(*args, **kwargs)

        return wrapper

    return decorate


def page_guard(*roles: Role):
    """Guard an HTML page: a logged-in session with one of ``roles``, else a redirect to the
    login page (not logged in) or a 403 page (another role)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not _load_session():
                target = request.full_path if request.query_string else request.path
                return redirect(url_for("moderator_auth.login", next=target))
            if g.role not in roles:
                return render_template(
                    "moderation/error.html", title="Not for your role",
                    message=f"Your role ({g.role.value}) may not open this page."), 403
            _scope()
            return view(*args, **kwargs)

        return wrapper

    return decorate


moderator_required = api_guard(*DECIDERS)
admin_required = api_guard(Role.ADMIN)
member_required = api_guard(*ALL_ROLES)
login_required = page_guard(*DECIDERS)
