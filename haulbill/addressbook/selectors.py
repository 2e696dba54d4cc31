from __future__ import annotations

from django.db.models import Q, QuerySet

from haulbill.tenancy.models import Company

from .models import Customer


def customers(company: Company, *, search: str = "", linked: str = "") -> QuerySet[Customer]:
    qs = Customer.objects.for_company(company)
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(vat_number__icontains=search)
            | Q(reference__icontains=search)
            | Q(city__icontains=search)
            | Q(invoicing_id=search)
        )
    if linked == "yes":
        qs = qs.exclude(invoicing_id="")
    elif linked == "no":
        qs = qs.filter(invoicing_id="")
    return qs
