"""Fuel surcharge pages: index series with their values, CSV import with per-row errors, a customer's clause.

Views parse input and render; the rules are in haulbill.fuel.services. A refused form comes back with status 400,
as typed, each error under the field it is about (a HaulbillError names it in `field`); an error about no field in
particular is a banner.
"""

from __future__ import annotations

from typing import Any

from django import forms
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


SERIES_FIELDS = ("name", "description")
VALUE_FIELDS = ("month", "value", "published_on")


def _field_errors(request: HttpRequest, exc: HaulbillError, fields: tuple[str, ...]) -> dict[str, str]:
    """The service's error under its field when the form has it, else in the banner."""
    if exc.field in fields:
        return {exc.field: exc.message}
    messages.error(request, exc.message)
    return {}


@member_required()
def fuel_home(request: HttpRequest) -> HttpResponse:
    """GET: the series and the clauses. POST (invoicer): create a series."""
    company = request.company  # type: ignore[attr-defined]
    if request.method == "POST":
        if not _can_edit(request):
            return _forbidden(request)
        values = {name: request.POST.get(name, "") for name in SERIES_FIELDS}
        try:
            series = services.create_series(company, values["name"], values["description"])
        except HaulbillError as exc:
            return _home(request, values=values, errors=_field_errors(request, exc, SERIES_FIELDS), status=400)
        return redirect("fuel-series-detail", pk=series.pk)
    return _home(request)


def _home(request: HttpRequest, *, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
          status: int = 200) -> HttpResponse:  # fmt: skip
    company = request.company  # type: ignore[attr-defined]
    latest = services.latest_months(company)
    series_rows = [(s, latest.get(s.pk)) for s in FuelIndexSeries.objects.for_company(company)]
    clauses = FuelClause.objects.for_company(company).select_related("customer", "series").order_by("customer__name")
    return render(request, "web/fuel/home.html", {
        "series": series_rows, "clauses": clauses, "can_edit": _can_edit(request),
        "customers": Customer.objects.for_company(company).order_by("name"),
        "values": values or {}, "errors": errors or {},
    }, status=status)  # fmt: skip


@member_required()
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the series and its values. POST (invoicer): enter or correct one month."""
    company = request.company  # type: ignore[attr-defined]
    series = get_for_company_or_404(company, FuelIndexSeries, pk=pk)
    if request.method != "POST":
        return _series_page(request, series)
    if not _can_edit(request):
        return _forbidden(request)
    values = {name: request.POST.get(name, "") for name in VALUE_FIELDS}
    parsed, errors = _read_value(values)
    if errors:
        return _series_page(request, series, values=values, errors=errors)
    try:
        services.set_value(company, series, *parsed)
    except HaulbillError as exc:
        return _series_page(request, series, values=values, errors=_field_errors(request, exc, VALUE_FIELDS))
    messages.success(request, _("Index saved; the fuel surcharges that use it were recomputed."))
    return redirect("fuel-series-detail", pk=series.pk)


def _read_value(values: dict[str, str]) -> tuple[tuple[Any, ...], dict[str, str]]:
    """(month, value, published_on) as the services read them, or the error of every field they cannot read."""
    errors: dict[str, str] = {}
    parsed: list[Any] = []
    hint = _("Enter the month as 2026-10 and the index as a positive number, e.g. 1.8234.")
    for name, parse in (("month", services.parse_month), ("value", services.parse_value)):
        try:
            parsed.append(parse(values[name]))
        except ValueError:
            errors[name] = hint
    try:
        parsed.append(forms.DateField(required=False).clean(values["published_on"]))
    except forms.ValidationError as exc:
        errors["published_on"] = " ".join(exc.messages)  # Django's own "Enter a valid date."
    return tuple(parsed), errors


def _series_page(request: HttpRequest, series: FuelIndexSeries, *, values: dict[str, str] | None = None,
                 errors: dict[str, str] | None = None) -> HttpResponse:  # fmt: skip
    company = request.company  # type: ignore[attr-defined]
    rows = FuelIndexValue.objects.for_company(company).filter(series=series).order_by("-month")
    return render(request, "web/fuel/series.html", {
        "series": series, "values": rows, "can_edit": _can_edit(request), "typed": values or {}, "errors": errors or {},
    }, status=200 if values is None else 400)  # fmt: skip


@member_required()
def series_import(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the import form. POST (invoicer): import a CSV; all rows or none, each bad row listed with its line
    number, and what is wrong with the file as a whole under the file field."""
    company = request.company  # type: ignore[attr-defined]
    series = get_for_company_or_404(company, FuelIndexSeries, pk=pk)
    row_errors: list[dict[str, object]] = []
    file_error = ""
    if request.method == "POST":
        if not _can_edit(request):
            return _forbidden(request)
        upload = request.FILES.get("file")
        if upload is None:
            file_error = _("Choose a CSV file to import.")
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                file_error = _("The file is not UTF-8 text: save it as CSV (UTF-8) and try again.")
            else:
                result = services.import_csv(company, series, text)
                if result.ok:
                    messages.success(request, _("%(n)d index values imported.") % {"n": result.imported})
                    return redirect("fuel-series-detail", pk=series.pk)
                row_errors = [e for e in result.errors if e.get("field") != "file"]
                file_error = " ".join(str(e["message"]) for e in result.errors if e.get("field") == "file")
    return render(request, "web/fuel/import.html", {
        "series": series, "row_errors": row_errors, "file_error": file_error, "can_edit": _can_edit(request),
    }, status=400 if row_errors or file_error else 200)  # fmt: skip


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
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)  # under the field it is about
                else:
                    messages.error(request, exc.message)
            else:
                messages.success(request, _("Fuel clause saved; this customer's open surcharges were recomputed."))
                return redirect("fuel-clause", pk=customer.pk)
    return render(
        request,
        "web/fuel/clause.html",
        {"customer": customer, "form": form, "clause": clause, "can_edit": _can_edit(request)},
        status=400 if request.method == "POST" else 200,  # only a refused form is rendered after a POST
    )
