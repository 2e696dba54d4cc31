"""Pushing seen from a page: a run's live counts (an htmx partial), its failed invoices, retry buttons, webhooks.

The views parse input and render; claiming, retrying and status updates live in haulbill.delivery.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from haulbill.delivery import push
from haulbill.delivery import webhooks as delivery_webhooks
from haulbill.invoicing.models import Invoice, InvoicingRun, PushState
from haulbill.tenancy.models import Role
from haulbill.tenancy.scoping import get_for_company_or_404
from haulbill.web.access import member_required


def _progress_context(request: HttpRequest, run: InvoicingRun) -> dict[str, object]:
    company = request.company  # type: ignore[attr-defined]
    counts = push.counts(company, run_id=run.pk)
    failed = Invoice.objects.for_company(company).filter(run=run, push_state=PushState.FAILED).order_by("id")[:200]
    return {"run": run, "counts": counts, "failed": failed, "can_retry": request.membership.has_role(Role.INVOICER)}  # type: ignore[attr-defined]


@member_required()
def push_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The partial a run page includes: counts to push / pushed / failed, polling itself while work remains."""
    run = get_for_company_or_404(request.company, InvoicingRun, pk=run_id)  # type: ignore[attr-defined]
    return render(request, "web/pushing/progress.html", _progress_context(request, run))


@member_required()
def push_page(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_for_company_or_404(request.company, InvoicingRun, pk=run_id)  # type: ignore[attr-defined]
    return render(request, "web/pushing/run.html", _progress_context(request, run))


@require_POST
@member_required(Role.INVOICER)
def retry_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_for_company_or_404(request.company, InvoicingRun, pk=run_id)  # type: ignore[attr-defined]
    push.retry(request.company, run_id=run.pk)  # type: ignore[attr-defined]
    if getattr(request, "htmx", False):
        return render(request, "web/pushing/progress.html", _progress_context(request, run))
    return redirect("push-run", run_id=run.pk)


@require_POST
@member_required(Role.INVOICER)
def retry_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_for_company_or_404(request.company, Invoice, pk=pk)  # type: ignore[attr-defined]
    push.retry(request.company, [invoice.pk])  # type: ignore[attr-defined]
    if invoice.run_id and getattr(request, "htmx", False):
        return render(request, "web/pushing/progress.html", _progress_context(request, invoice.run))  # type: ignore[arg-type]
    return redirect("push-run", run_id=invoice.run_id) if invoice.run_id else redirect("dashboard")


@csrf_exempt
@require_POST
def billit_webhook(request: HttpRequest, token: str) -> HttpResponse:
    """Billit's deliveries: no session and no CSRF token, so the signature is the only key (checked inside)."""
    outcome = delivery_webhooks.receive(token, request.headers.get("Billit-Signature"), request.body)
    return HttpResponse(outcome.message, status=outcome.status, content_type="text/plain")
