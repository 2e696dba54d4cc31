"""A small checker of JSON values against Billit's own Swagger 2.0 definitions.

Both sides are held to Billit's contract, not only to each other: every field name must exist (exact spelling) in
the definition and every value must have the declared JSON type and format. `null` is accepted anywhere because
Billit sends nulls freely and Swagger 2.0 cannot say so.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
HOW_TO_GET_IT = (
    "Billit's swagger is not available: put it at <repo>/../shared/billit/openapi-source.json or set "
    "HAULBILL_SHARED_DIR to a folder holding billit/openapi-source.json (copy of https://api.billit.be/swagger/docs/v1)."
)
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Billit's 400 body and ASP.NET's 401/404/405 body: documented on Billit's pages, absent from the swagger.
ERROR_BODY = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"Code": {"type": "string"}, "Description": {"type": "string"}},
            },
        },
        "Message": {"type": "string"},
    },
}
# PATCH bodies are a bare `object` in the swagger; their fields are the resource's own.
PATCH_RESOURCE = {"/v1/orders/{orderID}": "Order", "/v1/parties/{partyID}": "Party"}


def swagger_path() -> Path | None:
    candidates = [REPO.parent / "shared" / "billit" / "openapi-source.json"]
    if os.environ.get("HAULBILL_SHARED_DIR"):
        candidates.insert(0, Path(os.environ["HAULBILL_SHARED_DIR"]) / "billit" / "openapi-source.json")
    return next((path for path in candidates if path.is_file()), None)


class Contract:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.definitions: dict[str, Any] = document["definitions"]
        self._paths = [
            (template, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$", re.IGNORECASE), spec)
            for template, spec in document["paths"].items()
        ]

    @classmethod
    def load(cls, path: Path) -> Contract:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def definition(self, name: str) -> dict[str, Any]:
        return {"$ref": f"#/definitions/{name}"}

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        # A literal path ("/v1/orders/deleted") wins over a template ("/v1/orders/{orderID}").
        matches = [(t, s) for t, rx, s in self._paths if rx.match(path) and method.lower() in s]
        matches.sort(key=lambda ts: ts[0].count("{"))
        return (matches[0][0], matches[0][1][method.lower()]) if matches else None

    def request_schema(self, method: str, path: str) -> dict[str, Any] | None:
        found = self.operation(method, path)
        if not found:
            return None
        template, operation = found
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "body":
                schema = parameter["schema"]
                if schema == {"type": "object"} and template in PATCH_RESOURCE:
                    return self.definition(PATCH_RESOURCE[template])
                return schema
        return None

    def response_schema(self, method: str, path: str, status: int) -> dict[str, Any] | None:
        if status >= 400:
            return ERROR_BODY
        found = self.operation(method, path)
        if not found:
            return None
        return found[1].get("responses", {}).get(str(status), {}).get("schema")

    def check(self, value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
        if value is None:
            return []
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            return self.check(value, self.definitions[name], f"{where}<{name}>")
        kind = schema.get("type")
        problems: list[str] = []
        if "enum" in schema and value not in schema["enum"]:
            problems.append(f"{where}: {value!r} is not one of the allowed values")
        if kind == "object" or (kind is None and "properties" in schema):
            if not isinstance(value, dict):
                return [f"{where}: expected an object, got {type(value).__name__}"]
            properties = schema.get("properties")
            extra = schema.get("additionalProperties")
            for key, item in value.items():
                if properties is not None and key in properties:
                    problems += self.check(item, properties[key], f"{where}.{key}")
                elif isinstance(extra, dict):
                    problems += self.check(item, extra, f"{where}.{key}")
                elif properties is not None:
                    problems.append(f"{where}: field {key!r} does not exist in the definition")
            return problems
        if kind == "array":
            if not isinstance(value, list):
                return [f"{where}: expected an array, got {type(value).__name__}"]
            for index, item in enumerate(value):
                problems += self.check(item, schema.get("items", {}), f"{where}[{index}]")
            return problems
        if kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                return [f"{where}: expected an integer, got {value!r}"]
            if schema.get("format") == "int32" and not -(2**31) <= value < 2**31:
                problems.append(f"{where}: {value} does not fit in int32")
            return problems
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
                return [f"{where}: expected a number, got {value!r}"]
            return problems
        if kind == "boolean":
            return problems if isinstance(value, bool) else [f"{where}: expected a boolean, got {value!r}"]
        if kind == "string":
            if not isinstance(value, str):
                return [f"{where}: expected a string, got {value!r}"]
            fmt = schema.get("format")
            if fmt == "date-time" and not _DATE_TIME.match(value):
                problems.append(f"{where}: {value!r} is not a date-time")
            if fmt == "uuid" and not _UUID.match(value):
                problems.append(f"{where}: {value!r} is not a uuid")
            if fmt == "byte":
                try:
                    base64.b64decode(value, validate=True)
                except (binascii.Error, ValueError):
                    problems.append(f"{where}: not base64")
            return problems
        return problems

    def check_exchange(self, entry: dict[str, Any]) -> list[str]:
        """Check one journal entry of the sandbox: the request body sent and the answer given."""
        method, path, status = entry["method"], entry["path"], entry["status"]
        label = f"{method} {path}"
        if self.operation(method, path) is None:
            return [f"{label}: no such operation in Billit's swagger"]
        problems: list[str] = []
        if entry.get("request_body") is not None:
            schema = self.request_schema(method, path)
            if schema is None:
                problems.append(f"{label}: a body was sent but the operation takes none")
            else:
                problems += self.check(entry["request_body"], schema, f"{label} request")
        if status is not None and entry.get("response_body") is not None:
            schema = self.response_schema(method, path, status)
            if schema is None:
                problems.append(f"{label}: answered a body where the swagger declares none")
            else:
                problems += self.check(entry["response_body"], schema, f"{label} {status} answer")
        return problems
