from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from haulbill.catalog import selectors
from haulbill.web.access import member_required
from haulbill.web.paging import paginate


@member_required()
def product_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    active = request.GET.get("active", "")
    qs = selectors.products(request.company, search=search, active=active)  # type: ignore[attr-defined]
    return render(request, "web/products/list.html", {"page": paginate(request, qs), "q": search, "active": active})
