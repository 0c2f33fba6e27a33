"""The moderation API's OpenAPI fragment covers every moderation route and is valid OpenAPI."""

from __future__ import annotations

import re

from apispec import APISpec

from engage.queue.openapi import PATHS, SECURITY_SCHEMES, SUSPENSION_PATHS


def test_every_moderation_api_route_is_described(app):
    routes = {re.sub(r"<int:(\w+)>", r"{\1}", rule.rule).replace("{comment_id}", "{id}")
              for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/moderation/comments")}
    assert routes == set(PATHS)


def test_the_fragment_builds_a_document_with_auth_on_every_operation():
    spec = APISpec(title="t", version="1", openapi_version="3.0.3")
    spec.components.security_scheme("moderatorToken", SECURITY_SCHEMES["moderatorToken"])
    spec.components.schema("Error", {"type": "object"})
    spec.components.schema("PublicComment", {"type": "object"})
    for path, operations in {**PATHS, **SUSPENSION_PATHS}.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["security"] == [{"moderatorToken": []}], (method, path)
            assert {"401", "403"} <= set(operation["responses"]), (method, path)
            assert {"200", "201"} & set(operation["responses"]), (method, path)
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert names == set(re.findall(r"{(\w+)}", path)), (method, path)
