"""Known browsers: a signed cookie that a browser gets when its moderator logs in.

It lets the login limiter tell the moderator's own browser from everyone else who types their
name: attempts that present a valid cookie for the name they try count only against that
cookie (``LOGIN_MAX_FAILURES`` per window), so failures from other browsers and networks never
lock a moderator out of a browser they logged in with before (OWASP's "device cookies").

Contract: ``known_browser(name)`` is the cookie's id when the request carries a valid cookie
issued for ``name``, else None. ``remember_browser(response, name)`` sets (or renews) the
cookie: HttpOnly, SameSite=Lax, sent to ``/login`` only, Secure over HTTPS, signed with
``SECRET_KEY``, valid for ``BROWSER_DAYS``. It holds the name and a random id, nothing else.
"""

from __future__ import annotations

import secrets

from flask import Response, current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer

COOKIE = "engage_login_browser"
BROWSER_DAYS = 365
_SALT = "engage.login-browser"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def login_key(name: str) -> str:
    """The form of a typed name that limits and cookies use (names are at most 64 characters)."""
    return name.lower()[:64]


def known_browser(name: str) -> str | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        payload = _serializer().loads(raw, max_age=BROWSER_DAYS * 86400)
    except BadData:
        return None
    if not isinstance(payload, dict) or payload.get("n") != login_key(name):
        return None
    browser = payload.get("b")
    return browser if isinstance(browser, str) and browser else None


def remember_browser(response: Response, name: str) -> None:
    browser = known_browser(name) or secrets.token_urlsafe(16)
    value = _serializer().dumps({"n": login_key(name), "b": browser})
    response.set_cookie(COOKIE, value, max_age=BROWSER_DAYS * 86400, httponly=True,
                        samesite="Lax", secure=request.is_secure, path="/login")
