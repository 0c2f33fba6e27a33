"""``GET /api/v1/openapi.json``: the OpenAPI document, generated from the marshmallow schemas."""

from __future__ import annotations

from flask import Blueprint, jsonify

bp = Blueprint("openapi", __name__)


@bp.get("/api/v1/openapi.json")
def openapi_document():
    from engage.openapi_spec import build_spec

    return jsonify(build_spec())
