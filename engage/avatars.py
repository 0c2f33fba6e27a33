"""Identicon avatars served by engage, addressed by a keyed hash of the reader's email."""

from __future__ import annotations

import re

from flask import Blueprint, Response, request

from engage.errors import NotFound
from engage.privacy import identicon_svg

bp = Blueprint("avatars", __name__)

_TOKEN = re.compile(r"[0-9a-f]{32}")


@bp.get("/api/v1/avatars/<token>.svg")
def avatar(token: str) -> Response:
    if not _TOKEN.fullmatch(token):
        raise NotFound("No such avatar.")
    response = Response(identicon_svg(token), mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = 7 * 24 * 3600
    response.cache_control.immutable = True
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.add_etag()
    return response.make_conditional(request)
