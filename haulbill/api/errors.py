"""One error shape for every API error: {"code", "message", "fields": [{"field", "message"}]}.

Every exception an endpoint can raise ends here: business errors (HaulbillError), Django and pydantic
validation, 404, authentication, CSRF, rate limits, provider failures and, last, anything unexpected: that one
is logged with its traceback and answered with a generic sentence, so no traceback or secret reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from haulbill.core.errors import HaulbillError
from haulbill.providers.base import ProviderAuthError, ProviderError, ProviderRejected, ProviderUnavailable

if TYPE_CHECKING:
    from ninja import NinjaAPI

log = logging.getLogger(__name__)

# Names Ninja gives the body parameter; dropped from field paths so a client sees "vat_number", not
# "body.payload.vat_number".
BODY_PARAM_NAMES = {"payload", "filters", "pagination", "ninja_pagination"}


class FieldErrorOut(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    code: str
    message: str
    fields: list[FieldErrorOut] = []


def error_body(code: str, message: str, fields: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": str(message), "fields": fields or []}


def error_response(status: int, code: str, message: str, fields: list[dict[str, str]] | None = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, fields), status=status)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    if parts and parts[0] in BODY_PARAM_NAMES:
        parts = parts[1:]
    return ".".join(parts) or "body"


# pydantic's own sentences are English only: the usual ones get ours, translated; the rare rest stay pydantic's.
PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("Unknown field: check its spelling against the API documentation."),
    "string_type": gettext_lazy("Give a text."),
    "string_too_short": gettext_lazy("Give at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Give at most %(max_length)s characters."),
    "string_pattern_mismatch": gettext_lazy("This value does not have the expected form (%(pattern)s)."),
    "int_type": gettext_lazy("Give a whole number."),
    "int_parsing": gettext_lazy("Give a whole number."),
    "int_from_float": gettext_lazy("Give a whole number."),
    "decimal_type": gettext_lazy("Give a number."),
    "decimal_parsing": gettext_lazy("Give a number."),
    "decimal_max_digits": gettext_lazy("Give at most %(max_digits)s digits."),
    "decimal_max_places": gettext_lazy("Give at most %(decimal_places)s decimals."),
    "decimal_whole_digits": gettext_lazy("Give at most %(whole_digits)s digits before the decimal point."),
    "bool_type": gettext_lazy("Give true or false."),
    "bool_parsing": gettext_lazy("Give true or false."),
    "greater_than": gettext_lazy("Give a value greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Give a value of at least %(ge)s."),
    "less_than": gettext_lazy("Give a value less than %(lt)s."),
    "less_than_equal": gettext_lazy("Give a value of at most %(le)s."),
    "literal_error": gettext_lazy("Give one of: %(expected)s."),
    "date_type": gettext_lazy("Give a date as YYYY-MM-DD."),
    "date_parsing": gettext_lazy("Give a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": gettext_lazy("Give a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": gettext_lazy("Give a date as YYYY-MM-DD."),
    "list_type": gettext_lazy("Give a list."),
    "too_short": gettext_lazy("Give at least %(min_length)s items."),
    "too_long": gettext_lazy("Give at most %(max_length)s items."),
    "model_type": gettext_lazy("Give an object."),
    "model_attributes_type": gettext_lazy("Give an object."),
    "dict_type": gettext_lazy("Give an object."),
    "json_invalid": gettext_lazy("The body is not valid JSON."),
}


def _pydantic_message(error: dict[str, Any]) -> str:
    ours = PYDANTIC_MESSAGES.get(str(error.get("type", "")))
    if ours is not None:
        context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
        try:
            return str(ours) % context if "%(" in str(ours) else str(ours)
        except (KeyError, ValueError, TypeError):
            pass
    message = str(error.get("msg", ""))
    # pydantic prefixes errors raised by our own validators; the sentence after it is ours, already translated.
    return message.removeprefix("Value error, ")


def on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields = [{"field": _field_path(e.get("loc", ())), "message": _pydantic_message(e)} for e in exc.errors]
    return error_response(422, "validation_error", _("The request is not valid: see the fields."), fields)


def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields: list[dict[str, str]] = []
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                fields.append({"field": "" if name == "__all__" else name, "message": message})
    else:
        fields = [{"field": "", "message": m} for m in exc.messages]
    message = fields[0]["message"] if len(fields) == 1 else _("The request is not valid: see the fields.")
    return error_response(422, "validation_error", message, fields)


def on_haulbill_error(request: HttpRequest, exc: HaulbillError) -> HttpResponse:
    fields = [{"field": exc.field, "message": exc.message}] if exc.field else []
    extra = getattr(exc, "fields", None)  # services may attach several field errors (e.g. a bulk import)
    if isinstance(extra, list):
        fields = [{"field": str(f.get("field", "")), "message": str(f.get("message", ""))} for f in extra]
    return error_response(exc.status, exc.code, exc.message, fields)


def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, "not_found", _("Not found: this object does not exist or belongs to another company."))


def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    message = str(exc) or _("Your role does not allow this.")
    return error_response(403, "forbidden", message)


def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        401,
        "not_authenticated",
        _(
            "Authentication required: send 'Authorization: Bearer <token>' with a token made under Settings › API tokens."
        ),
    )
    response["WWW-Authenticate"] = 'Bearer realm="haulbill"'
    return response


HTTP_CODES = {
    400: (
        "bad_request",
        gettext_lazy("The request cannot be read: send a JSON body with Content-Type: application/json."),
    ),
    403: ("forbidden", gettext_lazy("You are not allowed to do this.")),
    405: ("method_not_allowed", gettext_lazy("This method is not allowed on this URL.")),
    429: ("rate_limited", gettext_lazy("Too many requests: wait for the number of seconds in Retry-After.")),
}


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    if status == 403 and "CSRF" in exc.message:
        return error_response(
            403, "csrf_failed", _("CSRF check failed: a signed-in browser must send the X-CSRFToken header.")
        )
    if status in HTTP_CODES:
        code, message = HTTP_CODES[status]
        return error_response(status, code, str(message))
    return error_response(
        status, "http_error", _("The request could not be handled (HTTP status %(status)s).") % {"status": status}
    )


def on_provider_error(request: HttpRequest, exc: ProviderError) -> HttpResponse:
    status = 502
    if isinstance(exc, ProviderAuthError | ProviderRejected):
        status = 422
    elif isinstance(exc, ProviderUnavailable):
        status = 503
    return error_response(status, exc.code, exc.message)


def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API %s %s failed", request.method, request.path)
    return error_response(
        500, "server_error", _("Something went wrong on our side. It has been logged; try again or contact support.")
    )


_E = TypeVar("_E", bound=Exception)


def _add(api: NinjaAPI, exc_class: type[_E], handler: Callable[[HttpRequest, _E], HttpResponse]) -> None:
    # Ninja types a handler as taking `exc | type[exc]`, but it always passes the raised instance.
    api.add_exception_handler(exc_class, cast("Callable[[HttpRequest, Any], HttpResponse]", handler))


def install(api: NinjaAPI) -> None:
    _add(api, Exception, on_unexpected)
    _add(api, NinjaValidationError, on_ninja_validation)
    _add(api, DjangoValidationError, on_django_validation)
    _add(api, HaulbillError, on_haulbill_error)
    _add(api, Http404, on_not_found)
    _add(api, ObjectDoesNotExist, on_not_found)
    _add(api, PermissionDenied, on_permission_denied)
    _add(api, AuthenticationError, on_authentication)
    _add(api, HttpError, on_http_error)
    _add(api, ProviderError, on_provider_error)


def as_json_error(response: HttpResponse) -> HttpResponse:
    """Give a plain Django response produced outside Ninja's handlers (405 from the path view) the error shape."""
    if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
        code, message = HTTP_CODES[405]
        replaced = error_response(405, code, str(message))
        if response.has_header("Allow"):
            replaced["Allow"] = response["Allow"]
        return replaced
    return response
