"""The NinjaAPI instance served at /api/v1: auth, rate limit, error shape and one router per resource."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI, Router

from . import docs, errors
from .auth import SessionMembershipAuth, TokenAuth
from .ratelimit import PerTokenThrottle

DESCRIPTION = """
Haulbill's API for TMS and ERP integration.

* **Authentication**: `Authorization: Bearer hb_...` with a token made under *Settings › API tokens*; the token
  acts as its user in its company, with that user's role. The web UI uses its session (unsafe methods need the
  `X-CSRFToken` header).
* **Errors** always have the shape `{"code", "message", "fields": [{"field", "message"}]}`.
* **Lists** take `limit` (at most 200) and `offset` and answer `{"count", "next", "previous", "items"}`.
* **Creating POSTs** honour an `Idempotency-Key` header for 24 hours.
* **Rate limit**: a fixed number of requests per minute per token; over it, 429 with `Retry-After`.
"""


# Every operation can answer these through the error handlers; the document says so, with the one error shape.
COMMON_ERRORS = {
    "400": "The body cannot be read (not JSON), or a business rule refused the request; `code` and `message` say "
    "which and how to fix it.",
    "401": "Not authenticated: no token, a wrong or revoked token.",
    "403": "The role does not allow it, or the CSRF check failed (session).",
    "404": "Not found, or it belongs to another company.",
    "422": "The request is not valid; `fields` names each wrong field.",
    "429": "Rate limit reached; see Retry-After.",
}


class HaulbillAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        return str(operation.view_func.__name__)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "ErrorOut" not in components:
            error_schema = errors.ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(error_schema.pop("$defs", {}))
            components["ErrorOut"] = error_schema
        error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for methods in schema["paths"].values():
            for operation in methods.values():
                responses = operation["responses"] = _merged_responses(operation.get("responses", {}))
                for status, description in COMMON_ERRORS.items():
                    if status == "401" and not operation.get("security"):
                        continue
                    responses.setdefault(status, {"description": description, "content": error_ref})
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_405(pattern.callback)
        return urls


def _merged_responses(responses: dict[Any, Any]) -> dict[str, Any]:
    """Ninja keys the responses it makes by int (404) and `openapi_extra` by string ("404"): as JSON they would be
    two "404" keys and a reader keeps only the last. Merge them into one per status, content included."""
    merged: dict[str, Any] = {}
    for status, entry in responses.items():
        current = merged.setdefault(str(status), {})
        content = {**current.get("content", {}), **entry.get("content", {})}
        current.update(entry)
        if content:
            current["content"] = content
    return merged


def _json_405(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Ninja's path view answers a wrong method with plain text; give it the API's error shape."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 405:
            return errors.as_json_error(response)  # type: ignore[arg-type]
        return response

    return wrapper


api = HaulbillAPI(
    title="Haulbill API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionMembershipAuth()],
    throttle=[PerTokenThrottle()],
    docs=docs.LocalSwagger(),
)
errors.install(api)


@api.get("/docs/assets/{name}", auth=None, throttle=[], include_in_schema=False, url_name="docs-asset")
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    return docs.asset(name)


def _add_routers() -> None:
    from . import customers, invoices, jobs, products, runs, settings, transports

    api.add_router("/customers", customers.router, tags=["customers"])
    api.add_router("/products", products.router, tags=["products"])
    api.add_router("/transports", transports.router, tags=["transports"])
    api.add_router("/jobs", jobs.router, tags=["jobs"])
    for module in (runs, invoices, settings):
        api.add_router(module.PREFIX, module.router, tags=module.TAGS)

    # Last: any other URL under /api/v1 gets the API's 404 shape instead of Django's HTML page.
    fallback = Router(auth=None, throttle=[])

    @fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False)
    def not_found(request: HttpRequest, rest: str) -> None:
        raise Http404(rest)

    api.add_router("", fallback)


_add_routers()
