"""OpenAPI 3 fragments of the reader actions (votes, author edits), for ``engage.openapi``."""

from __future__ import annotations

from engage.comments.schemas import BODY_MAX, MAX_ID

_ID = {"name": "comment_id", "in": "path", "required": True,
       "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}
_EDIT_KEY = [{"editKey": []}]
SECURITY_SCHEMES = {"editKey": {"type": "http", "scheme": "bearer",
                                "description": "the edit_key of the POST answer"}}
_TALLY = {"type": "object", "required": ["score", "up", "down"], "properties": {
    "score": {"type": "integer"}, "up": {"type": "integer"}, "down": {"type": "integer"}}}
_VOTE = {"type": "object", "required": ["value"], "properties": {
    "value": {"type": "integer", "enum": [-1, 0, 1]}, "site": {"type": "string"}}}
_EDIT = {"type": "object", "required": ["body"], "properties": {
    "body": {"type": "string", "minLength": 1, "maxLength": BODY_MAX},
    "site": {"type": "string"}}}


def paths(error, json, site) -> dict:
    """The paths, given ``engage.openapi``'s helpers (``error``, ``json``) and site parameter."""
    def body(schema):
        return {"required": True, "content": {"application/json": {"schema": schema}}}

    common = {"400": error("malformed JSON"), "413": error("body too large"),
              "415": error("not JSON"), "422": error("invalid fields")}
    return {
        f"/api/v1/comments/{{comment_id}}/votes": {"post": {
            "summary": "Vote on a published comment: 1 up, -1 down, 0 withdraws",
            "parameters": [_ID, site], "requestBody": body(_VOTE),
            "responses": {"200": {"description": "the comment's counts", "content": {
                "application/json": {"schema": _TALLY}}},
                "404": error("no published comment with this id on this site"),
                "429": error("too many votes from this network"), **common}}},
        f"/api/v1/comments/{{comment_id}}": {
            "patch": {
                "summary": "Edit one's own comment within the edit window",
                "security": _EDIT_KEY, "parameters": [_ID, site], "requestBody": body(_EDIT),
                "responses": {"200": json("SubmitResult", "the edit is published"),
                              "202": json("SubmitResult", "the edit is held"),
                              "403": error("no key, another comment's key, or too late"),
                              "404": error("no such comment"), **common}},
            "delete": {
                "summary": "Delete one's own comment within the edit window",
                "security": _EDIT_KEY, "parameters": [_ID, site],
                "responses": {"200": {"description": "deleted", "content": {
                    "application/json": {"schema": {"type": "object", "properties": {
                        "deleted": {"type": "boolean"},
                        "kept_for_replies": {"type": "boolean"}}}}}},
                    "403": error("no key, another comment's key, or too late"),
                    "404": error("no such comment"), "422": error("invalid site")}},
        },
    }
