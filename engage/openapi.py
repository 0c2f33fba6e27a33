"""``GET /api/v1/openapi.json``: the OpenAPI 3 document of the API, generated from the
marshmallow schemas and the features' fragments (``pageviews.openapi``, ``queue.openapi``)."""

from __future__ import annotations

from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, jsonify

from engage.comments.schemas import (CommentInputSchema, PublicCommentSchema,
                                     SubmitResultSchema, ThreadSchema)
from engage.admin import openapi as admin
from engage.notifications import openapi as notifications
from engage.pageviews import openapi as pageviews
from engage.participation import openapi as participation
from engage.participation import report_openapi
from engage.portability import openapi as portability
from engage.queue import openapi as moderation
from engage.version import __version__

bp = Blueprint("openapi", __name__)


@bp.get("/api/v1/openapi.json")
def openapi_document():
    return jsonify(build_spec())


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(schema: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


# The document may allow more than the server accepts (a key that normalizes to nothing is a
# 422), never less: the fuzz test checks that whatever it calls invalid is refused. Patterns
# that depend on what "whitespace" means differ between regex dialects, so none are used.
ARTICLE_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 512}
ARTICLE = {"name": "article", "in": "query", "required": True, "schema": ARTICLE_SCHEMA}
ARTICLES = {"name": "article", "in": "query", "required": True, "style": "form", "explode": True,
            "schema": {"type": "array", "minItems": 1, "maxItems": 100,
                       "items": ARTICLE_SCHEMA}}
# empty or absent: the site "default"
SITE_SCHEMA = {"type": "string", "maxLength": 64,
               "pattern": "^$|^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$"}
SITE = {"name": "site", "in": "query", "required": False, "schema": SITE_SCHEMA,
        "description": "the site's id (default: `default`)"}
UNKNOWN_SITE = {"404": {"description": "no such site", "content": {"application/json": {
    "schema": {"$ref": "#/components/schemas/Error"}}}}}


@lru_cache(maxsize=1)
def build_spec() -> dict:
    spec = APISpec(title="engage", version=__version__, openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()])
    spec.components.schema("CommentInput", schema=CommentInputSchema)
    spec.components.schema("PublicComment", schema=PublicCommentSchema)
    spec.components.schema("Thread", schema=ThreadSchema)
    spec.components.schema("SubmitResult", schema=SubmitResultSchema)
    spec.components.schema("Error", {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {
                "type": "array", "items": {"type": "string"}}}}}}})
    spec.components.schema("Counts", {"type": "object", "required": ["counts"], "properties": {
        "counts": {"type": "object", "additionalProperties": {"type": "object", "properties": {
            "comments": {"type": "integer"}, "views": {"type": "integer"}}}}}})
    for name, schema in pageviews.SCHEMAS.items():
        spec.components.schema(name, schema)
    for name, scheme in {**moderation.SECURITY_SCHEMES,
                         **participation.SECURITY_SCHEMES}.items():
        spec.components.security_scheme(name, scheme)
    paths = {**_paths(), **pageviews.paths(_error, SITE, ARTICLE, ARTICLES),
             **participation.paths(_error, _json, SITE), **moderation.PATHS,
             **moderation.SUSPENSION_PATHS, **admin.PATHS,
             **portability.PATHS, **notifications.PATHS,
             **report_openapi.paths(_error, _json, SITE)}
    report_openapi.extend_queue(paths)
    for operations in paths.values():
        for operation in operations.values():
            if any(parameter is SITE for parameter in operation.get("parameters", ())):
                operation["responses"].update(UNKNOWN_SITE)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    _tighten_comment_input(document["components"]["schemas"]["CommentInput"]["properties"])
    return document


def _tighten_comment_input(properties: dict) -> None:
    """Say in the document what the schema's custom validators check for certain."""
    properties["article"].update(ARTICLE_SCHEMA)
    properties["site"].update(SITE_SCHEMA)
    properties["author_url"]["pattern"] = r"^$|^[hH][tT][tT][pP][sS]?://"  # "" means none
    properties["reader_key"]["pattern"] = r"^[A-Za-z0-9_-]+$"
    properties["reader_key"]["description"] = (
        "A random secret the client keeps (at least 128 bits; the widget sends 256 in "
        "base64url) and sends with every comment: it proves that comments come from the same "
        "reader. Without it a comment gains no trust and has no history. Never shown.")
    properties["reader_proof"]["pattern"] = r"^[0-9a-f]{64}$"
    properties["reader_proof"]["description"] = (
        "The `proof` that `POST /api/v1/readers/proof` gave this reader key for the author's "
        "confirmed mailbox: the comment then shares the history of every browser that proved "
        "it. A wrong one is ignored.")


def _paths() -> dict:
    bad = {"422": _error("invalid parameters")}
    return {
        "/api/v1/comments": {
            "get": {
                "summary": "Approved comments of an article: oldest first, newest or best",
                "parameters": [SITE, ARTICLE,
                               {"name": "limit", "in": "query",
                                "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                               {"name": "sort", "in": "query", "schema": {
                                   "type": "string", "enum": ["oldest", "newest", "best"]}},
                               {"name": "cursor", "in": "query", "description":
                                "the `next` of the page before (an id; `rank.id` for best)",
                                "schema": {"type": "string", "maxLength": 32}}],
                "responses": {"200": _json("Thread", "a page of the thread"),
                              "304": {"description": "not modified"}, **bad},
            },
            "post": {
                "summary": "Submit a comment",
                "parameters": [SITE],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/CommentInput"}}}},
                "responses": {
                    "201": _json("SubmitResult", "published"),
                    "202": _json("SubmitResult", "held for moderation"),
                    "400": _error("malformed JSON"), "403": _error("article closed"),
                    "409": _error("duplicate: the same text on this article from the same reader key, "
                                  "or, without one, from the same network; or one form token "
                                  "sent twice at once"), "413": _error("body too large"),
                    "415": _error("not JSON"), "429": _error("too fast"), **bad},
            },
        },
        "/api/v1/form-token": {"get": {
            "summary": "A signed, time-stamped token to send with the next comment",
            "parameters": [SITE, ARTICLE],
            "responses": {"200": {"description": "the token", "content": {"application/json": {
                "schema": {"type": "object", "required": ["form_token"],
                           "properties": {"form_token": {"type": "string"}}}}}}, **bad}}},
        "/api/v1/readers/proof": {"post": {
            "summary": "Turn a mailbox confirmation token into this reader key's proof",
            "description": "The confirmation page of a reader subscription links back to the "
                           "article with `#engage-confirm=<token>`; the widget sends the token "
                           "with its own reader key. The answer's `proof` goes with its "
                           "comments as `reader_proof`.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["token", "reader_key"],
                "properties": {"token": {"type": "string", "minLength": 1, "maxLength": 512},
                               "reader_key": {"type": "string", "minLength": 22,
                                              "maxLength": 128,
                                              "pattern": r"^[A-Za-z0-9_-]+$"},
                               "site": {"type": "string"}}}}}},
            "responses": {"200": {"description": "the proof", "content": {"application/json": {
                "schema": {"type": "object", "required": ["proof"],
                           "properties": {"proof": {"type": "string"}}}}}},
                          "400": _error("malformed JSON"), "415": _error("not JSON"),
                          "404": _error("not a valid confirmation token of a confirmed address"),
                          **bad}}},
        "/api/v1/counts": {"get": {
            "summary": "Comment and view counts for many articles of a site",
            "parameters": [SITE, ARTICLES],
            "responses": {"200": _json("Counts", "counts per article as sent"), **bad}}},
    }
