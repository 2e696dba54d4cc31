"""Verification pages: a transport's control badges and verify buttons, the bulk verification, item codes.

Views parse input and render; the rules are in haulbill.transports.verification and haulbill.catalog.suggestions.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haulbill.addressbook.models import Customer
from haulbill.catalog import suggestions
from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Role
from haulbill.tenancy.scoping import get_for_company_or_404
from haulbill.transports import verification
from haulbill.transports.models import PriceLine, Transport
from haulbill.web.access import member_required


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@member_required()
def to_verify(request: HttpRequest) -> HttpResponse:
    """GET: done transports waiting for verification, with their badges. POST: verify the ticked ones."""
    company = request.company  # type: ignore[attr-defined]
    if request.method == "POST":
        if not request.membership.has_role(Role.INVOICER):  # type: ignore[attr-defined]
            return render(
                request,
                "web/forbidden.html",
                {"reason": _("Verifying transports needs the invoicer role.")},
                status=403,
            )
        ids = [int(v) for v in request.POST.getlist("transport") if v.isdigit()]
        result = verification.verify_many(company, ids, user=request.user)
        messages.success(request, ngettext("%(n)d transport verified, %(s)d skipped (not done or already invoiced).",
                                  "%(n)d transports verified, %(s)d skipped (not done or already invoiced).",
                                  result.verified) % {"n": result.verified, "s": result.skipped})  # fmt: skip
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = ""
        return redirect(target or "transports-to-verify")
    customer = request.GET.get("customer", "")
    qs = verification.to_verify(
        company, date_from=_date(request.GET.get("from")), date_to=_date(request.GET.get("to")),
        customer_id=int(customer) if customer.isdigit() else None,
    ).select_related("customer")[:500]  # fmt: skip
    transports = list(qs)
    badges = verification.badges_for(company, transports)
    rows = [(t, badges[t.pk]) for t in transports]
    return render(request, "web/transports/to_verify.html", {
        "rows": rows, "customers": Customer.objects.for_company(company).order_by("name"), "customer": customer,
        "date_from": request.GET.get("from", ""), "date_to": request.GET.get("to", ""),
        "can_verify": request.membership.has_role(Role.INVOICER),  # type: ignore[attr-defined]
    })  # fmt: skip


@member_required()
def transport_verification(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the badges and the verification state. POST (invoicer): verify, unverify, fill suggested item codes
    or confirm them."""
    company = request.company  # type: ignore[attr-defined]
    transport = get_for_company_or_404(company, Transport, pk=pk)
    if request.method == "POST":
        if not request.membership.has_role(Role.INVOICER):  # type: ignore[attr-defined]
            return render(
                request,
                "web/forbidden.html",
                {"reason": _("Verifying transports needs the invoicer role.")},
                status=403,
            )
        action = request.POST.get("action", "")
        try:
            if action == "verify":
                verification.verify(company, transport.pk, user=request.user)
                messages.success(request, _("Transport verified: it can be invoiced."))
            elif action == "unverify":
                verification.unverify(company, transport.pk, user=request.user)
                messages.success(request, _("Verification withdrawn: the transport waits for a new check."))
            elif action == "suggest":
                n = suggestions.suggest(company, transport_ids=[transport.pk])
                messages.success(
                    request, ngettext("%(n)d item code suggested.", "%(n)d item codes suggested.", n) % {"n": n}
                )
            elif action == "accept":
                n = suggestions.accept_suggestions(company, transport)
                messages.success(
                    request,
                    ngettext("%(n)d suggested item code confirmed.", "%(n)d suggested item codes confirmed.", n)
                    % {"n": n},
                )
        except HaulbillError as exc:
            messages.error(request, exc.message)
        return redirect("transport-detail", pk=transport.pk)
    badges = verification.badges(transport)
    return render(request, "web/transports/verification.html", {
        "transport": transport, "badges": badges, "has_suggestions": verification.has_suggestions(badges),
        "can_verify": request.membership.has_role(Role.INVOICER),  # type: ignore[attr-defined]
    })  # fmt: skip


@member_required()
def line_product(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the product dropdown of one price line (a suggested item code is marked). POST (invoicer): a person's
    choice, which sets the product and clears the suggestion mark."""
    company = request.company  # type: ignore[attr-defined]
    line = get_for_company_or_404(company, PriceLine, pk=pk)
    if request.method == "POST":
        if not request.membership.has_role(Role.INVOICER):  # type: ignore[attr-defined]
            return render(
                request, "web/forbidden.html", {"reason": _("Choosing item codes needs the invoicer role.")}, status=403
            )
        raw = request.POST.get("product", "")
        try:
            suggestions.choose_product(company, line.pk, int(raw) if raw.isdigit() else 0)
        except HaulbillError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Item code saved."))
        return redirect("transport-detail", pk=line.transport_id)
    return render(request, "web/transports/line_product.html", {
        "line": line, "products": suggestions.assignable_products(company),
        "can_verify": request.membership.has_role(Role.INVOICER),  # type: ignore[attr-defined]
    })  # fmt: skip
