"""``GET /healthz``: liveness and readiness of engage and what it depends on.

Features add checks with ``register_check(app, name, check)``; a check returns ``(ok, detail)``.
The answer is 200 when every required check is fine, 503 otherwise; a degraded optional
dependency (Redis with a working fallback) keeps 200 and says so.

``SELECT 1`` works on a database that cannot write (a full disk), so features that write in
the background report how their last write went (``register_write_monitor``): the database
check is ``degraded`` while one says writes fail (reads still work, so not ``down``).
"""

from __future__ import annotations

from typing import Callable

from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text

from engage.db import db

bp = Blueprint("health", __name__)

Check = Callable[[], tuple[str, str | None]]
OK, DEGRADED, DOWN = "ok", "degraded", "down"


def register_check(app: Flask, name: str, check: Check) -> None:
    """Add ``check`` (returning ``(status, detail)``) to the app's health report."""
    app.extensions.setdefault("engage_health_checks", {})[name] = check


def register_write_monitor(app: Flask, monitor: Callable[[], str | None]) -> None:
    """Add ``monitor``: it returns why the last background write failed, or None."""
    app.extensions.setdefault("engage_write_monitors", []).append(monitor)


def database_check() -> tuple[str, str | None]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any failure to reach the database means not ready
        db.session.rollback()
        return DOWN, type(error).__name__
    for monitor in current_app.extensions.get("engage_write_monitors", ()):
        problem = monitor()
        if problem:
            return DEGRADED, f"writes failing: {problem}"
    return OK, None


@bp.get("/healthz")
def healthz():
    checks = {"database": database_check}
    checks.update(current_app.extensions.get("engage_health_checks", {}))
    report = {}
    for name, check in checks.items():
        status, detail = check()
        report[name] = {"status": status, **({"detail": detail} if detail else {})}
    states = {entry["status"] for entry in report.values()}
    overall = DOWN if DOWN in states else DEGRADED if DEGRADED in states else OK
    response = jsonify({"status": overall, "checks": report})
    response.status_code = 503 if overall == DOWN else 200
    response.headers["Cache-Control"] = "no-store"
    if overall == DOWN:
        response.headers["Retry-After"] = "5"
    return response
