"""``GET/POST /login`` and ``POST /logout`` for moderators.

- The login form is protected against login CSRF with a double-submit token: a random value in
  a short-lived HttpOnly cookie that the form must echo. (There is no session yet to hold one.)
- Every attempt is counted before its password is checked (``login_limits.claim``: atomic, so
  parallel attempts get no more checks than the limits allow) against, within
  ``LOGIN_WINDOW_SECONDS``:
  - from a browser the moderator logged in with before (``login_devices``): that browser only,
    ``LOGIN_MAX_FAILURES``; nobody else's failures lock it out;
  - from anywhere else: the name on this anonymised network (``LOGIN_MAX_FAILURES``), the
    network (``LOGIN_MAX_FAILURES_PER_IP``) and the name from every network
    (``LOGIN_MAX_FAILURES_PER_NAME``, against guessing spread over many networks).
  So failures lock out the network they come from, not the moderator: the right password from
  another network (or the moderator's known browser) still works. While a key is full every
  attempt it counts, even with the right password, is refused with 429, a ``Retry-After``
  header and a message that says when to try again. A successful attempt is taken back out of
  the counts and clears the name's count on that network (or browser).
- A successful login starts a fresh server-side session (see ``sessions``) and redirects to
  ``next`` when that is a local path, else to the queue (the overview, for analysts).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from engage.db import db, utcnow
from engage.moderators import accounts as auth, sessions
from engage.moderators.login_devices import known_browser, login_key, remember_browser
from engage.moderators.roles import Role
from engage.moderators.login_limits import Limit, LoginLimiter, RedisLoginLimiter, SqlLoginLimiter
from engage.shared_store import redis_or_database
from engage.web.request_info import client_ip_prefix

bp = Blueprint("moderator_auth", __name__)

# Moderator pages load only engage's own scripts and styles, and are never framed.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


@bp.after_request
def _page_headers(response):
    response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    response.headers["Cache-Control"] = "no-store"
    return response

LOGIN_CSRF_COOKIE = "engage_login_csrf"


def _limiter() -> LoginLimiter:
    return redis_or_database(lambda shared: RedisLoginLimiter(shared.client, shared.prefix),
                             SqlLoginLimiter(db.session))


def _limits(name: str) -> dict[str, Limit]:
    """The keys an attempt for ``name`` counts against (see the module docstring); the first
    is the one a successful login clears."""
    config = current_app.config
    window = int(config["LOGIN_WINDOW_SECONDS"])
    per_name = Limit(int(config["LOGIN_MAX_FAILURES"]), window)
    browser = known_browser(name)
    if browser:
        return {f"browser:{browser}": per_name}
    prefix = client_ip_prefix()
    limits = {f"net:{login_key(name)}@{prefix or 'unknown'}": per_name,
              f"name:{login_key(name)}": Limit(
                  int(config["LOGIN_MAX_FAILURES_PER_NAME"]), window)}
    if prefix:
        limits[f"ip:{prefix}"] = Limit(int(config["LOGIN_MAX_FAILURES_PER_IP"]), window)
    return limits


def lockout_message(until: datetime, now: datetime) -> str:
    """'Too many failed logins. Try again at 16:05 UTC (in 12 minutes).'"""
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    unit = "minute" if minutes == 1 else "minutes"
    return (f"Too many failed logins. Try again at {until:%H:%M} UTC "
            f"(in {minutes} {unit}).")


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another host), else None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    return target


def _form(error: str | None = None, status: int = 200, name: str = "", headers=None):
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = current_app.make_response((render_template(
        "moderation/login.html", error=error, name=name, login_csrf=token,
        next=safe_next(request.values.get("next")),
        logged_out=request.args.get("logged_out") == "1"), status, headers or {}))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="Lax",
                        secure=request.is_secure, path="/login")
    return response


def _home(moderator) -> str:
    """Where a login lands without ``next``: the queue, or the overview for analysts."""
    return url_for("overview.overview_page" if moderator.role == Role.ANALYST else "queue.queue")


@bp.get("/login")
def login():
    found = sessions.current(db.session, request.cookies.get(sessions.COOKIE_NAME), utcnow())
    if found:
        return redirect(safe_next(request.args.get("next")) or _home(found.moderator))
    return _form()


@bp.post("/login")
def login_post():
    name = (request.form.get("name") or "").strip()
    password = request.form.get("password") or ""
    if not sessions.check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE), request.form.get("csrf_token")):
        return _form("The form expired. Please log in again.", 400, name)
    now = utcnow()
    limiter, limits = _limiter(), _limits(name)
    claim = limiter.claim(limits, now)  # counted (and committed) before the password check
    if not claim.allowed:
        return _locked(claim.locked_until, now, name)
    moderator = auth.authenticate(db.session, name, password)
    if moderator is None:
        until = limiter.locked_until(limits, now)  # this failure may have filled a key
        if until is not None:
            return _locked(until, now, name)
        return _form("Wrong name or password.", 401, name)
    claim.forgive(limits)
    limiter.clear(next(iter(limits)))
    moderator.last_login_at = now
    cookie, row = sessions.start(db.session, moderator, now,
                                 float(current_app.config["MODERATION_SESSION_HOURS"]))
    db.session.commit()
    response = redirect(safe_next(request.form.get("next")) or _home(moderator))
    sessions.set_cookie(response, cookie, row)
    remember_browser(response, moderator.name)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def _locked(until: datetime, now: datetime, name: str):
    seconds = max(1, int((until - now).total_seconds() + 0.999))
    return _form(lockout_message(until, now), 429, name, {"Retry-After": str(seconds)})


@bp.post("/logout")
def logout():
    cookie = request.cookies.get(sessions.COOKIE_NAME)
    found = sessions.current(db.session, cookie, utcnow())
    if found is None:
        return redirect(url_for(".login"))
    if not sessions.check_csrf(found.csrf_token, request.form.get("csrf_token")):
        return render_template("moderation/error.html", title="Request refused",
                               message="The form's security token is missing or wrong. "
                                       "Go back, reload the page and try again."), 403
    sessions.end(db.session, cookie)
    db.session.commit()
    g.pop("moderator", None)
    response = redirect(url_for(".login", logged_out=1))
    sessions.clear_cookie(response)
    return response
