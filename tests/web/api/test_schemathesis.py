"""Schemathesis over the whole API, in-process (WSGI), with every check, positive and negative.

Every operation of the OpenAPI document is exercised with generated requests (schema-valid
and schema-violating ones); a finding of any check (a 500, an undocumented status, a
schema-valid request rejected or a violating one accepted, a response that does not match its
schema...) fails the test, naming the operation and the request. The example budget keeps the
run within a few minutes; ``MATCHER_SCHEMATHESIS_EXAMPLES`` raises it for a deeper run.

(Hypothesis is driven directly: schemathesis' pytest loader does not run under pytest 9.)
"""

from __future__ import annotations

import hashlib
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

TOKEN = "schemathesis-test-token"
MAX_EXAMPLES = int(os.environ.get("MATCHER_SCHEMATHESIS_EXAMPLES", "15"))


def _check_operation(operation, mode: GenerationMode) -> None:
    strategy = operation.as_strategy(generation_mode=mode)

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=strategy)
    def run(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"})

    run()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_meets_its_openapi_document(web_app, mode):
    web_app.config["API_TOKEN_HASHES"] = hashlib.sha256(TOKEN.encode()).hexdigest()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", web_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    findings = []
    for operation in operations:
        try:
            _check_operation(operation, mode)
        except Unsatisfiable:
            continue  # nothing to violate (no parameters, no body): no negative case exists
        except Exception as exc:  # noqa: BLE001 - every finding is collected, then reported
            findings.append(f"{operation.label}: {exc}")
    assert not findings, "\n\n".join(findings)
