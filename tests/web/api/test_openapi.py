"""The OpenAPI document is valid, complete, and browsable on a self-hosted page."""

from __future__ import annotations

import pytest

EXPECTED = {
    ("get", "/api/v1/cities/search"),
    ("get", "/api/v1/cities"),
    ("get", "/api/v1/cities/{slug}"),
    ("put", "/api/v1/cities/{slug}/profile"),
    ("get", "/api/v1/themes"),
    ("get", "/api/v1/health"),
    ("get", "/api/v1/cities/{slug}/partners"),
    ("get", "/api/v1/cities/{slug}/calls"),
    ("get", "/api/v1/calls"),
    ("get", "/api/v1/calls/{call_id}"),
    ("get", "/api/v1/calls/{call_id}/eligibility"),
    ("get", "/api/v1/calls/{call_id}/consortium"),
}


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_document_is_valid_openapi_3_1(document):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document)
    assert document["openapi"].startswith("3.1")


def test_document_describes_every_endpoint(document):
    found = {(method, path) for path, ops in document["paths"].items() for method in ops}
    assert found >= EXPECTED  # other modules (events) add their own


def test_writes_declare_bearer_security(document):
    operation = document["paths"]["/api/v1/cities/{slug}/profile"]["put"]
    assert operation["security"] == [{"bearerToken": []}]
    scheme = document["components"]["securitySchemes"]["bearerToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


def test_error_responses_are_problem_documents(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (
                        method,
                        path,
                        status,
                    )


def test_docs_page_lists_every_operation_and_loads_no_cdn(client, document):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    for path, operations in document["paths"].items():
        for method in operations:
            assert f"{method.upper()} {path}" in page
    assert "unpkg" not in page and "cdn" not in page.lower()


@pytest.mark.parametrize(
    ("path", "schema"),
    [("/api/v1/cities/{slug}/partners", "PartnerResults"),
     ("/api/v1/cities/{slug}/calls", "CityCalls"),
     ("/api/v1/calls", "CallPage"),
     ("/api/v1/calls/{call_id}", "CallDetailOut"),
     ("/api/v1/calls/{call_id}/eligibility", "EligibilityOut"),
     ("/api/v1/calls/{call_id}/consortium", "ConsortiumOut")],
)  # fmt: skip
def test_partner_and_call_reads_document_their_bodies_and_problems(document, path, schema):
    operation = document["paths"][path]["get"]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith(f"/{schema}")
    assert "400" in operation["responses"]
    if "{" in path:
        assert "404" in operation["responses"]
    assert schema in document["components"]["schemas"]


def test_list_parameters_are_documented_as_arrays(document):
    operation = document["paths"]["/api/v1/cities/{slug}/partners"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert {"theme", "countries", "exclude_countries", "country_sets", "size_bands",
            "max_distance_km", "geography", "top"} <= set(parameters)  # fmt: skip
    assert parameters["country_sets"]["schema"]["type"] == "array"
    assert "EU27" in parameters["country_sets"]["schema"]["items"]["enum"]
