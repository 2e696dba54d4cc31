from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from haulbill.tenancy.models import Company

from .models import Transport


def transports(
    company: Company, *, search: str = "", status: str = "", invoicing_status: str = ""
) -> QuerySet[Transport]:
    qs = (
        Transport.objects.for_company(company)
        .select_related("customer")
        .annotate(line_count=Count("price_lines"))
        .order_by("-unloading_date", "-id")
    )
    if search:
        qs = qs.filter(
            Q(reference__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(loading_place__icontains=search)
            | Q(unloading_place__icontains=search)
        )
    if status:
        qs = qs.filter(status=status)
    if invoicing_status:
        qs = qs.filter(invoicing_status=invoicing_status)
    return qs
