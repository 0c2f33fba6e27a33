"""Parts of a public read kept per process (issue 22) answer as they did when made anew."""

import pytest

from engage.comments.schemas import ThreadQuerySchema
from engage.errors import ApiError, ValidationFailed
from engage.web.json_body import ARGS_CACHED, load_args
from engage.web.request_info import public_base_url


def test_cached_query_strings_give_the_schemas_answer_and_a_copy(app):
    schema = ThreadQuerySchema()
    for query in ("article=/a&limit=5", "article=/a&limit=5", "article=/b&sort=best&cursor=3.7",
                  "article=/a&limit=6", "article=/a&limit=5"):
        with app.test_request_context("/api/v1/comments?" + query):
            fresh = load_args(schema)
            cached = load_args(schema, cached=True)
            assert cached == fresh
            cached["limit"] = "changed"  # the caller's copy: the next read is unaffected
            assert load_args(schema, cached=True) == fresh


def test_an_invalid_query_string_is_refused_every_time_and_never_kept(app):
    schema = ThreadQuerySchema()
    for _ in range(2):
        with app.test_request_context("/api/v1/comments?article=/a&limit=0"):
            with pytest.raises(ValidationFailed):
                load_args(schema, cached=True)


def test_the_kept_answers_are_bounded(app):
    schema = ThreadQuerySchema()
    for n in range(ARGS_CACHED + 50):
        with app.test_request_context(f"/api/v1/comments?article=/a{n}"):
            assert load_args(schema, cached=True)["article"] == f"/a{n}"
    from engage.web import json_body
    assert len(json_body._args_cache[id(schema)][1]) <= ARGS_CACHED


def test_the_base_url_follows_scheme_and_host_and_a_bad_host_is_refused_each_time(app):
    for base in ("http://one.example", "https://two.example:8443", "http://one.example"):
        with app.test_request_context("/", base_url=base):
            assert public_base_url() == base
    for _ in range(2):
        with app.test_request_context("/", headers={"Host": "bad host"}):
            with pytest.raises(ApiError):
                public_base_url()
