"""Invoicing settings per company, and the engine's rows: runs, invoices and credit notes, lines, sequences."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haulbill.tenancy.models import Company
from haulbill.tenancy.scoping import CompanyOwned


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


NUMBERING_FIELDS = ("first_invoice_number", "number_format", "first_credit_note_number", "credit_note_number_format")


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

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Once a document is finalised the series cannot be re-based: the numbering fields are frozen."""
        if self.pk and self.numbering_locked_at:
            stored = InvoicingSettings.objects.filter(pk=self.pk).values(*NUMBERING_FIELDS).first() or {}
            changed = [name for name in NUMBERING_FIELDS if name in stored and stored[name] != getattr(self, name)]
            if changed:
                raise ValidationError(
                    {name: _("The numbering is locked since the first invoice was finalised.") for name in changed}
                )
        super().save(*args, **kwargs)

    @property
    def numbering_locked(self) -> bool:
        return self.numbering_locked_at is not None

    @property
    def yearly_numbering(self) -> bool:
        return "{year" in self.number_format


def settings_for(company: Company) -> InvoicingSettings:
    obj, _created = InvoicingSettings.objects.get_or_create(company=company)
    return obj


# ---------------------------------------------------------------------------------------------------------------
# The engine: runs, invoices and credit notes, their lines, and the gapless number sequences.
# ---------------------------------------------------------------------------------------------------------------


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINALISED = "finalised", _("Finalised")
    CANCELLED = "cancelled", _("Cancelled")


class PushState(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Not needed")
    TO_PUSH = "to_push", _("To push")
    PUSHING = "pushing", _("Pushing")
    PUSHED = "pushed", _("Pushed")
    FAILED = "failed", _("Failed")


class RunStatus(models.TextChoices):
    DRAFTED = "drafted", _("Drafted, waiting for confirmation")
    FINALISING = "finalising", _("Finalising")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class FinalisedInvoiceError(Exception):
    """Raised by the models when code tries to change or delete a finalised document."""


# Fields the provider and status tracking may still write on a finalised document; everything else is frozen.
MUTABLE_AFTER_FINALISATION = frozenset(
    {
        "push_state",
        "push_error",
        "push_attempts",
        "push_retryable",
        "push_lease_until",
        "push_lease_owner",
        "push_queued_at",
        "send_state",
        "send_method",
        "send_error",
        "provider_order_id",
        "provider_number",
        "provider_totals",
        "totals_mismatch",
        "pdf",
        "pdf_rendered_at",
        "sent",
        "sent_at",
        "delivered",
        "refused",
        "refused_reason",
        "paid",
        "paid_at",
        "status",  # finalised -> cancelled stays possible for the status tracking (issue 6)
        "updated_at",
    }
)


class InvoicingRun(CompanyOwned):
    """One invoicing run: the selection, the pre-flight report, and what came of it."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    params = models.JSONField(_("selection"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.DRAFTED)
    report = models.JSONField(_("pre-flight report"), default=dict, blank=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    transports_count = models.PositiveIntegerField(default=0)
    drafts_count = models.PositiveIntegerField(default=0)
    blocked_count = models.PositiveIntegerField(default=0)
    finalised_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoicing run")
        verbose_name_plural = _("invoicing runs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"run #{self.pk} ({self.status})"


class NumberSequence(CompanyOwned):
    """The next number of one series (kind, and year when the format resets yearly; year 0 otherwise).

    Finalisation locks this row (SELECT ... FOR UPDATE) inside the transaction that marks the transports
    invoiced: a rollback returns the number, so the series has no gap and no duplicate.
    """

    kind = models.CharField(max_length=12, choices=InvoiceKind.choices)
    year = models.PositiveIntegerField(default=0)
    next_value = models.PositiveBigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("number sequence")
        constraints = [models.UniqueConstraint(fields=["company", "kind", "year"], name="one_sequence_per_series")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year or ''} next={self.next_value}"


class Invoice(CompanyOwned):
    """An invoice or credit note. A draft is a real row without number; finalisation freezes it.

    The PDF is kept in the database (`pdf`, a BinaryField) rather than under MEDIA_ROOT: it is written in the
    same transaction as the push state, is backed up with the invoice it belongs to, and needs no file clean-up.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    number = models.CharField(_("number"), max_length=40, blank=True)
    sequence_year = models.PositiveIntegerField(null=True, blank=True)
    sequence_value = models.PositiveBigIntegerField(null=True, blank=True)
    customer = models.ForeignKey(
        "addressbook.Customer", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("customer")
    )
    run = models.ForeignKey(InvoicingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices")
    credited_invoice = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes",
        verbose_name=_("credited invoice"),
    )  # fmt: skip
    language = models.CharField(_("language"), max_length=2, default="en")
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    seller = models.JSONField(_("seller"), default=dict, blank=True)
    buyer = models.JSONField(_("buyer"), default=dict, blank=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=30, blank=True)
    buyer_reference = models.CharField(_("buyer reference"), max_length=100, blank=True)
    purchasing_conditions = models.TextField(_("purchasing conditions"), blank=True)
    total_excl = models.DecimalField(_("total excl. VAT"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total_vat = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total_incl = models.DecimalField(_("total incl. VAT"), max_digits=14, decimal_places=2, default=Decimal("0"))
    vat_breakdown = models.JSONField(_("VAT breakdown"), default=list, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    # Provider push (the provider copies our number; its own totals are compared with ours).
    push_state = models.CharField(max_length=12, choices=PushState.choices, default=PushState.NOT_NEEDED)
    push_error = models.TextField(blank=True)
    push_attempts = models.PositiveIntegerField(default=0)
    provider_order_id = models.CharField(max_length=40, blank=True)
    provider_number = models.CharField(max_length=40, blank=True)
    provider_totals = models.JSONField(default=dict, blank=True)
    totals_mismatch = models.BooleanField(default=False)
    # Push and send bookkeeping for background workers (haulbill.delivery): a failed push is retried only when
    # retryable; a claim holds a lease (owner + expiry) so a crashed worker's invoices can be taken over.
    push_retryable = models.BooleanField(default=True)
    push_lease_until = models.DateTimeField(null=True, blank=True)
    push_lease_owner = models.CharField(max_length=80, blank=True)
    push_queued_at = models.DateTimeField(null=True, blank=True)
    send_state = models.CharField(max_length=10, blank=True)  # "", to_send, sending, sent, failed
    send_method = models.CharField(max_length=10, blank=True)
    send_error = models.TextField(blank=True)
    # Delivery and payment status, driven by the status tracking.
    sent = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered = models.BooleanField(default=False)
    refused = models.BooleanField(default=False)
    refused_reason = models.TextField(blank=True)
    paid = models.BooleanField(default=False)
    paid_at = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-sequence_value", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "number"], condition=~Q(number=""), name="invoice_number_unique"
            ),
            models.UniqueConstraint(
                fields=["company", "kind", "sequence_year", "sequence_value"],
                condition=Q(sequence_value__isnull=False),
                name="invoice_sequence_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "kind", "status"]),
            models.Index(fields=["company", "customer"]),
            models.Index(fields=["company", "issue_date"]),
            models.Index(fields=["push_state", "push_lease_until"]),
        ]

    # The status last read from or written to the database; set by from_db and save (absent on a new invoice).
    _loaded_status: str | None

    def __str__(self) -> str:
        return self.number or f"draft #{self.pk}"

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kwargs: Any) -> Invoice:
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    @property
    def is_finalised(self) -> bool:
        return self.status != InvoiceStatus.DRAFT

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    def save(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "_loaded_status", None) in {InvoiceStatus.FINALISED, InvoiceStatus.CANCELLED}:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or not set(update_fields) <= MUTABLE_AFTER_FINALISATION:
                raise FinalisedInvoiceError(
                    f"Invoice {self.number} is finalised: it cannot be changed; issue a credit note instead."
                )
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.status != InvoiceStatus.DRAFT or getattr(self, "_loaded_status", None) not in {
            None,
            InvoiceStatus.DRAFT,
        }:
            raise FinalisedInvoiceError(
                f"Invoice {self.number} is finalised: it cannot be deleted; issue a credit note instead."
            )
        return super().delete(*args, **kwargs)


class InvoiceLine(CompanyOwned):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    transport = models.ForeignKey(
        "transports.Transport", null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    price_line = models.ForeignKey(
        "transports.PriceLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="invoice_lines"
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    item_code = models.CharField(_("item code"), max_length=60, blank=True)
    description = models.CharField(_("description"), max_length=600)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=3, default="C62")
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4)
    line_amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    vat_category = models.CharField(_("VAT category"), max_length=2, blank=True)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    vat_exemption_code = models.CharField(_("VAT exemption code"), max_length=30, blank=True)
    vat_exemption_text = models.CharField(_("VAT exemption reason"), max_length=300, blank=True)
    credited_line = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_lines"
    )

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice_id", "position", "id"]

    def __str__(self) -> str:
        return self.description

    def _invoice_is_frozen(self) -> bool:
        return Invoice.objects.filter(pk=self.invoice_id).exclude(status=InvoiceStatus.DRAFT).exists()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.invoice_id and self._invoice_is_frozen():
            raise FinalisedInvoiceError("The lines of a finalised invoice cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.invoice_id and self._invoice_is_frozen():
            raise FinalisedInvoiceError("The lines of a finalised invoice cannot be deleted.")
        return super().delete(*args, **kwargs)
