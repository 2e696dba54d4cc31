"""Billit's webhooks: registering our endpoint, checking `Billit-Signature`, and reading the payload.

Billit signs `f"{t}.{raw body}"` with HMAC-SHA256 under the webhook's secret and sends `t=<unix seconds>,s=<hex>`
(README §7). A delivery is accepted only with a valid signature, a timestamp within the tolerance, and a signature
not seen before (the caller keeps the digests: `signature_digest`), so a captured request cannot be replayed.
Order and Message webhooks are registered separately and each has its own secret: a delivery must verify under
the secret of the entity type it names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

from haulbill.providers.base import RemoteInvoiceStatus
from haulbill.providers.billit import wire
from haulbill.providers.billit.orders import DELIVERED_STATES, REFUSED_STATES, client_for, translated

SIGNATURE_HEADER = "Billit-Signature"
ORDER, MESSAGE = "Order", "Message"  # the webhook entity types we register, each with its own secret
ENTITY_TYPES = (ORDER, MESSAGE)


class WebhookRefused(Exception):
    """Why a delivery was refused; `reason` is a stable word (missing, malformed, stale, bad_signature)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Signature:
    timestamp: int
    value: str


def parse_signature(header: str | None) -> Signature:
    if not header:
        raise WebhookRefused("missing", "The Billit-Signature header is missing.")
    parts: dict[str, str] = {}
    for item in header.split(","):
        name, _sep, value = item.strip().partition("=")
        parts[name.strip()] = value.strip()
    stamp, value = parts.get("t", ""), parts.get("s", "")
    if not stamp.isdigit() or not value:
        raise WebhookRefused("malformed", "The Billit-Signature header must read t=<unix seconds>,s=<hex>.")
    return Signature(int(stamp), value.lower())


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value Billit would send for `body` at `timestamp` (used by tests and the demo)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},s={digest}"


def verify(secret: str, header: str | None, body: bytes, *, tolerance: int, now: float | None = None) -> Signature:
    """The checked signature, or WebhookRefused. Constant-time comparison; the secret never leaves this call."""
    if not secret:
        raise WebhookRefused("no_secret", "No webhook is registered for this connection.")
    signature = parse_signature(header)
    moment = time.time() if now is None else now
    if abs(moment - signature.timestamp) > tolerance:
        raise WebhookRefused("stale", "The Billit-Signature timestamp is outside the tolerance window.")
    expected = hmac.new(secret.encode(), f"{signature.timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature.value):
        raise WebhookRefused("bad_signature", "The Billit-Signature does not match the body.")
    return signature


def signature_digest(signature: Signature) -> str:
    """What is remembered of an accepted delivery to refuse its replay (not the signature itself)."""
    return hashlib.sha256(f"{signature.timestamp}.{signature.value}".encode()).hexdigest()


def parse_status(body: bytes) -> RemoteInvoiceStatus | None:
    """The invoice status a delivery tells, or None when it is not about an order (or cannot be read).

    Order events carry the order's fields (IsSent, Paid, PaidDate, OrderStatus…); Message events carry the Peppol
    flow state (Sent, Accepted, Delivered, Refused) under MessageAdditionalInformation.
    """
    try:
        payload = wire.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict):
        return None
    entity_type = str(payload.get("UpdatedEntityType") or payload.get("EntityType") or "")
    detail: Any = payload.get("EntityDetail") or {}
    if not isinstance(detail, dict):
        detail = {}
    order_id = detail.get("OrderID") or payload.get("OrderID")
    if entity_type == "Order":
        order_id = payload.get("UpdatedEntityID") or order_id
    if not isinstance(order_id, (int, str)) or not str(order_id).isdigit():
        return None
    if entity_type == "Message":
        info = detail.get("MessageAdditionalInformation") or {}
        state = str(info.get("EInvoiceFlowState") or "") if isinstance(info, dict) else ""
        refused = state in REFUSED_STATES
        return RemoteInvoiceStatus(
            remote_id=str(order_id),
            number="",
            sent=bool(detail.get("Success")) or state in {"Sent", *DELIVERED_STATES},
            delivered=state in DELIVERED_STATES,
            refused=refused,
            refused_reason=str(info.get("AdditionalFlowStateInformation") or "") if refused else "",
        )
    if entity_type != "Order":
        return None
    status = str(detail.get("OrderStatus") or "")
    paid = detail.get("Paid") is True or status == "Paid"
    paid_at = None
    if paid and isinstance(detail.get("PaidDate"), str):
        try:
            paid_at = dt.date.fromisoformat(detail["PaidDate"][:10])
        except ValueError:
            paid_at = None
    return RemoteInvoiceStatus(
        remote_id=str(order_id),
        number=str(detail.get("OrderNumber") or ""),
        sent=detail.get("IsSent") is True or status in {"Sent", "Delivered"},
        delivered=status == "Delivered",
        refused=status in REFUSED_STATES,
        paid=paid,
        paid_at=paid_at,
    )


def entity_type_of(body: bytes) -> str:
    """The UpdatedEntityType a delivery names ("Order", "Message"), "" when unreadable. It is read before the
    signature is checked only to choose the secret that must verify it: each webhook is signed with its own."""
    try:
        payload = wire.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    if not isinstance(payload, dict):
        return ""
    entity_type = payload.get("UpdatedEntityType") or payload.get("EntityType") or ""
    return entity_type if entity_type in ENTITY_TYPES else ""


def register(provider: Any, url: str, entity_type: str = ORDER) -> str:
    """Register `url` for Billit's events of `entity_type` (Order: payments and sending; Message: delivery over
    Peppol); returns the signing secret (store it encrypted, show it never).

    An earlier webhook of the same type to the same URL is removed first, so registering again replaces it
    instead of leaving Billit to call us twice, once with a secret we no longer have.
    """
    if entity_type not in ENTITY_TYPES:
        raise ValueError(f"entity_type must be one of {', '.join(ENTITY_TYPES)}")
    client = client_for(provider)
    with translated():
        for old in client.list_webhooks():
            if old.entity_type == entity_type and old.webhook_url == url and old.webhook_id is not None:
                client.delete_webhook(old.webhook_id)
        webhook = client.create_webhook(entity_type, url)  # type: ignore[arg-type]
    if webhook.secret is None:
        raise WebhookRefused("no_secret", "Billit registered the webhook without giving its secret.")
    return webhook.secret.get_secret_value()
