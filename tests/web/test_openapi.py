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
    assert found == EXPECTED


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
