"""Every operation of /api/openapi.json, fed examples generated from the schema itself (schemathesis): no
request gets a 5xx, and every response is one the schema documents (status code, content type, body)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from server_testing import three_story_index

from qa.server import create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
OPERATIONS = [
    ("GET", "/health"), ("GET", "/search"), ("POST", "/ask"), ("POST", "/articles"),
    ("GET", "/articles/{article_id}"), ("DELETE", "/articles/{article_id}"), ("GET", "/stats"), ("GET", "/quotes"),
]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, tiny_embedder):
    # An index of this module's own: the examples add and delete articles.
    with three_story_index(tmp_path_factory.mktemp("schema") / "index", tiny_embedder) as index:
        yield schemathesis.openapi.from_asgi("/api/openapi.json", create_app(index))


def test_the_operations_below_are_all_the_schema_has(api_schema):
    found = [(result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()]
    assert sorted(found) == sorted(OPERATIONS)


# Parametrized by hand rather than with schemathesis's pytest plugin: its fixture-loaded schemas
# (schemathesis.pytest.from_fixture) set a private pytest attribute that pytest 9 no longer has.
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_operation_answers_as_its_schema_says(api_schema, method, path):
    # A few examples an operation keep the module to seconds; the suite's Hypothesis profile
    # (tests/conftest.py) supplies the rest: no deadline, and in CI the same examples every run.
    @given(case=api_schema[path][method].as_strategy())
    @settings(max_examples=15)
    def answers_as_documented(case):
        case.call_and_validate(checks=CHECKS)

    answers_as_documented()
