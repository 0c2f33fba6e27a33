"""Fuzz the public API from its own OpenAPI document: no 5xx, no response that breaks it."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

# Invalid data may also be refused for its size before its fields are read: a body over
# MAX_BODY_BYTES is a 413, as the document says. schemathesis's default list of rejections
# lacks 413; a generated over-long comment edit met it in CI (2026-12-04).
CONFIG = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {
    "expected-statuses": ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422",
                          "428", "429", "5xx"]}}})


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
# In CI the examples are fixed (derandomize) so a green run is reproducible; elsewhere every
# run explores new ones.
@settings(max_examples=60, deadline=None, derandomize=os.environ.get("CI") == "true",
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_public_api_honours_its_openapi_document(case):
    # Every other check stays on (no 5xx, status codes, content types and bodies as
    # documented, invalid data rejected). "Schema-valid data is accepted" cannot hold for a
    # comments API: a well-formed parent_id may name no comment, which is a documented 422.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def test_the_document_describes_the_public_contract(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    for path in ("/api/v1/comments", "/api/v1/counts"):
        assert path in document["paths"]
    comment = document["components"]["schemas"]["PublicComment"]["properties"]
    assert "author_email" not in comment
