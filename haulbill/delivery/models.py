"""What delivery remembers beside the invoices: webhook deliveries already accepted, and the polling cursor."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from haulbill.tenancy.scoping import CompanyOwned


class WebhookReceipt(CompanyOwned):
    """One accepted webhook delivery, by the digest of its signature: the same signed body is accepted once.

    Rows older than the signature tolerance can go (a replay that old fails the timestamp check anyway).
    """

    connection = models.ForeignKey("providers.ProviderConnection", on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("webhook receipt")
        constraints = [models.UniqueConstraint(fields=["connection", "digest"], name="webhook_accepted_once")]

    def __str__(self) -> str:
        return f"webhook {self.digest[:8]} at {self.received_at}"


class StatusCursor(CompanyOwned):
    """How far status polling has read a provider: its own LastModified text, as the provider wrote it."""

    provider = models.CharField(max_length=20)
    last_modified = models.CharField(max_length=40, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("status cursor")
        constraints = [models.UniqueConstraint(fields=["company", "provider"], name="one_status_cursor")]

    def __str__(self) -> str:
        return f"{self.provider} statuses read up to {self.last_modified or '-'}"
