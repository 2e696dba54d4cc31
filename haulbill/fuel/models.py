"""Fuel surcharge (gas index) indexation: index series per company, and a fuel clause per customer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from haulbill.tenancy.scoping import CompanyOwned


class FuelIndexSeries(CompanyOwned):
    """A published index, e.g. the monthly diesel price index a carrier's contracts refer to."""

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fuel index series")
        verbose_name_plural = _("fuel index series")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="fuel_series_name_unique")]

    def __str__(self) -> str:
        return self.name


class FuelIndexValue(CompanyOwned):
    """The index of one month (stored as the first day of the month)."""

    series = models.ForeignKey(FuelIndexSeries, on_delete=models.CASCADE, related_name="values")
    month = models.DateField(_("month"))
    value = models.DecimalField(
        _("index value"), max_digits=12, decimal_places=4, validators=[MinValueValidator(Decimal("0.0001"))]
    )
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fuel index value")
        verbose_name_plural = _("fuel index values")
        ordering = ["series_id", "-month"]
        constraints = [models.UniqueConstraint(fields=["series", "month"], name="one_fuel_value_per_month")]

    def __str__(self) -> str:
        return f"{self.series_id} {self.month:%Y-%m} = {self.value}"


class Rounding(models.TextChoices):
    """How the surcharge percentage is rounded before it is applied to the base amount."""

    TWO_DECIMALS = "2", _("percentage rounded to 2 decimals")
    ONE_DECIMAL = "1", _("percentage rounded to 1 decimal")
    WHOLE = "0", _("percentage rounded to a whole number")
    NONE = "none", _("no rounding of the percentage")


class FuelClause(CompanyOwned):
    """The fuel clause of a customer's contract: surcharge = base × (index − reference) ÷ reference × share.

    Base lines are chosen by product (a set of products) and/or by unit (the kind of line: per trip, per km…);
    waiting time billed per hour stays out when the hour unit or its product is not listed.
    """

    customer = models.ForeignKey(
        "addressbook.Customer", on_delete=models.CASCADE, related_name="fuel_clauses", verbose_name=_("customer")
    )
    series = models.ForeignKey(
        FuelIndexSeries, on_delete=models.PROTECT, related_name="clauses", verbose_name=_("index series")
    )
    reference_value = models.DecimalField(
        _("reference index value"), max_digits=12, decimal_places=4, validators=[MinValueValidator(Decimal("0.0001"))]
    )
    fuel_share = models.DecimalField(
        _("fuel share of the price (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    base_products = models.ManyToManyField(
        "catalog.Product",
        blank=True,
        related_name="+",
        verbose_name=_("applies to lines of these products"),
        help_text=_("Empty: lines of any product (except the fuel surcharge item) whose unit is listed below."),
    )
    base_units = models.CharField(
        _("applies to lines with these units"),
        max_length=100,
        blank=True,
        help_text=_("UN/ECE unit codes separated by commas, e.g. C62,KMT,TNE. Empty: any unit."),
    )
    surcharge_product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invoiced with the product"),
        help_text=_("The gas index item of your catalog."),
    )
    rounding = models.CharField(_("rounding"), max_length=4, choices=Rounding.choices, default=Rounding.TWO_DECIMALS)
    allow_negative = models.BooleanField(
        _("negative surcharge allowed"), default=False, help_text=_("Credit the customer when the index falls.")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fuel clause")
        verbose_name_plural = _("fuel clauses")
        ordering = ["customer_id", "-valid_from", "id"]

    def __str__(self) -> str:
        return f"fuel clause of customer {self.customer_id}"

    @property
    def units(self) -> set[str]:
        return {u.strip().upper() for u in self.base_units.split(",") if u.strip()}

    def covers(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of the validity period is before its start.")})
