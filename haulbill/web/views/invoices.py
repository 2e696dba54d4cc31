"""Invoice pages: the run (selection -> pre-flight report -> confirm -> progress -> result), the list, one invoice.

Views only parse input and render: every rule lives in haulbill.invoicing (services, selectors, credit notes).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from haulbill.addressbook.models import Customer
from haulbill.core.errors import HaulbillError
from haulbill.core.jobs import create_job
from haulbill.invoicing import selectors, services
from haulbill.invoicing.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    InvoicingRun,
    Provider,
    RunStatus,
    settings_for,
)
from haulbill.invoicing.selection import Selection
from haulbill.tenancy.models import Role
from haulbill.tenancy.scoping import get_for_company_or_404
from haulbill.web.access import member_required
from haulbill.web.paging import paginate

RUN_JOB_KIND = "invoicing_run"
PAYMENT_FILTERS = {"unpaid": gettext_lazy("Unpaid"), "overdue": gettext_lazy("Overdue (unpaid, past due)")}


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@member_required()
def invoice_list(request: HttpRequest) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    customer_id = _int(request.GET.get("customer"))
    payment = request.GET.get("payment", "")
    payment = payment if payment in PAYMENT_FILTERS else ""
    date_from, date_to = _date(request.GET.get("from")), _date(request.GET.get("to"))
    today = timezone.localdate()
    qs = selectors.invoices(
        company, status=status, kind=kind, customer_id=customer_id, date_from=date_from, date_to=date_to, search=q,
        payment=payment, today=today,
    )  # fmt: skip
    extra = "&".join(
        f"{k}={v}" for k, v in [("status", status), ("kind", kind), ("customer", customer_id or ""),
                                ("payment", payment), ("from", request.GET.get("from", "")),
                                ("to", request.GET.get("to", ""))] if v
    )  # fmt: skip
    return render(
        request,
        "web/invoices/list.html",
        {
            "page": paginate(request, qs),
            "q": q,
            "status": status,
            "kind": kind,
            "customer_id": customer_id,
            "date_from": request.GET.get("from", ""),
            "date_to": request.GET.get("to", ""),
            "statuses": InvoiceStatus.choices,
            "kinds": InvoiceKind.choices,
            "payment": payment,
            "payments": [(key, PAYMENT_FILTERS[key]) for key in PAYMENT_FILTERS],
            "today": today,
            "builtin": settings_for(company).provider == Provider.BUILTIN,
            "customers": Customer.objects.for_company(company)
            .filter(invoices__isnull=False)
            .distinct()
            .order_by("name"),
            "extra_query": extra + "&" if extra else "",
            "can_run": request.membership.has_role(Role.INVOICER),  # type: ignore[attr-defined]
            "recent_runs": selectors.runs(company)[:5],
        },
    )


@member_required()
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    invoice = get_for_company_or_404(company, Invoice, pk=pk)
    page = selectors.invoice_page(company, invoice)
    return render(
        request,
        "web/invoices/detail.html",
        {
            "invoice": invoice,
            "view": page,
            "can_credit": page.can_be_credited and request.membership.has_role(Role.INVOICER),  # type: ignore[attr-defined]
        },
    )


@member_required()
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_for_company_or_404(request.company, Invoice, pk=pk)  # type: ignore[attr-defined]
    if not invoice.pdf:
        raise Http404(_("This invoice has no PDF yet."))
    response = HttpResponse(bytes(invoice.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number or invoice.pk}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@member_required(Role.INVOICER)
def invoice_credit(request: HttpRequest, pk: int) -> HttpResponse:
    """POST issues the credit note; GET shows the invoice page that holds the credit form."""
    company = request.company  # type: ignore[attr-defined]
    invoice = get_for_company_or_404(company, Invoice, pk=pk)
    if request.method == "GET":
        return invoice_detail(request, pk)
    quantities: dict[int, Decimal] | None = None
    if request.POST.get("mode") == "partial":
        quantities = {}
        for key in request.POST:
            raw = request.POST.get(key, "")
            if key.startswith("quantity_") and raw.strip():
                try:
                    quantities[int(key.removeprefix("quantity_"))] = Decimal(raw.strip().replace(",", "."))
                except (InvalidOperation, ValueError):
                    messages.error(request, _("“%(value)s” is not a quantity.") % {"value": raw})
                    return redirect("invoice-detail", pk=invoice.pk)
    try:
        note = services.credit(
            company,
            invoice.pk,
            quantities=quantities,
            issue_date=_date(request.POST.get("issue_date")),
            user=request.user,
        )
    except HaulbillError as exc:
        messages.error(request, exc.message)
        return redirect("invoice-detail", pk=invoice.pk)
    messages.success(request, _("Credit note %(number)s issued.") % {"number": note.number})
    return redirect("invoice-detail", pk=note.pk)


@member_required(Role.INVOICER)
def run_start(request: HttpRequest) -> HttpResponse:
    """GET: the selection form. POST: draft and pre-flight, then show the report."""
    company = request.company  # type: ignore[attr-defined]
    customers = Customer.objects.for_company(company).filter(is_active=True).order_by("name")
    if request.method == "POST":
        customer_ids = tuple(
            int(c) for c in request.POST.getlist("customer") if c.isdigit() and customers.filter(pk=int(c)).exists()
        )
        chosen = Selection(_date(request.POST.get("from")), _date(request.POST.get("to")), customer_ids)
        run = services.start_run(company, chosen, user=request.user)
        return redirect("invoicing-run-detail", pk=run.pk)
    return render(request, "web/invoices/run_form.html", {"customers": customers, "runs": selectors.runs(company)[:10]})


@member_required()
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    run = get_for_company_or_404(company, InvoicingRun, pk=pk)
    groups = selectors.run_overview(company, run)
    return render(
        request,
        "web/invoices/run_detail.html",
        {
            "run": run,
            "groups": groups,
            "company_problems": run.report.get("company_problems", []),
            "ready": [g for g in groups if not g.blocked and g.drafts],
            "blocked": [g for g in groups if g.blocked],
            "can_confirm": run.status == RunStatus.DRAFTED
            and not run.report.get("company_problems")
            and request.membership.has_role(Role.INVOICER),  # type: ignore[attr-defined]
            "job": run.job,
        },
    )


@require_http_methods(["GET", "POST"])
@member_required(Role.INVOICER)
def run_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """POST confirms the run and starts its finalisation job; GET shows the run page that holds the form."""
    from haulbill.invoicing.tasks import finalise_run_task

    company = request.company  # type: ignore[attr-defined]
    run = get_for_company_or_404(company, InvoicingRun, pk=pk)
    if request.method == "GET":
        return run_detail(request, pk)
    if run.status != RunStatus.DRAFTED or run.job_id:
        messages.error(request, _("This run was already confirmed."))
        return redirect("invoicing-run-detail", pk=run.pk)
    issue_date = _date(request.POST.get("issue_date"))
    job = create_job(
        company, RUN_JOB_KIND, user=request.user,
        params={"run_id": run.pk, "issue_date": issue_date.isoformat() if issue_date else None},
    )  # fmt: skip
    InvoicingRun.objects.filter(pk=run.pk, job__isnull=True).update(job=job)
    finalise_run_task(job.pk)
    if getattr(request, "htmx", False):
        job.refresh_from_db()
        return render(request, "web/invoices/partials/run_progress.html", {"run": run, "job": job})
    return redirect(reverse("invoicing-run-detail", args=[run.pk]))


@member_required()
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_for_company_or_404(request.company, InvoicingRun, pk=pk)  # type: ignore[attr-defined]
    if run.job is None:
        raise Http404(_("This run has not been confirmed."))
    return render(request, "web/invoices/partials/run_progress.html", {"run": run, "job": run.job})
