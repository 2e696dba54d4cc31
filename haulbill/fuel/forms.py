"""The customer's fuel clause form, its choices limited to the company's series and products."""

from __future__ import annotations

from typing import Any

from django import forms

from haulbill.catalog.models import Product
from haulbill.tenancy.models import Company

from .models import FuelClause, FuelIndexSeries


class FuelClauseForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = FuelClause
        fields = [
            "series", "reference_value", "fuel_share", "base_products", "base_units", "surcharge_product",
            "rounding", "allow_negative", "valid_from", "valid_to",
        ]  # fmt: skip
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = FuelIndexSeries.objects.for_company(company)  # type: ignore[attr-defined]
        products = Product.objects.for_company(company).filter(is_active=True)
        self.fields["base_products"].queryset = products.filter(is_fuel_surcharge=False)  # type: ignore[attr-defined]
        self.fields["surcharge_product"].queryset = products.filter(is_fuel_surcharge=True)  # type: ignore[attr-defined]
