"""A company's connection to its invoicing provider. The API key is stored encrypted, never shown again."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haulbill.core import crypto
from haulbill.tenancy.scoping import CompanyOwned


class Environment(models.TextChoices):
    PRODUCTION = "production", _("Billit production (api.billit.be)")
    SANDBOX = "sandbox", _("Billit sandbox (api.sandbox.billit.be)")
    CUSTOM = "custom", _("Custom base URL (e.g. the local sandbox)")


ENVIRONMENT_URLS = {
    Environment.PRODUCTION: "https://api.billit.be",
    Environment.SANDBOX: "https://api.sandbox.billit.be",
}


class ProviderConnection(CompanyOwned):
    """One row per connection; disconnecting keeps the row (history), only one is active per company."""

    provider = models.CharField(_("provider"), max_length=20)
    environment = models.CharField(_("environment"), max_length=12, choices=Environment.choices, blank=True)
    base_url = models.URLField(_("base URL"), blank=True)
    api_key_encrypted = models.TextField(blank=True, editable=False)
    api_key_last4 = models.CharField(max_length=4, blank=True, editable=False)
    party_id = models.CharField(_("company ID in the provider (PartyID)"), max_length=20, blank=True)
    party_name = models.CharField(_("company name in the provider"), max_length=200, blank=True)
    next_invoice_number = models.CharField(_("provider's next invoice number"), max_length=40, blank=True)
    next_credit_note_number = models.CharField(_("provider's next credit note number"), max_length=40, blank=True)
    webhook_secret_encrypted = models.TextField(blank=True, editable=False)  # order events
    message_webhook_secret_encrypted = models.TextField(blank=True, editable=False)  # delivery (message) events
    is_active = models.BooleanField(default=True)
    key_invalid_since = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    connected_at = models.DateTimeField(auto_now_add=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("provider connection")
        constraints = [
            models.UniqueConstraint(fields=["company"], condition=Q(is_active=True), name="one_active_connection"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} ({self.masked_key})"

    def __repr__(self) -> str:
        return f"<ProviderConnection {self.pk} {self.provider} company={self.company_id} key={self.masked_key}>"

    def set_api_key(self, key: str) -> None:
        self.api_key_encrypted = crypto.encrypt(key)
        self.api_key_last4 = key[-4:] if len(key) > 8 else ""

    @property
    def api_key(self) -> str:
        return crypto.decrypt(self.api_key_encrypted) if self.api_key_encrypted else ""

    @property
    def masked_key(self) -> str:
        if not self.api_key_encrypted:
            return ""
        return "••••••••" + self.api_key_last4 if self.api_key_last4 else "••••"

    def set_webhook_secret(self, secret: str) -> None:
        self.webhook_secret_encrypted = crypto.encrypt(secret)

    @property
    def webhook_secret(self) -> str:
        return crypto.decrypt(self.webhook_secret_encrypted) if self.webhook_secret_encrypted else ""

    def set_message_webhook_secret(self, secret: str) -> None:
        self.message_webhook_secret_encrypted = crypto.encrypt(secret)

    @property
    def message_webhook_secret(self) -> str:
        if not self.message_webhook_secret_encrypted:
            return ""
        return crypto.decrypt(self.message_webhook_secret_encrypted)

    @property
    def effective_base_url(self) -> str:
        return (
            self.base_url or ENVIRONMENT_URLS.get(Environment(self.environment), "")
            if self.environment
            else self.base_url
        )
