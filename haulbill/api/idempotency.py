"""Idempotency-Key on creating POSTs: a retried request gets the first answer instead of creating twice.

The first request with a key inserts a row (membership + key + hash of the request) before it runs; the unique
constraint makes a concurrent duplicate fail that insert and get 409 "in progress". When the first request
succeeds (2xx) its status and body are stored and replayed for 24 hours to the same key with the same request.
An error response frees the key, so a client can fix the cause and retry with it. The same key with a different
request is a client bug: 409 with a sentence saying so.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view

from haulbill.tenancy.models import Membership

from .errors import error_response
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255

# Added to each creating operation's OpenAPI entry so clients (and the fuzzer) see the header.
OPENAPI = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
            "description": "Any unique string (a UUID). A retry with the same key and body replays the first answer "
            "for 24 hours instead of creating again.",
        }
    ]
}


def request_hash(request: HttpRequest) -> str:
    """Hash of what the request asks for: method, path, query and body (JSON compared by meaning, not spacing)."""
    body = request.body
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode() + b"\0")
    digest.update(body)
    return digest.hexdigest()


def claim(membership: Membership, key: str, digest: str) -> IdempotencyRecord | HttpResponse:
    """Take the key for this request, or answer it: replay, 'in progress' or 'key reused'."""
    IdempotencyRecord.objects.filter(membership=membership, key=key, created_at__lt=timezone.now() - TTL).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(membership=membership, key=key, request_hash=digest)
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(membership=membership, key=key).first()
    if existing is not None and existing.request_hash != digest:
        return error_response(
            409,
            "idempotency_key_reused",
            _("This Idempotency-Key was already used with a different request. Use a new key for a new request."),
            [{"field": HEADER, "message": _("Already used with another body.")}],
        )
    if existing is None or existing.status_code is None:
        response = error_response(
            409,
            "idempotency_request_in_progress",
            _("A request with this Idempotency-Key is still running. Retry in a few seconds to get its answer."),
        )
        response["Retry-After"] = "2"
        return response
    replay = HttpResponse(existing.body, status=existing.status_code, content_type=existing.content_type)
    replay["Idempotent-Replayed"] = "true"
    return replay


def _store_outcome(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = run(request, *args, **kwargs)
        record: IdempotencyRecord | None = getattr(request, "_idempotency_record", None)
        if record is None:
            return response
        if 200 <= response.status_code < 300 and isinstance(response, HttpResponse):
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=response.status_code,
                content_type=response.get("Content-Type", "application/json"),
                body=response.content.decode(),
            )
        else:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return response

    return wrapper


def idempotent(func: Callable[..., Any]) -> Callable[..., Any]:
    """Honour Idempotency-Key on a creating endpoint (put it under the @router.post line)."""

    @wraps(func)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return func(request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            return error_response(
                422,
                "validation_error",
                _("The Idempotency-Key header must have 1 to %(max)d characters.") % {"max": MAX_KEY_LENGTH},
                [{"field": HEADER, "message": _("1 to %(max)d characters.") % {"max": MAX_KEY_LENGTH}}],
            )
        outcome = claim(request.auth, key, request_hash(request))  # type: ignore[attr-defined]
        if isinstance(outcome, HttpResponse):
            return outcome
        request._idempotency_record = outcome  # type: ignore[attr-defined]
        return func(request, *args, **kwargs)

    view._haulbill_idempotent = True  # type: ignore[attr-defined]
    return decorate_view(_store_outcome)(view)


def purge_expired() -> int:
    """Delete keys older than 24 hours; returns how many. Safe to run from a periodic task."""
    deleted, _detail = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - TTL).delete()
    return deleted
