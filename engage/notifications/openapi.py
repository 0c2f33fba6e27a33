"""OpenAPI 3 fragment of the webhooks and deliveries API (admins), for ``engage.openapi``."""

from __future__ import annotations

from engage.notifications.events import EVENTS
from engage.notifications.models import STATES
from engage.notifications.url_guard import MAX_URL_CHARS
from engage.queue.openapi import _SECURITY, _errors, _json

WEBHOOK = {"type": "object", "properties": {
    "id": {"type": "string"}, "site": {"type": "string"}, "url": {"type": "string"},
    "events": {"type": "array", "items": {"type": "string", "enum": list(EVENTS)}},
    "format": {"type": "string", "enum": ["engage", "slack"]},
    "secret": {"type": "string", "description": "only in the answer that created it"},
    "created_by": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}}}
WEBHOOK_INPUT = {"type": "object", "required": ["url", "events"], "additionalProperties": False,
                 "properties": {
                     "url": {"type": "string", "minLength": 1, "maxLength": MAX_URL_CHARS,
                             "description": "http(s), resolving to public addresses only"},
                     "events": {"type": "array", "minItems": 1, "maxItems": len(EVENTS),
                                "items": {"type": "string", "enum": list(EVENTS)}},
                     "format": {"type": "string", "enum": ["engage", "slack"]},
                     "site": {"type": "string", "minLength": 1, "maxLength": 64}}}
DELIVERY = {"type": "object", "properties": {
    "id": {"type": "string"}, "channel": {"type": "string"},
    "state": {"type": "string", "enum": list(STATES)}, "attempts": {"type": "integer"},
    "last_error": {"type": "string", "nullable": True},
    "event": {"type": "string", "nullable": True},
    "created_at": {"type": "string", "format": "date-time"},
    "next_attempt_at": {"type": "string", "format": "date-time"},
    "delivered_at": {"type": "string", "format": "date-time", "nullable": True}}}
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}

PATHS = {
    "/api/v1/moderation/webhooks": {
        "get": {"summary": "Webhooks (admins)", "security": _SECURITY,
                "parameters": [{"name": "site", "in": "query", "required": False,
                                "schema": {"type": "string"}}],
                "responses": {"200": _json({"type": "object", "properties": {
                    "webhooks": {"type": "array", "items": WEBHOOK}}}, "the webhooks"),
                    **_errors(401, 403)}},
        "post": {"summary": "Register a webhook; its secret is shown once (admins)",
                 "security": _SECURITY,
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": WEBHOOK_INPUT}}},
                 "responses": {"201": _json(WEBHOOK, "the webhook, with its secret"),
                               **_errors(400, 401, 403, 409, 415, 422)}},
    },
    "/api/v1/moderation/webhooks/{id}": {
        "delete": {"summary": "Delete a webhook (admins)", "security": _SECURITY,
                   "parameters": [_ID],
                   "responses": {"204": {"description": "deleted"}, **_errors(401, 403, 404)}},
    },
    "/api/v1/moderation/deliveries": {
        "get": {"summary": "Outbox messages in one state, newest first (admins)",
                "security": _SECURITY,
                "parameters": [
                    {"name": "state", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": list(STATES), "default": "failed"}},
                    {"name": "limit", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": 500}}],
                "responses": {"200": _json({"type": "object", "properties": {
                    "deliveries": {"type": "array", "items": DELIVERY}}}, "the messages"),
                    **_errors(401, 403, 422)}},
    },
    "/api/v1/moderation/deliveries/{id}/retry": {
        "post": {"summary": "Queue a failed message again (admins)", "security": _SECURITY,
                 "parameters": [_ID],
                 "responses": {"200": _json(DELIVERY, "queued again"),
                               **_errors(401, 403, 404)}},
    },
}
