"""The audit log: `record(company, user, action, target, **details)` writes one AuditEntry.

Services call it where a company's invoicing changes hands or state (extension enabled, provider connected or
its key changed, customers linked, runs started, credit notes issued). Details are for people reading the log:
identifiers and counts. Any key that looks like a secret is replaced before storing, so a careless caller
cannot leak an API key into the log.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.db import models
from django.db.models import QuerySet

from haulbill.tenancy.models import Company

from .models import AuditEntry

SECRET_WORDS = ("key", "secret", "password", "token", "authorization", "credential")
REDACTED = "[redacted]"

# Stable action codes, so the page, filters and the lead's wiring agree on spelling.
EXTENSION_ENABLED = "extension.enabled"
EXTENSION_DISABLED = "extension.disabled"
PROVIDER_CONNECTED = "provider.connected"
PROVIDER_KEY_CHANGED = "provider.key_changed"
PROVIDER_DISCONNECTED = "provider.disconnected"
PROVIDER_CHOSEN = "provider.chosen"
CUSTOMER_CREATED = "customer.created"
CUSTOMER_UPDATED = "customer.updated"
CUSTOMER_LINKED = "customer.linked"
CUSTOMER_UNLINKED = "customer.unlinked"
CUSTOMERS_AUTO_LINKED = "customers.auto_linked"
CATALOG_SYNC_STARTED = "catalog.sync_started"
TRANSPORT_CREATED = "transport.created"
TRANSPORT_UPDATED = "transport.updated"
TRANSPORTS_BULK_CREATED = "transports.bulk_created"
RUN_STARTED = "invoicing_run.started"
INVOICE_PUSH_RETRIED = "invoice.push_retried"
INVOICE_SENT = "invoice.sent"
CREDIT_NOTE_ISSUED = "credit_note.issued"
API_TOKEN_CREATED = "api_token.created"
API_TOKEN_REVOKED = "api_token.revoked"


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    # "last4"/"prefix" hints are safe on their own; everything else that names a key or secret is not.
    return any(word in lowered for word in SECRET_WORDS) and not lowered.endswith(("_last4", "_prefix"))


def _clean(value: Any) -> Any:
    """JSON-safe copy of `value` with secret-named keys redacted at every depth."""
    if isinstance(value, dict):
        return {str(k): (REDACTED if _is_secret(str(k)) else _clean(v)) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_clean(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def record(company: Company, user: Any, action: str, target: Any = None, **details: Any) -> AuditEntry:
    """Write one audit entry. `target` is a model instance (type and id are taken from it) or None."""
    target_type = target_id = ""
    if target is not None:
        target_type = (
            cast(str, target._meta.model_name)  # always set on a concrete model
            if isinstance(target, models.Model)
            else type(target).__name__.lower()
        )
        target_id = str(getattr(target, "pk", "") or "")
    actor = user if getattr(user, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        company=company,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=_clean(details),
    )


def entries(company: Company, *, action: str = "") -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.for_company(company).select_related("actor")
    if action:
        qs = qs.filter(action__startswith=action)
    return qs
