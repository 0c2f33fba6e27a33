"""OpenAPI 3 fragment of the reader-request API (admins), for ``engage.openapi`` to merge."""

from __future__ import annotations

from engage.queue.openapi import _SECURITY, _errors, _json

_EMAIL = {"type": "string", "minLength": 3, "maxLength": 254}
AUTHOR_DATA = {"type": "object", "properties": {
    "email": {"type": "string"},
    "comments": {"type": "array", "items": {"type": "object"}},
    "subscriptions": {"type": "array", "items": {"type": "object"}},
    "reports": {"type": "array", "items": {"type": "object"}},
    "blocklist": {"type": "array", "items": {"type": "object"}}}}
ERASED = {"type": "object", "properties": {"erased": {"type": "object", "properties": {
    "comments": {"type": "integer"}, "deleted": {"type": "integer"},
    "anonymised": {"type": "integer"}}}}}

PATHS = {
    "/api/v1/moderation/authors": {
        "get": {"summary": "Everything stored about one email (admins)", "security": _SECURITY,
                "parameters": [{"name": "email", "in": "query", "required": True,
                                "schema": _EMAIL}],
                "responses": {"200": _json(AUTHOR_DATA, "the author's data"),
                              **_errors(401, 403, 422)}},
    },
    "/api/v1/moderation/authors/erase": {
        "post": {"summary": "Erase one email's data; comments deleted or kept as [deleted] "
                            "(admins)", "security": _SECURITY,
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["email"], "properties": {
                         "email": _EMAIL, "keep_comments": {"type": "boolean"}}}}}},
                 "responses": {"200": _json(ERASED, "what was erased"),
                               **_errors(400, 401, 403, 415, 422)}},
    },
}
