"""OpenAPI 3 fragments for the moderation queue API, for ``engage.openapi`` to merge.

``SECURITY_SCHEMES`` goes under ``components.securitySchemes``; ``PATHS`` maps each path to its
operations (``spec.path(path=…, operations=…)``). Every operation needs a bearer token.
"""

from __future__ import annotations

from engage.comments.models import CommentStatus
from engage.queue.service import MAX_PAGE_SIZE, MAX_QUERY_LENGTH, Decision

SECURITY_SCHEMES = {"moderatorToken": {
    "type": "http", "scheme": "bearer",
    "description": "A token from `engage moderator token NAME`."}}
_SECURITY = [{"moderatorToken": []}]
_ERROR = {"$ref": "#/components/schemas/Error"}
_STATUSES = [status.value for status in CommentStatus]
_COUNTS = {"type": "object", "description": "comments per status, and `all`",
           "additionalProperties": {"type": "integer"}}

ITEM = {"type": "object", "properties": {
    "id": {"type": "integer"}, "site": {"type": "string"}, "article": {"type": "string"},
    "article_title": {"type": "string", "nullable": True},
    "article_url": {"type": "string", "nullable": True},
    "parent_id": {"type": "integer", "nullable": True},
    "status": {"type": "string", "enum": _STATUSES},
    "author_name": {"type": "string"}, "author_email": {"type": "string"},
    "author_url": {"type": "string", "nullable": True},
    "ip_prefix": {"type": "string", "nullable": True},
    "user_agent": {"type": "string", "nullable": True},
    "body": {"type": "string"}, "body_html": {"type": "string"},
    "reasons": {"type": "array", "items": {"type": "object", "properties": {
        "rule": {"type": "string"}, "reason": {"type": "string"}, "evidence": {}}}},
    "spam_score": {"type": "number", "nullable": True},
    "created_at": {"type": "string", "format": "date-time"},
    "decided_by": {"type": "string", "nullable": True},
    "decided_at": {"type": "string", "format": "date-time", "nullable": True},
    "events": {"type": "array", "items": {"type": "object", "properties": {
        "moderator": {"type": "string"}, "from": {"type": "string"}, "to": {"type": "string"},
        "note": {"type": "string", "nullable": True},
        "at": {"type": "string", "format": "date-time"}}}},
    "staff": {"type": "boolean", "description": "a staff reply from the queue"},
    "pinned_at": {"type": "string", "format": "date-time", "nullable": True},
}}
_ACTION = {"type": "string", "description": "a decision, or `pin`/`unpin` (no status change)",
           "enum": [*(decision.value for decision in Decision), "pin", "unpin"]}
_NOTE = {"type": "string", "maxLength": 1000}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    text = {400: "malformed JSON", 401: "no or unknown token",
            403: "revoked token, or not for this role or site",
            404: "unknown comment, article, site or suspension",
            409: "already exists, or (pin) the article has its most pinned comments",
            415: "not application/json", 422: "invalid fields"}
    return {str(code): _json(_ERROR, text[code]) for code in codes}


def _query(name: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema}


_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}

PATHS = {
    "/api/v1/moderation/comments": {"get": {
        "summary": "The moderation queue (keyset pages, newest or oldest first)",
        "security": _SECURITY,
        "parameters": [
            _query("status", {"type": "string", "enum": [*_STATUSES, "all"], "default": "pending"}),
            _query("site", {"type": "string", "maxLength": 64}),
            _query("article", {"type": "string", "maxLength": 512}),
            _query("q", {"type": "string", "maxLength": MAX_QUERY_LENGTH}),
            _query("order", {"type": "string", "enum": ["newest", "oldest"]}),
            _query("cursor", {"type": "integer", "minimum": 0}),
            _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}),
        ],
        "responses": {"200": _json({"type": "object", "properties": {
            "comments": {"type": "array", "items": ITEM},
            "next": {"type": "integer", "nullable": True}, "counts": _COUNTS}}, "one page"),
            **_errors(401, 403, 422)},
    }},
    "/api/v1/moderation/comments/{id}": {"post": {
        "summary": "Decide one comment", "security": _SECURITY, "parameters": [_ID],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["action"],
            "properties": {"action": _ACTION, "note": _NOTE}}}}},
        "responses": {"200": _json({"type": "object", "properties": {
            "comment": ITEM, "counts": _COUNTS}}, "decided"),
            **_errors(400, 401, 403, 404, 409, 415, 422)},
    }},
    "/api/v1/moderation/comments/bulk": {"post": {
        "summary": "Decide many comments at once (all or nothing)", "security": _SECURITY,
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["ids", "action"], "properties": {
                "ids": {"type": "array", "minItems": 1, "maxItems": 500,
                        "items": {"type": "integer"}},
                "action": _ACTION, "note": _NOTE}}}}},
        "responses": {"200": _json({"type": "object", "properties": {
            "comments": {"type": "array", "items": ITEM}, "counts": _COUNTS}}, "decided"),
            **_errors(400, 401, 403, 404, 409, 415, 422)},
    }},
    "/api/v1/moderation/comments/{id}/block": {"post": {
        "summary": "Block this comment's author (email, email domain or IP network) and mark "
                   "their comments spam",
        "security": _SECURITY, "parameters": [_ID],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["kind"],
            "properties": {"kind": {"type": "string", "enum": ["email", "domain", "ip"]}}}}}},
        "responses": {"200": _json({"type": "object", "properties": {
            "blocked": {"type": "object", "properties": {
                "kind": {"type": "string"}, "value": {"type": "string"}}},
            "marked": {"type": "integer"}, "counts": _COUNTS}}, "blocked"),
            **_errors(400, 401, 403, 404, 415, 422)},
    }},
    "/api/v1/moderation/comments/{id}/reply": {"post": {
        "summary": "Answer a published comment as staff: published at once, past the rules, "
                   "with the staff badge",
        "security": _SECURITY, "parameters": [_ID],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["body"],
            "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 10000}}}}}},
        "responses": {"201": _json({"type": "object", "properties": {
            "comment": {"$ref": "#/components/schemas/PublicComment"}, "item": ITEM}},
            "the staff reply, published"),
            **_errors(400, 401, 403, 404, 415, 422)},
    }},
}

_SUSPENSION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "kind": {"type": "string", "enum": ["email", "network"]},
    "value": {"type": "string"}, "shadow": {"type": "boolean"}, "reason": {"type": "string"},
    "created_by": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
    "until": {"type": "string", "format": "date-time"},
    "lifted_at": {"type": "string", "format": "date-time", "nullable": True},
    "lifted_by": {"type": "string", "nullable": True}}}
_SUSPENSION_ID = {"name": "id", "in": "path", "required": True,
                  "schema": {"type": "integer", "minimum": 0}}

# Bans that expire (engage/queue/suspensions.py); not under /comments, so kept apart.
SUSPENSION_PATHS = {
    "/api/v1/moderation/suspensions": {
        "get": {"summary": "The active suspensions, newest first", "security": _SECURITY,
                "responses": {"200": _json({"type": "object", "properties": {
                    "suspensions": {"type": "array", "items": _SUSPENSION}}}, "active ones"),
                    **_errors(401, 403)}},
        "post": {"summary": "Suspend an email address or a network for some hours",
                 "security": _SECURITY,
                 "requestBody": {"required": True, "content": {"application/json": {"schema": {
                     "type": "object", "required": ["kind", "value", "hours", "reason"],
                     "properties": {
                         "kind": {"type": "string", "enum": ["email", "network"]},
                         "value": {"type": "string", "maxLength": 254},
                         "hours": {"type": "integer", "minimum": 1, "maximum": 8760},
                         "shadow": {"type": "boolean"},
                         "reason": {"type": "string", "minLength": 1, "maxLength": 500}}}}}},
                 "responses": {"201": _json({"type": "object", "properties": {
                     "suspension": _SUSPENSION}}, "suspended"),
                     **_errors(400, 401, 403, 415, 422)}},
    },
    "/api/v1/moderation/suspensions/{id}": {"delete": {
        "summary": "Lift an active suspension", "security": _SECURITY,
        "parameters": [_SUSPENSION_ID],
        "responses": {"200": _json({"type": "object", "properties": {
            "suspension": _SUSPENSION}}, "lifted"), **_errors(401, 403, 404)},
    }},
}
