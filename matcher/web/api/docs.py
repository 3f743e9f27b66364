"""Turn the OpenAPI document into plain rows for the self-hosted API reference page.

Swagger UI and ReDoc load from CDNs, which our Content Security Policy forbids; the reference
page is a server-rendered template instead, and this module flattens the document for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HTTP_METHODS = ("get", "put", "post", "patch", "delete")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: str = ""


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    summary: str
    description: str
    needs_token: bool
    parameters: list[Field] = field(default_factory=list)
    body: str | None = None
    responses: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Schema:
    name: str
    description: str
    fields: list[Field]


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_label(schema: dict) -> str:
    """A short human description of a JSON Schema: ``list of CitySummary``, ``integer or null``.

    >>> type_label({"type": "array", "items": {"$ref": "#/components/schemas/Theme"}})
    'list of Theme'
    """
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    if "anyOf" in schema:
        return " or ".join(type_label(option) for option in schema["anyOf"])
    if "const" in schema:
        return repr(schema["const"])
    if "enum" in schema:
        return " | ".join(repr(value) for value in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {type_label(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map of string to {type_label(schema['additionalProperties'])}"
    if kind in ("number", "integer") and ("minimum" in schema or "maximum" in schema):
        return f"{kind} {schema.get('minimum', '')}..{schema.get('maximum', '')}"
    return str(kind)


def _body_schema(operation: dict) -> str | None:
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        return type_label(media.get("schema", {}))
    return None


def _responses(operation: dict) -> list[tuple[str, str, str]]:
    rows = []
    for status, response in sorted(operation.get("responses", {}).items()):
        content = response.get("content", {})
        media_type, media = next(iter(content.items()), ("", {}))
        label = type_label(media.get("schema", {})) if media else ""
        rows.append((status, response.get("description", ""), f"{label} ({media_type})"))
    return rows


def operations(document: dict) -> list[Operation]:
    """Every operation in path order, with its parameters, body and responses."""
    global_security = document.get("security") or []
    out = []
    for path, item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [
                Field(
                    name=f"{p['name']} ({p['in']})",
                    type=type_label(p.get("schema", {})),
                    required=bool(p.get("required")),
                    description=p.get("description", ""),
                )
                for p in operation.get("parameters", [])
            ]
            out.append(
                Operation(
                    operation_id=operation.get("operationId", f"{method}-{path}"),
                    method=method.upper(),
                    path=path,
                    summary=operation.get("summary", ""),
                    description=operation.get("description", ""),
                    needs_token=bool(operation.get("security", global_security)),
                    parameters=parameters,
                    body=_body_schema(operation),
                    responses=_responses(operation),
                )
            )
    return out


def schemas(document: dict) -> list[Schema]:
    """Every component schema by name, with its fields."""
    out = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        fields = [
            Field(prop, type_label(spec), prop in required, spec.get("description", ""))
            for prop, spec in schema.get("properties", {}).items()
        ]
        out.append(Schema(name, schema.get("description", ""), fields))
    return out
