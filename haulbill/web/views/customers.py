from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from haulbill.addressbook import selectors
from haulbill.addressbook.models import Customer
from haulbill.tenancy.scoping import get_for_company_or_404
from haulbill.web.access import member_required
from haulbill.web.paging import paginate


@member_required()
def customer_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    linked = request.GET.get("linked", "")
    qs = selectors.customers(request.company, search=search, linked=linked)  # type: ignore[attr-defined]
    return render(request, "web/customers/list.html", {"page": paginate(request, qs), "q": search, "linked": linked})


@member_required()
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_for_company_or_404(request.company, Customer, pk=pk)  # type: ignore[attr-defined]
    recent = customer.transports.order_by("-unloading_date", "-id")[:20]
    return render(request, "web/customers/detail.html", {"customer": customer, "recent_transports": recent})
