from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from haulbill.addressbook import selectors
from haulbill.addressbook import services as linking
from haulbill.addressbook.models import Customer
from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Role
from haulbill.tenancy.scoping import get_for_company_or_404
from haulbill.web.access import member_required
from haulbill.web.paging import paginate


@member_required()
def customer_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    linked = request.GET.get("linked", "")
    qs = selectors.customers(request.company, search=search, linked=linked)  # type: ignore[attr-defined]
    can_link = request.membership.has_role(Role.INVOICER)  # type: ignore[attr-defined]
    return render(
        request,
        "web/customers/list.html",
        {"page": paginate(request, qs), "q": search, "linked": linked, "can_link": can_link},
    )


@member_required()
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_for_company_or_404(request.company, Customer, pk=pk)  # type: ignore[attr-defined]
    recent = customer.transports.order_by("-unloading_date", "-id")[:20]
    can_link = request.membership.has_role(Role.INVOICER)  # type: ignore[attr-defined]
    return render(
        request, "web/customers/detail.html", {"customer": customer, "recent_transports": recent, "can_link": can_link}
    )


@member_required(Role.INVOICER)
def customer_invoicing_id(request: HttpRequest, pk: int) -> HttpResponse:
    """Link by hand: type the ID → see the party's name and VAT number (and warnings) → confirm. Unlink too."""
    company = request.company  # type: ignore[attr-defined]
    customer = get_for_company_or_404(company, Customer, pk=pk)
    context: dict[str, Any] = {"customer": customer, "typed": ""}
    if request.method == "POST":
        action = request.POST.get("action", "")
        typed = request.POST.get("invoicing_id", "")
        context["typed"] = typed[:200]
        try:
            if action == "unlink":
                linking.unlink_customer(company, customer, by=request.user)
                messages.success(request, _("The invoicing ID was removed."))
                return redirect("customer-detail", pk=customer.pk)
            if action == "confirm":
                linking.link_customer(company, customer, typed, by=request.user)
                messages.success(request, _("Customer linked."))
                return redirect("customer-detail", pk=customer.pk)
            if action == "lookup":
                context["preview"] = linking.preview_link(company, customer, typed)
            else:
                context["error"] = _("Type the invoicing ID, then look it up.")
        except HaulbillError as exc:
            context["error"] = exc.message
    return render(request, "web/linking/customer_link.html", context, status=400 if context.get("error") else 200)
