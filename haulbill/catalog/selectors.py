from __future__ import annotations

from django.db.models import Q, QuerySet

from haulbill.tenancy.models import Company

from .models import Product


def products(company: Company, *, search: str = "", active: str = "") -> QuerySet[Product]:
    qs = Product.objects.for_company(company)
    if search:
        qs = qs.filter(Q(item_code__icontains=search) | Q(name__icontains=search))
    if active == "yes":
        qs = qs.filter(is_active=True)
    elif active == "no":
        qs = qs.filter(is_active=False)
    return qs


def active_products(company: Company) -> QuerySet[Product]:
    return Product.objects.for_company(company).filter(is_active=True)
