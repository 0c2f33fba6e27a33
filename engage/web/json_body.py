"""Reading JSON request bodies strictly.

Public POSTs accept only ``application/json``. That is also their CSRF defence: a cross-site
HTML form can only send form encodings or text/plain, and a cross-origin fetch with a JSON
content type needs a CORS preflight that only the configured site origins pass.

Only strict JSON (RFC 8259, as I-JSON asks) gets through, and everything else is a 400 with the
one error shape, never a 500: UTF-8 only, no duplicate member names (two parsers reading the
same body differently is how checks get bypassed), no ``NaN``/``Infinity`` or numbers that
overflow to infinity, integers within Python's 4,300-digit limit, and at most ``MAX_DEPTH``
levels of nesting (deeper, Python's parser runs out of stack: 30,000 levels were a 500).
An escaped lone surrogate (``"\\ud800"``) is valid JSON; the schemas refuse it field by field
(422 naming the field).
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from typing import Any

from flask import request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import UnsupportedMediaType

from engage.errors import ApiError, ValidationFailed


MAX_DEPTH = 32  # the API's deepest body is 3 levels; far below the parser's stack


def json_body() -> Any:
    """The parsed JSON body; 415 for another content type, 400 when it is not strict JSON."""
    if request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    return parse_json(request.get_data(cache=True))


def parse_json(raw: bytes) -> Any:
    """``raw`` parsed as strict JSON (see the module's docstring), or a 400 ``ApiError``."""
    try:
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_members,
                          parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError:
        raise ApiError(_TOO_DEEP, code="malformed_json") from None
    except ValueError as error:  # also UnicodeDecodeError and json.JSONDecodeError
        raise ApiError(_reason(error), code="malformed_json") from None
    problem = _structure_problem(data)
    if problem:
        raise ApiError(problem, code="malformed_json")
    return data


_TOO_DEEP = f"The body is nested more than {MAX_DEPTH} levels deep."


class _Refused(ValueError):
    """A well-formed document that strict JSON does not allow; the message says why."""


def _reason(error: ValueError) -> str:
    return f"The body is not valid JSON: {error}" if isinstance(error, _Refused) \
        else "The body is not valid JSON."


def _unique_members(pairs: list[tuple[str, Any]]) -> dict:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise _Refused("a member name appears twice in one object.")
    return data


def _no_constant(name: str):
    raise _Refused(f"{name} is not a JSON number.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused("a number is too large.")
    return value


def _structure_problem(data: Any) -> str | None:
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value \
            if isinstance(value, list) else None
        if children is not None:
            if depth > MAX_DEPTH:
                return _TOO_DEEP
            pending.extend((child, depth + 1) for child in children)
    return None


def load(schema: Schema, data: Any) -> dict:
    """``schema.load(data)`` with failures as a 422 listing every bad field."""
    if not isinstance(data, dict):
        raise ValidationFailed("Expected a JSON object.")
    try:
        return schema.load(data)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        raise ValidationFailed("Some fields are invalid.", fields=_flatten(messages)) from error


def load_args(schema: Schema, cached: bool = False) -> dict:
    """Validate the query string with ``schema`` (single values; lists use request.args).

    ``cached``: for a schema whose answer depends on the query string alone and holds
    immutable values (a public read's parameters): the answers for the last ``ARGS_CACHED``
    valid query strings of the schema are kept per process (a widget's readers send the same
    few), so the schema runs once per distinct query string; each call gets its own copy of
    the dict."""
    if not cached:
        try:
            return schema.load(request.args.to_dict())
        except ValidationError as error:
            raise ValidationFailed("Some parameters are invalid.",
                                   fields=_flatten(error.messages)) from error
    raw = request.query_string
    cache = _args_cache.get(id(schema))
    if cache is None:
        cache = _args_cache.setdefault(id(schema), (schema, OrderedDict()))
    kept = cache[1].get(raw)
    if kept is not None:
        return dict(kept)
    try:
        loaded = schema.load(request.args.to_dict())
    except ValidationError as error:
        raise ValidationFailed("Some parameters are invalid.",
                               fields=_flatten(error.messages)) from error
    answers = cache[1]
    answers[raw] = loaded
    while len(answers) > ARGS_CACHED:
        try:
            answers.popitem(last=False)
        except KeyError:  # another thread emptied it first
            break
    return dict(loaded)


ARGS_CACHED = 512
# id(schema) -> (schema, {query string: loaded}); the schema is kept so that its id stays its.
_args_cache: dict[int, tuple[Schema, OrderedDict]] = {}


def _flatten(messages: dict) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        if isinstance(value, dict):
            value = [str(v) for v in value.values()]
        flat[str(key)] = [str(v) for v in (value if isinstance(value, list) else [value])]
    return flat
