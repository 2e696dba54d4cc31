"""Receiving the provider's webhooks, and registering our endpoint with it.

The URL names the connection by an unguessable token (its id and an HMAC of it under SECRET_KEY), so nothing in
the URL can be changed to reach another company. A delivery is accepted only when its signature is valid under
the secret of the webhook it comes from (order events and message events each have their own), fresh, and not
seen before; then it updates only that company's invoices: paid and sent from order events, delivered or refused
(with the reason) from message events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from haulbill.providers.billit import webhooks as billit_webhooks
from haulbill.providers.models import ProviderConnection
from haulbill.tenancy.models import Company

from .models import WebhookReceipt
from .status import apply_status

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: int
    message: str


def token_for(connection: ProviderConnection) -> str:
    mac = hmac.new(settings.SECRET_KEY.encode(), f"billit-webhook:{connection.pk}".encode(), hashlib.sha256)
    return f"{connection.pk}-{mac.hexdigest()[:24]}"


def connection_for_token(token: str) -> ProviderConnection | None:
    pk_text, _sep, _mac = token.partition("-")
    if not pk_text.isdigit():
        return None
    connection = ProviderConnection.objects.filter(pk=int(pk_text), is_active=True).select_related("company").first()
    if connection is None or not hmac.compare_digest(token_for(connection), token):
        return None
    return connection


def secret_for(connection: ProviderConnection, entity_type: str) -> str:
    """The secret of the webhook registered for this entity type; "" (refused) when none was registered."""
    if entity_type == billit_webhooks.MESSAGE:
        return connection.message_webhook_secret
    return connection.webhook_secret if entity_type == billit_webhooks.ORDER else ""


def receive(token: str, signature_header: str | None, body: bytes) -> Outcome:
    """Check and apply one delivery. Refusals say why in one word-ish sentence and never echo the secret."""
    connection = connection_for_token(token)
    if connection is None:
        return Outcome(404, "unknown webhook endpoint")
    entity_type = billit_webhooks.entity_type_of(body)
    if not entity_type:
        return Outcome(400, "not an Order or Message delivery")
    tolerance = int(getattr(settings, "BILLIT_WEBHOOK_TOLERANCE_SECONDS", 300))
    try:
        signature = billit_webhooks.verify(
            secret_for(connection, entity_type), signature_header, body, tolerance=tolerance
        )
    except billit_webhooks.WebhookRefused as exc:
        log.warning("webhook for connection %s refused: %s", connection.pk, exc.reason)
        return Outcome(401 if exc.reason in ("bad_signature", "no_secret") else 400, exc.message)
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(
                company=connection.company,
                connection=connection,
                digest=billit_webhooks.signature_digest(signature),
                received_at=timezone.now(),
            )
    except IntegrityError:
        return Outcome(409, "this delivery was already received")
    remote = billit_webhooks.parse_status(body)
    if remote is None:
        return Outcome(200, "ignored: not about an invoice")
    invoice = apply_status(connection.company, remote)
    if invoice is None:
        return Outcome(200, "ignored: no such invoice in this company")
    return Outcome(200, "updated")


def register(company: Company, public_base_url: str) -> str:
    """Register this company's endpoint with its provider for order events (payments, sending) and message events
    (delivery over Peppol: delivered, refused), keeping each webhook's signing secret encrypted. Returns the URL.
    """
    from haulbill.providers.registry import active_connection, provider_for

    connection = active_connection(company)
    provider = provider_for(company)
    if connection is None or provider is None or provider.key != "billit":
        raise ValueError("Webhooks need an active Billit connection: connect Billit first.")
    url = public_base_url.rstrip("/") + reverse("billit-webhook", args=[token_for(connection)])
    connection.set_webhook_secret(billit_webhooks.register(provider, url, billit_webhooks.ORDER))
    connection.set_message_webhook_secret(billit_webhooks.register(provider, url, billit_webhooks.MESSAGE))
    connection.save(update_fields=["webhook_secret_encrypted", "message_webhook_secret_encrypted"])
    return url


def prune_receipts() -> int:
    """Forget receipts older than twice the tolerance: their replay fails the timestamp check anyway."""
    tolerance = int(getattr(settings, "BILLIT_WEBHOOK_TOLERANCE_SECONDS", 300))
    horizon = timezone.now() - dt.timedelta(seconds=2 * tolerance)
    deleted, _detail = WebhookReceipt.objects.filter(received_at__lt=horizon).delete()
    return deleted
