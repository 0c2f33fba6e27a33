"""OpenAPI 3 fragments of the articles and sites APIs, for ``engage.openapi`` to merge."""

from __future__ import annotations

from engage.admin.articles import MODES
from engage.queue.openapi import _COUNTS, _SECURITY, _errors, _json, _query

_SITE_QUERY = _query("site", {"type": "string", "maxLength": 64})
_ARTICLE_QUERY = {**_query("article", {"type": "string", "minLength": 1, "maxLength": 512}),
                  "required": True}
ARTICLE = {"type": "object", "properties": {
    "site": {"type": "string"}, "article": {"type": "string"},
    "title": {"type": "string", "nullable": True}, "url": {"type": "string", "nullable": True},
    "closed": {"type": "boolean"},
    "closed_reason": {"type": "string", "enum": ["closed", "auto_closed"], "nullable": True},
    "mode": {"type": "string", "enum": MODES, "nullable": True}, "counts": _COUNTS,
    "views": {"type": "integer"}}}
ARTICLE_CHANGE = {"type": "object", "properties": {
    "closed": {"type": "boolean"}, "mode": {"type": "string", "enum": MODES, "nullable": True},
    "title": {"type": "string", "maxLength": 300, "nullable": True},
    "url": {"type": "string", "maxLength": 2000, "nullable": True}}}
SITE = {"type": "object", "properties": {
    "id": {"type": "string"}, "name": {"type": "string"},
    "origins": {"type": "array", "items": {"type": "string"}},
    "settings": {"type": "object", "description": "moderation settings overriding the global"}}}
_SITE_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


PATHS = {
    "/api/v1/moderation/articles": {
        "get": {"summary": "One article: title, URL, closed, mode, counts, views",
                "security": _SECURITY, "parameters": [_SITE_QUERY, _ARTICLE_QUERY],
                "responses": {"200": _json(ARTICLE, "the article"),
                              **_errors(401, 403, 404, 422)}},
        "patch": {"summary": "Close or reopen an article, set its mode, correct title and URL",
                  "security": _SECURITY, "parameters": [_SITE_QUERY, _ARTICLE_QUERY],
                  "requestBody": _body(ARTICLE_CHANGE),
                  "responses": {"200": _json(ARTICLE, "the changed article"),
                                **_errors(400, 401, 403, 404, 415, 422)}},
    },
    "/api/v1/admin/sites": {
        "get": {"summary": "Every site (admins)", "security": _SECURITY,
                "responses": {"200": _json({"type": "object", "properties": {
                    "sites": {"type": "array", "items": SITE}}}, "the sites"),
                    **_errors(401, 403)}},
        "post": {"summary": "Create a site (admins)", "security": _SECURITY,
                 "requestBody": _body(SITE),
                 "responses": {"201": _json(SITE, "the new site"),
                               **_errors(400, 401, 403, 409, 415, 422)}},
    },
    "/api/v1/admin/sites/{id}": {
        "get": {"summary": "One site (admins)", "security": _SECURITY, "parameters": [_SITE_ID],
                "responses": {"200": _json(SITE, "the site"), **_errors(401, 403, 404)}},
        "patch": {"summary": "Change a site (admins); a setting given as null loses its "
                             "override", "security": _SECURITY, "parameters": [_SITE_ID],
                  "requestBody": _body(SITE),
                  "responses": {"200": _json(SITE, "the site"),
                                **_errors(400, 401, 403, 404, 415, 422)}},
    },
}
