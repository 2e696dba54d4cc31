"""Fuel surcharge pages: index series with their values, CSV import with per-row errors, a customer's clause.

Views parse input and render; the rules are in haulbill.fuel.services.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from haulbill.addressbook.models import Customer
from haulbill.core.errors import HaulbillError
from haulbill.fuel import services
from haulbill.fuel.forms import FuelClauseForm
from haulbill.fuel.models import FuelClause, FuelIndexSeries, FuelIndexValue
from haulbill.tenancy.models import Role
from haulbill.tenancy.scoping import get_for_company_or_404
from haulbill.web.access import member_required


def _can_edit(request: HttpRequest) -> bool:
    return bool(request.membership.has_role(Role.INVOICER))  # type: ignore[attr-defined]


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/forbidden.html",
        {"reason": _("Changing fuel indices and clauses needs the invoicer role.")},
        status=403,
    )


@member_required()
def fuel_home(request: HttpRequest) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    if request.method == "POST":
        if not _can_edit(request):
            return _forbidden(request)
        try:
            series = services.create_series(company, request.POST.get("name", ""), request.POST.get("description", ""))
        except HaulbillError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("fuel-series-detail", pk=series.pk)
    latest = services.latest_months(company)
    series_rows = [(s, latest.get(s.pk)) for s in FuelIndexSeries.objects.for_company(company)]
    clauses = FuelClause.objects.for_company(company).select_related("customer", "series").order_by("customer__name")
    return render(request, "web/fuel/home.html", {"series": series_rows, "clauses": clauses, "can_edit": _can_edit(request),
                                                 "customers": Customer.objects.for_company(company).order_by("name")})  # fmt: skip


@member_required()
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the series and its values. POST (invoicer): enter or correct one month."""
    company = request.company  # type: ignore[attr-defined]
    series = get_for_company_or_404(company, FuelIndexSeries, pk=pk)
    if request.method == "POST":
        if not _can_edit(request):
            return _forbidden(request)
        try:
            month = services.parse_month(request.POST.get("month", ""))
            value = services.parse_value(request.POST.get("value", ""))
            published = request.POST.get("published_on", "")
            services.set_value(company, series, month, value, dt.date.fromisoformat(published) if published else None)
        except ValueError:
            messages.error(request, _("Enter the month as 2026-10 and the index as a positive number, e.g. 1.8234."))
        except HaulbillError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Index saved; the fuel surcharges that use it were recomputed."))
        return redirect("fuel-series-detail", pk=series.pk)
    values = FuelIndexValue.objects.for_company(company).filter(series=series).order_by("-month")
    return render(request, "web/fuel/series.html", {"series": series, "values": values, "can_edit": _can_edit(request)})


@member_required()
def series_import(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the import form. POST (invoicer): import a CSV; all rows or none, each bad row reported."""
    company = request.company  # type: ignore[attr-defined]
    series = get_for_company_or_404(company, FuelIndexSeries, pk=pk)
    result = None
    if request.method == "POST":
        if not _can_edit(request):
            return _forbidden(request)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV file to import."))
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                messages.error(request, _("The file is not UTF-8 text: save it as CSV (UTF-8) and try again."))
            else:
                result = services.import_csv(company, series, text)
                if result.ok:
                    messages.success(request, _("%(n)d index values imported.") % {"n": result.imported})
                    return redirect("fuel-series-detail", pk=series.pk)
    return render(request, "web/fuel/import.html", {"series": series, "result": result, "can_edit": _can_edit(request)})


@member_required()
def customer_clause(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the customer's fuel clause form. POST (invoicer): save it (the surcharges follow)."""
    company = request.company  # type: ignore[attr-defined]
    customer = get_for_company_or_404(company, Customer, pk=pk)
    clause = FuelClause.objects.for_company(company).filter(customer=customer).order_by("-valid_from", "-id").first()
    form = FuelClauseForm(request.POST or None, instance=clause, company=company)
    if request.method == "POST":
        if not _can_edit(request):
            return _forbidden(request)
        if request.POST.get("delete") and clause is not None:
            services.delete_clause(company, clause.pk)
            messages.success(request, _("Fuel clause removed."))
            return redirect("fuel-clause", pk=customer.pk)
        if form.is_valid():
            obj = form.save(commit=False)
            obj.customer = customer
            try:
                services.save_clause(company, obj, form.cleaned_data["base_products"])
            except HaulbillError as exc:
                form.add_error(exc.field or None, exc.message)
            else:
                messages.success(request, _("Fuel clause saved; this customer's open surcharges were recomputed."))
                return redirect("fuel-clause", pk=customer.pk)
    return render(
        request,
        "web/fuel/clause.html",
        {"customer": customer, "form": form, "clause": clause, "can_edit": _can_edit(request)},
    )
