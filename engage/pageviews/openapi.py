"""The view counter's part of the OpenAPI document, kept next to the routes it describes.

``engage.openapi.build_spec`` adds ``SCHEMAS`` to the components and merges
``paths(error, site, article, articles)`` into its paths (the helpers and parameter objects are
passed in, so this module does not import the document builder).
"""

from __future__ import annotations

from collections.abc import Callable

from engage.pageviews.routes import MAX_DAYS, MAX_TOP

SCHEMAS: dict[str, dict] = {
    "ViewRecorded": {"type": "object", "required": ["article", "views", "counted"], "properties": {
        "article": {"type": "string", "description": "the normalized article key"},
        "views": {"type": "integer", "minimum": 0, "description": "total views, this one included"},
        "counted": {"type": "boolean", "description":
                    "false for bots, prefetches and HEAD requests; true for every other "
                    "request, also when it repeated a visitor's view within the window or went "
                    "over its network's limit (the total then did not change): the answer "
                    "never depends on what other readers did"}}},
    "ViewTotals": {"type": "object", "required": ["views"], "properties": {
        "views": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0},
                  "description": "total views per article, keyed as sent"}}},
    "ViewsDaily": {"type": "object", "required": ["article", "days"], "properties": {
        "article": {"type": "string"},
        "days": {"type": "array", "description": "oldest first, today (UTC) last", "items": {
            "type": "object", "required": ["date", "views"], "properties": {
                "date": {"type": "string", "format": "date"},
                "views": {"type": "integer", "minimum": 0}}}}}},
    "ViewsTop": {"type": "object", "required": ["days", "articles"], "properties": {
        "days": {"type": "integer"},
        "articles": {"type": "array", "description": "most views first", "items": {
            "type": "object", "required": ["article", "views"], "properties": {
                "article": {"type": "string"}, "views": {"type": "integer", "minimum": 1}}}}}},
}


def _json(schema: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _int(name: str, high: int, description: str) -> dict:
    return {"name": name, "in": "query", "description": description,
            "schema": {"type": "integer", "minimum": 1, "maximum": high}}


def paths(error: Callable[[str], dict], site: dict, article: dict, articles: dict) -> dict:
    bad = {"422": error("missing, empty or over-long article, or a bad range")}
    return {
        "/api/v1/views": {
            "post": {
                "summary": "Record a view (a CORS simple request: no body or preflight needed)",
                "parameters": [site, article],
                "responses": {"200": _json("ViewRecorded", "whether it counted, and the total"),
                              **bad}},
            "get": {
                "summary": "Total views of many articles",
                "parameters": [site, articles],
                "responses": {"200": _json("ViewTotals", "totals, including unflushed views"),
                              **bad}},
        },
        "/api/v1/views/daily": {"get": {
            "summary": "Views of one article per UTC day",
            "parameters": [site, article, _int("days", MAX_DAYS, "how many days, today included")],
            "responses": {"200": _json("ViewsDaily", "one entry per day"), **bad}}},
        "/api/v1/views/top": {"get": {
            "summary": "Most viewed articles of the last days (only articles read from "
                       "several networks on one day: ENGAGE_VIEWS_TOP_MIN_NETWORKS)",
            "parameters": [site, _int("days", MAX_DAYS, "how many days, today included"),
                           _int("limit", MAX_TOP, "how many articles")],
            "responses": {"200": _json("ViewsTop", "most views first"), **bad}}},
        "/api/v1/badge.svg": {"get": {
            "summary": 'The "views | 1.2k" badge; reading it never counts a view',
            "parameters": [site, article],
            "responses": {
                "200": {"description": "an SVG image with an accessible title",
                        "content": {"image/svg+xml": {"schema": {"type": "string"}}}},
                "304": {"description": "not modified (If-None-Match)"}, **bad}}},
    }
