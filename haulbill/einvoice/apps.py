from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EinvoiceConfig(AppConfig):
    """Installed so Django finds the `haulbill export-ubl` command; the app has no models."""

    name = "haulbill.einvoice"
    label = "einvoice"
    verbose_name = _("E-invoicing")
