"""Property-based run of the API against its own OpenAPI document (in-process WSGI, no network).

Every operation gets up to 50 valid and 25 invalid generated requests (half on PostgreSQL),
sent with an editor's Bearer token; the responses must never be 5xx and must match the
documented status codes, content types and schemas; invalid input must be refused with a
documented 4xx.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.test_api import make_token  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]


# Input checking is the same code on every engine and gets the full count on SQLite; on
# PostgreSQL half as many still reach what only that engine refuses (NUL, integer range).
ON_POSTGRESQL = os.environ.get("CLAIMS_TEST_DATABASE_URL", "").startswith("postgresql")
MODES = {"positive": 25, "negative": 12} if ON_POSTGRESQL else {"positive": 50, "negative": 25}


def _operations(app: Any) -> list[Any]:
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in loaded.get_all_operations()]


def test_api_conforms_to_its_openapi_document(app: Any, seeded: dict[str, int]) -> None:
    # (schemathesis' own pytest loader needs pytest < 9; the same checks run here by hand.)
    token = make_token(app, "editor")
    headers = {"Authorization": f"Bearer {token}"}
    made = app.test_client().post("/api/v1/claims", headers=headers, json={
        "text": "قال بوتين إن 38 شخصاً قتلوا", "source_id": seeded["source"]})
    assert made.status_code == 201
    operations = _operations(app)
    assert len(operations) >= 20
    failures: list[str] = []
    calls: list[int] = []
    for operation in operations:
        for mode, examples in MODES.items():
            strategy = operation.as_strategy(generation_mode=GenerationMode(mode))

            @given(case=strategy)
            @settings(max_examples=examples, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case: Any) -> None:
                calls.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

            try:
                run()
            except Exception as exc:  # collect every failure, then report
                failures.append(f"{operation.method.upper()} {operation.path} [{mode}]: "
                                f"{str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
    assert len(calls) > 10 * len(operations)
    assert {200, 201, 404, 422} <= set(calls), sorted(set(calls))
    print(len(calls), {c: calls.count(c) for c in sorted(set(calls))})
