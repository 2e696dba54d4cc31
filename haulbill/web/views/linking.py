"""Linking the address book: review proposals, run automatic linking, push or import customers, CSV links."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haulbill.addressbook import csv_links, services
from haulbill.addressbook.models import Customer, LinkProposal, ProposalStatus
from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Role
from haulbill.web.access import member_required
from haulbill.web.next_url import next_url
from haulbill.web.paging import paginate
from haulbill.web.views.jobs import job_from_query, started

JOB_KINDS = (services.LINK_JOB, services.PUSH_JOB, services.IMPORT_JOB)
SESSION_IMPORT = "haulbill_link_import"


@member_required()
def review(request: HttpRequest) -> HttpResponse:
    return _review_page(request)


def _review_page(request: HttpRequest, *, threshold: str | None = None, threshold_error: str = "") -> HttpResponse:
    """The review page; a refused "accept above" comes back with status 400, the threshold as typed and its error
    under it."""
    company = request.company  # type: ignore[attr-defined]
    pending = (
        LinkProposal.objects.for_company(company)
        .filter(status=ProposalStatus.PENDING)
        .select_related("customer")
        .order_by("-score", "customer__name", "id")
    )
    customers = Customer.objects.for_company(company).filter(is_active=True)
    return render(
        request,
        "web/linking/review.html",
        {
            "page": paginate(request, pending),
            "job": job_from_query(request, JOB_KINDS),
            "can_edit": request.membership.has_role(Role.INVOICER),  # type: ignore[attr-defined]
            "linked": customers.exclude(invoicing_id="").count(),
            "total": customers.count(),
            "threshold": services.DEFAULT_ACCEPT_THRESHOLD if threshold is None else threshold,
            "threshold_error": threshold_error,
            # A refused form is rendered at /linking/accept-above/: a decision made there comes back to the review.
            "here": reverse("linking") if threshold_error else request.get_full_path(),
        },
        status=400 if threshold_error else 200,
    )


@require_POST
@member_required(Role.INVOICER)
def start(request: HttpRequest, kind: str) -> HttpResponse:
    job = services.start_job(request.company, kind, user=request.user)  # type: ignore[attr-defined]
    return started(request, job, reverse("linking"))


def run_linking(request: HttpRequest) -> HttpResponse:
    return start(request, services.LINK_JOB)


def push_customers(request: HttpRequest) -> HttpResponse:
    return start(request, services.PUSH_JOB)


def import_customers(request: HttpRequest) -> HttpResponse:
    return start(request, services.IMPORT_JOB)


@require_POST
@member_required(Role.INVOICER)
def decide(request: HttpRequest) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    raw = request.POST.get("proposal", "")
    decision = request.POST.get("decision", "")
    try:
        if not raw.isdecimal() or decision not in ("accept", "reject"):
            raise HaulbillError("bad_request", _("Choose a proposal to accept or reject."))
        if decision == "accept":
            proposal = services.accept_proposal(company, int(raw), by=request.user)
            messages.success(
                request, _("%(name)s linked to %(id)s.") % {"name": proposal.customer.name, "id": proposal.remote_id}
            )
        else:
            services.reject_proposal(company, int(raw), by=request.user)
            messages.success(request, _("Proposal rejected."))
    except HaulbillError as exc:
        messages.error(request, exc.message)
    return redirect(next_url(request, "linking"))


@member_required()
def accept_above(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        # The refused form's page links to ?page=N here: those pages are the review's.
        query = request.GET.urlencode()
        return redirect(reverse("linking") + (f"?{query}" if query else ""))
    return _accept_above(request)


@member_required(Role.INVOICER)
def _accept_above(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("threshold", "")
    try:
        if not raw.strip().isdecimal() or not 0 <= int(raw) <= 100:
            raise HaulbillError("bad_threshold", _("The threshold is a score from 0 to 100."), field="threshold")
        count = services.accept_proposals_above(request.company, int(raw), by=request.user)  # type: ignore[attr-defined]
    except HaulbillError as exc:
        if exc.field == "threshold":
            return _review_page(request, threshold=raw, threshold_error=exc.message)
        messages.error(request, exc.message)
        return redirect("linking")
    messages.success(request, _("%(count)d proposals accepted (ambiguous ones are left for you).") % {"count": count})
    return redirect("linking")


@member_required()
def export_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(csv_links.export_links(request.company), content_type="text/csv; charset=utf-8")  # type: ignore[attr-defined]
    response["Content-Disposition"] = 'attachment; filename="invoicing-links.csv"'
    return response


@member_required(Role.INVOICER)
def import_csv(request: HttpRequest) -> HttpResponse:
    """Upload → preview (errors per line, rows to write) → confirm. The file waits in the session meanwhile."""
    company = request.company  # type: ignore[attr-defined]
    stored = request.session.get(SESSION_IMPORT)
    text = stored["text"] if isinstance(stored, dict) and stored.get("company") == company.pk else ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "cancel":
            request.session.pop(SESSION_IMPORT, None)
            return redirect("linking-import")
        if action == "confirm":
            if not text:
                messages.error(request, _("Upload the file again: the preview expired."))
                return redirect("linking-import")
            try:
                done = csv_links.apply_import(company, text)
            except HaulbillError as exc:
                messages.error(request, exc.message)
                return redirect("linking-import")
            request.session.pop(SESSION_IMPORT, None)
            messages.success(request, _("%(count)d links written.") % {"count": len(done.rows)})
            return redirect("linking")
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV file to upload."))
            return redirect("linking-import")
        try:
            text = csv_links.decode(upload.read(csv_links.MAX_BYTES + 1))
            csv_links.check_import(company, text)
        except HaulbillError as exc:
            messages.error(request, exc.message)
            return redirect("linking-import")
        request.session[SESSION_IMPORT] = {"company": company.pk, "text": text, "name": upload.name}
        return redirect("linking-import")
    check = None
    if text:
        try:
            check = csv_links.check_import(company, text)
        except HaulbillError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "web/linking/import.html",
        {"check": check, "filename": stored.get("name", "") if check and isinstance(stored, dict) else ""},
    )
