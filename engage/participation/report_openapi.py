"""OpenAPI 3 fragments of reader reports, for ``engage.openapi``.

``paths(error, json, site)`` gives the report paths; ``extend_queue(paths)`` adds what reports
add to the queue's operations (``engage.queue.openapi``): the ``reported`` filter, items'
``reports`` and ``report_count``, the action ``dismiss_reports`` and the decision's
``statement``. Kept here so that the queue's document does not need to know about reports.
"""

from __future__ import annotations

import copy

from engage.comments.schemas import EMAIL_MAX, MAX_ID
from engage.participation.report_actions import DISMISS
from engage.participation.report_models import MESSAGE_MAX, DecisionGround, ReportReason

_ID = {"name": "comment_id", "in": "path", "required": True,
       "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}
_REFERENCE = {"name": "reference", "in": "path", "required": True,
              "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,32}$"}}
_REPORT = {"type": "object", "required": ["reason"], "properties": {
    "reason": {"type": "string", "enum": [reason.value for reason in ReportReason]},
    "message": {"type": "string", "maxLength": MESSAGE_MAX,
                "description": "required for `illegal`: why the content is illegal"},
    "email": {"type": "string", "format": "email", "maxLength": EMAIL_MAX,
              "description": "`illegal` only: where the receipt goes; never shown"},
    "good_faith": {"type": "boolean", "description": "`illegal` needs `true`"},
    "site": {"type": "string"}}}
_REFERENCE_ANSWER = {"type": "object", "required": ["reference"],
                     "properties": {"reference": {"type": "string"}}}
_STATEMENT = {"type": "object", "required": ["ground", "text"], "properties": {
    "ground": {"type": "string", "enum": [ground.value for ground in DecisionGround]},
    "text": {"type": "string", "minLength": 1, "maxLength": MESSAGE_MAX}},
    "description": "statement of reasons for illegal-content notices (DSA art. 17)"}
_RECEIPT = {"type": "object", "properties": {
    "reference": {"type": "string"}, "reason": {"type": "string"},
    "comment_id": {"type": "integer", "nullable": True},
    "status": {"type": "string", "enum": ["open", "dismissed", "decided"]},
    "created_at": {"type": "string", "format": "date-time"},
    "decided_at": {"type": "string", "format": "date-time", "nullable": True},
    "outcome": {"type": "string", "enum": ["kept", "removed"], "nullable": True},
    "statement": {**_STATEMENT, "nullable": True}}}
QUEUE_PATHS = ("/api/v1/moderation/comments", "/api/v1/moderation/comments/{id}",
               "/api/v1/moderation/comments/bulk")
_ITEM_REPORTS = {
    "reports": {"type": "array", "items": {"type": "object", "properties": {
        "reason": {"type": "string"}, "message": {"type": "string", "nullable": True},
        "created_at": {"type": "string", "format": "date-time"}}}},
    "report_count": {"type": "integer"}}


def paths(error, json, site) -> dict:
    """The report paths, given ``engage.openapi``'s helpers and site parameter."""
    def answer(description):
        return {"description": description,
                "content": {"application/json": {"schema": _REFERENCE_ANSWER}}}

    return {
        "/api/v1/comments/{comment_id}/reports": {"post": {
            "summary": "Report a published comment (an `illegal` report is a DSA notice)",
            "parameters": [_ID, site],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": _REPORT}}},
            "responses": {"201": answer("the report's reference"),
                          "200": answer("a repeat: the first report's reference"),
                          "400": error("malformed JSON"), "413": error("body too large"),
                          "415": error("not JSON"),
                          "404": error("no published comment with this id on this site"),
                          "422": error("invalid fields"),
                          "429": error("too many reports from this network")}}},
        "/api/v1/reports/{reference}": {"get": {
            "summary": "A report's status, outcome and statement of reasons",
            "parameters": [_REFERENCE],
            "responses": {"200": {"description": "the receipt", "content": {
                "application/json": {"schema": _RECEIPT}}},
                "404": error("no report with this reference")}}},
        "/api/v1/moderation/reports/notices.csv": {"get": {
            "summary": "Admins: every illegal-content notice and its decision, as CSV",
            "security": [{"moderatorToken": []}],
            "responses": {"200": {"description": "CSV with a header row", "content": {
                "text/csv": {"schema": {"type": "string"}}}},
                "401": error("no or unknown token"), "403": error("not an admin")}}},
    }


def extend_queue(paths: dict) -> None:
    """Add the report fields to the queue's operations in ``paths`` (a merged dict: its
    queue entries are replaced by changed copies, ``engage.queue.openapi.PATHS`` stays)."""
    for path in QUEUE_PATHS:
        paths[path] = copy.deepcopy(paths[path])
    listing = paths["/api/v1/moderation/comments"]["get"]
    listing["parameters"] = [*listing["parameters"], {
        "name": "reported", "in": "query", "required": False,
        "schema": {"type": "string", "maxLength": 8},
        "description": "`1` or `true`: the Reported tab (comments with open reports); "
                       "anything else: the usual queue"}]
    for path, method in (("/api/v1/moderation/comments", "get"),
                         ("/api/v1/moderation/comments/{id}", "post"),
                         ("/api/v1/moderation/comments/bulk", "post")):
        answer = paths[path][method]["responses"]["200"]["content"]["application/json"]
        properties = answer["schema"]["properties"]
        for key in ("comment", "comments"):
            if key in properties:
                item = properties[key] if key == "comment" else properties[key]["items"]
                properties[key] = _with_reports(item) if key == "comment" else {
                    **properties[key], "items": _with_reports(item)}
    for path in ("/api/v1/moderation/comments/{id}", "/api/v1/moderation/comments/bulk"):
        operation = paths[path]["post"]
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        action = schema["properties"]["action"]
        schema["properties"] = {**schema["properties"], "statement": _STATEMENT,
                                "action": {**action, "enum": [*action["enum"], DISMISS]}}


def _with_reports(item: dict) -> dict:
    return {**item, "properties": {**item["properties"], **_ITEM_REPORTS}}
