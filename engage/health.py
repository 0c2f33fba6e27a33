"""``GET /healthz``: liveness and readiness of engage and what it depends on.

Features add checks with ``register_check(app, name, check)``; a check returns ``(ok, detail)``.
The answer is 200 when every required check is fine, 503 otherwise; a degraded optional
dependency (Redis with a working fallback) keeps 200 and says so.
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


def database_check() -> tuple[str, str | None]:
    try:
        db.session.execute(text("SELECT 1"))
        return OK, None
    except Exception as error:  # any failure to reach the database means not ready
        db.session.rollback()
        return DOWN, type(error).__name__


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
