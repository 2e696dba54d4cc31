from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from haulbill.catalog import selectors
from haulbill.catalog.services import JOB_KIND as SYNC_JOB
from haulbill.tenancy.models import Role
from haulbill.web.access import member_required
from haulbill.web.paging import paginate
from haulbill.web.views.jobs import job_from_query


@member_required()
def product_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    active = request.GET.get("active", "")
    qs = selectors.products(request.company, search=search, active=active)  # type: ignore[attr-defined]
    return render(
        request,
        "web/products/list.html",
        {
            "page": paginate(request, qs),
            "q": search,
            "active": active,
            "can_sync": request.membership.has_role(Role.INVOICER),  # type: ignore[attr-defined]
            "sync_job": job_from_query(request, (SYNC_JOB,)),
        },
    )
