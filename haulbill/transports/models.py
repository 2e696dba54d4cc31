"""Transports as the TMS hands them over, with the price lines that become invoice lines."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from haulbill.catalog.models import UNIT_CHOICES
from haulbill.tenancy.scoping import CompanyOwned

CENT = Decimal("0.01")


class TransportStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class InvoicingStatus(models.TextChoices):
    NOT_INVOICED = "not_invoiced", _("Not invoiced")
    INVOICED = "invoiced", _("Invoiced")
    CREDITED = "credited", _("Credited")


class SuggestionSource(models.TextChoices):
    ONLY_PRODUCT = "only_product", _("the company's only active product")
    CUSTOMER_HISTORY = "customer_history", _("used for this kind of line on the customer's earlier transports")


class Transport(CompanyOwned):
    customer = models.ForeignKey(
        "addressbook.Customer", on_delete=models.PROTECT, related_name="transports", verbose_name=_("customer")
    )
    reference = models.CharField(_("reference"), max_length=50)
    loading_place = models.CharField(_("loading place"), max_length=200, blank=True)
    loading_date = models.DateField(_("loading date"), null=True, blank=True)
    unloading_place = models.CharField(_("unloading place"), max_length=200, blank=True)
    unloading_date = models.DateField(_("unloading date"), null=True, blank=True)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=10, decimal_places=1, null=True, blank=True)
    distance_km = models.DecimalField(_("distance (km)"), max_digits=8, decimal_places=1, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TransportStatus.choices, default=TransportStatus.PLANNED
    )
    invoicing_status = models.CharField(
        _("invoicing status"), max_length=15, choices=InvoicingStatus.choices, default=InvoicingStatus.NOT_INVOICED
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("transport")
        verbose_name_plural = _("transports")
        ordering = ["-unloading_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["company", "reference"], name="transport_reference_unique")]
        indexes = [
            models.Index(fields=["company", "status", "invoicing_status"]),
            models.Index(fields=["company", "customer"]),
            models.Index(fields=["company", "unloading_date"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def route(self) -> str:
        return " → ".join(p for p in [self.loading_place, self.unloading_place] if p)

    @property
    def service_date(self):  # type: ignore[no-untyped-def]
        return self.unloading_date or self.loading_date

    @property
    def is_editable(self) -> bool:
        return self.invoicing_status != InvoicingStatus.INVOICED


class PriceLine(CompanyOwned):
    transport = models.ForeignKey(Transport, on_delete=models.CASCADE, related_name="price_lines")
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(_("description"), max_length=500)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3, default=Decimal("1"))
    unit = models.CharField(_("unit"), max_length=3, choices=UNIT_CHOICES, default="C62")
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4, default=Decimal("0"))
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="price_lines",
        verbose_name=_("product (item code)"),
    )
    # Set when Haulbill filled `product` itself (haulbill.catalog.suggestions) and no person confirmed it yet: the
    # line is invoiceable, but pages mark its item code "suggested" until a person confirms or changes it.
    suggestion_source = models.CharField(
        _("why this product is suggested"), max_length=20, choices=SuggestionSource.choices, blank=True
    )
    # Lines Haulbill computes itself (the fuel surcharge of haulbill.fuel): recomputed, never duplicated.
    is_fuel_surcharge = models.BooleanField(_("fuel surcharge computed by Haulbill"), default=False)

    class Meta:
        verbose_name = _("price line")
        verbose_name_plural = _("price lines")
        ordering = ["transport_id", "position", "id"]
        constraints = [
            # A suggestion is an item code: a line cannot be "suggested" without one.
            models.CheckConstraint(
                condition=models.Q(suggestion_source="") | models.Q(product__isnull=False),
                name="price_line_suggestion_has_product",
            )
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def product_suggested(self) -> bool:
        """The item code was filled by Haulbill and waits for a person to confirm or change it."""
        return bool(self.suggestion_source)

    @property
    def amount(self) -> Decimal:
        """EN 16931: line net amount = quantity × net price, rounded to the cent."""
        return (self.quantity * self.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
