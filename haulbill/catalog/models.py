"""The product catalog, synchronised from the invoicing provider. Every price line points at one product."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from haulbill.tenancy.scoping import CompanyOwned

# UN/ECE Recommendation 20 codes a carrier uses; Peppol accepts them (PCE and KM are rejected there).
UNIT_CHOICES = [
    ("C62", _("unit / trip")),
    ("HUR", _("hour")),
    ("MIN", _("minute")),
    ("DAY", _("day")),
    ("KMT", _("kilometre")),
    ("TNE", _("tonne")),
    ("TKM", _("tonne-kilometre")),
    ("KGM", _("kilogram")),
    ("MTQ", _("cubic metre")),
    ("LTR", _("litre")),
    ("H87", _("piece")),
    ("LS", _("lump sum")),
    ("E48", _("service unit")),
]
UNIT_CODES = {code for code, _label in UNIT_CHOICES}


class VatLevel(models.TextChoices):
    PRODUCT = "product", _("VAT rate of the product")
    CUSTOMER = "customer", _("VAT regime of the customer")


class Product(CompanyOwned):
    provider = models.CharField(_("provider"), max_length=20, default="builtin")
    provider_product_id = models.CharField(_("provider product ID"), max_length=40, blank=True)
    item_code = models.CharField(_("item code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=3, choices=UNIT_CHOICES, default="C62")
    unit_price = models.DecimalField(_("default unit price"), max_digits=14, decimal_places=4, default=Decimal("0"))
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    vat_level = models.CharField(_("VAT level"), max_length=10, choices=VatLevel.choices, default=VatLevel.PRODUCT)
    is_fuel_surcharge = models.BooleanField(_("fuel surcharge (gas index) item"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    last_synced_at = models.DateTimeField(_("last synchronised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "provider", "provider_product_id"],
                condition=~models.Q(provider_product_id=""),
                name="provider_product_unique_per_company",
            ),
        ]
        indexes = [models.Index(fields=["company", "item_code"])]

    def __str__(self) -> str:
        return f"{self.item_code} · {self.name}"
