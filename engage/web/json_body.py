"""Reading JSON request bodies strictly.

Public POSTs accept only ``application/json``. That is also their CSRF defence: a cross-site
HTML form can only send form encodings or text/plain, and a cross-origin fetch with a JSON
content type needs a CORS preflight that only the configured site origins pass.
"""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from engage.errors import ApiError, ValidationFailed


def json_body() -> Any:
    """The parsed JSON body; 415 for another content type, 400 when it does not parse."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    try:
        return request.get_json(force=True)
    except BadRequest as error:
        raise ApiError("The body is not valid JSON.", code="malformed_json") from error


def load(schema: Schema, data: Any) -> dict:
    """``schema.load(data)`` with failures as a 422 listing every bad field."""
    if not isinstance(data, dict):
        raise ValidationFailed("Expected a JSON object.")
    try:
        return schema.load(data)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        raise ValidationFailed("Some fields are invalid.", fields=_flatten(messages)) from error


def load_args(schema: Schema) -> dict:
    """Validate the query string with ``schema`` (single values; lists use request.args)."""
    try:
        return schema.load(request.args.to_dict())
    except ValidationError as error:
        raise ValidationFailed("Some parameters are invalid.",
                               fields=_flatten(error.messages)) from error


def _flatten(messages: dict) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            value = [str(v) for v in value.values()]
        flat[str(key)] = [str(v) for v in (value if isinstance(value, list) else [value])]
    return flat
