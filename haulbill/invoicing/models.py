"""Invoicing settings per company. (Invoices, lines, runs and sequences are added by the engine.)"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from haulbill.tenancy.models import Company


class Provider(models.TextChoices):
    NONE = "none", _("None")
    BUILTIN = "builtin", _("Built-in (Haulbill issues the invoices)")
    BILLIT = "billit", _("Billit")


def validate_number_format(value: str) -> None:
    if "{seq" not in value:
        raise ValidationError(_("The number format must contain {seq}, e.g. F{year}-{seq:05}."))
    try:
        value.format(year=2026, seq=1)
    except (KeyError, ValueError, IndexError) as exc:
        raise ValidationError(
            _("The number format may only use {year} and {seq} (with padding such as {seq:05}).")
        ) from exc


class InvoicingSettings(models.Model):
    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="invoicing_settings")
    extension_enabled = models.BooleanField(
        _("invoicing extension enabled"), default=False, help_text=_("Switched on by platform staff.")
    )
    provider = models.CharField(_("provider"), max_length=10, choices=Provider.choices, default=Provider.NONE)
    default_payment_delay_days = models.PositiveIntegerField(_("default payment delay (days)"), default=30)
    purchasing_conditions = models.TextField(_("purchasing conditions"), blank=True)
    first_invoice_number = models.PositiveIntegerField(_("first invoice number"), default=1)
    number_format = models.CharField(
        _("invoice number format"), max_length=40, default="{year}-{seq:05}", validators=[validate_number_format]
    )
    first_credit_note_number = models.PositiveIntegerField(_("first credit note number"), default=1)
    credit_note_number_format = models.CharField(
        _("credit note number format"), max_length=40, default="CN{year}-{seq:05}", validators=[validate_number_format]
    )
    reverse_charge_mention = models.CharField(
        _("reverse charge mention"),
        max_length=300,
        default="Reverse charge - Autoliquidation - Verlegging van heffing (art. 196 Directive 2006/112/EC)",
    )
    export_mention = models.CharField(
        _("export exemption mention"),
        max_length=300,
        default="Exempt - transport linked to export (art. 146(1)(e) Directive 2006/112/EC, art. 41 Belgian VAT code)",
    )
    exempt_mention = models.CharField(_("exemption mention"), max_length=300, default="Exempt from VAT")
    numbering_locked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("invoicing settings")
        verbose_name_plural = _("invoicing settings")

    def __str__(self) -> str:
        return f"invoicing settings of {self.company}"

    @property
    def yearly_numbering(self) -> bool:
        return "{year" in self.number_format


def settings_for(company: Company) -> InvoicingSettings:
    obj, _created = InvoicingSettings.objects.get_or_create(company=company)
    return obj
