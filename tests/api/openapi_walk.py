"""Walk the API's own OpenAPI document: every operation, with path parameters and a minimal valid body.

The cross-company and secrecy tests are generated from this walk, so a new endpoint is covered the moment it
is added; a path parameter nobody taught the tests about makes them fail with a message saying what to add.
"""

from __future__ import annotations

from typing import Any

from haulbill.api.api import api

PREFIX = "/api/v1/"


def document() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix=PREFIX)  # type: ignore[no-any-return]


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path template, operation) for every documented operation."""
    out = []
    for path, methods in document()["paths"].items():
        for method, operation in methods.items():
            out.append((method.upper(), path, operation))
    return out


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], components)
    return schema


def minimal(schema: dict[str, Any], components: dict[str, Any], overrides: dict[str, Any] | None = None) -> Any:
    """The smallest value the schema accepts: required properties only (plus any override that fits)."""
    schema = _resolve(schema, components)
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return minimal(options[0], components, overrides) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        body = {name: minimal(props[name], components) for name in schema.get("required", [])}
        for name, value in (overrides or {}).items():
            if name in props:
                body[name] = value
        return body
    if kind == "array":
        count = max(1, schema.get("minItems", 0))
        return [minimal(schema.get("items", {}), components, overrides) for _ in range(count)]
    if kind == "string":
        if schema.get("format") == "date":
            return "2026-11-04"
        if schema.get("pattern") == "^[A-Za-z]{2}$":
            return "BE"
        return "x" * max(1, schema.get("minLength", 1))
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return "1"
    if kind == "boolean":
        return False
    return None


def body_for(operation: dict[str, Any], overrides: dict[str, Any] | None = None) -> Any:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return None
    return minimal(content["schema"], document()["components"]["schemas"], overrides)


def path_params(path: str) -> list[str]:
    import re

    return re.findall(r"{(\w+)}", path)
