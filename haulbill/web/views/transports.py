from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from haulbill.catalog.suggestions import assignable_products
from haulbill.tenancy.models import Role
from haulbill.tenancy.scoping import get_for_company_or_404
from haulbill.transports import selectors, verification
from haulbill.transports.models import InvoicingStatus, Transport, TransportStatus
from haulbill.web.access import member_required
from haulbill.web.paging import paginate


@member_required()
def transport_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    invoicing_status = request.GET.get("invoicing", "")
    qs = selectors.transports(request.company, search=search, status=status, invoicing_status=invoicing_status)  # type: ignore[attr-defined]
    return render(
        request,
        "web/transports/list.html",
        {
            "page": paginate(request, qs),
            "q": search,
            "status": status,
            "invoicing": invoicing_status,
            "statuses": TransportStatus.choices,
            "invoicing_statuses": InvoicingStatus.choices,
            "can_verify": request.membership.has_role(Role.INVOICER),  # type: ignore[attr-defined]
        },
    )


@member_required()
def transport_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transport = get_for_company_or_404(request.company, Transport, pk=pk)  # type: ignore[attr-defined]
    lines = list(transport.price_lines.select_related("product").all())
    badges = verification.badges(transport, lines)
    return render(
        request,
        "web/transports/detail.html",
        {
            "transport": transport,
            "lines": lines,
            "badges": badges,
            "has_suggestions": verification.has_suggestions(badges),
            "products": assignable_products(request.company),  # type: ignore[attr-defined]
            "can_verify": request.membership.has_role(Role.INVOICER),  # type: ignore[attr-defined]
        },
    )
