"""Placeholder blueprint; the view counter replaces it."""

from flask import Blueprint, Flask

bp = Blueprint("pageviews", __name__)


def init_app(app: Flask) -> None:
    """Set up the view-count backend (nothing yet)."""


def views_for(keys: list[str]) -> dict[str, int]:
    """View totals per article key (none counted yet)."""
    return {key: 0 for key in keys}
