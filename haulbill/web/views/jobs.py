"""Background jobs seen from a page: the progress partial that htmx polls, and starting the catalog sync."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from haulbill.catalog.services import start_catalog_sync
from haulbill.core.models import Job
from haulbill.tenancy.models import Role
from haulbill.tenancy.scoping import get_for_company_or_404
from haulbill.web.access import member_required
from haulbill.web.next_url import next_url


@member_required()
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress bar, result or error; while it runs the fragment asks htmx to fetch it again."""
    job = get_for_company_or_404(request.company, Job, pk=pk)  # type: ignore[attr-defined]
    return render(request, "web/partials/job_progress.html", {"job": job})


def started(request: HttpRequest, job: Job, fallback: str) -> HttpResponse:
    """htmx gets the progress fragment in place; a plain form post goes back to the page showing the job."""
    job.refresh_from_db()  # the task may already have run (immediate mode, or a fast worker)
    if getattr(request, "htmx", False):
        return render(request, "web/partials/job_progress.html", {"job": job})
    return redirect(f"{fallback}?job={job.pk}")


@require_POST
@member_required(Role.INVOICER)
def catalog_sync(request: HttpRequest) -> HttpResponse:
    job = start_catalog_sync(request.company, user=request.user)  # type: ignore[attr-defined]
    return started(request, job, next_url(request, reverse("products")))


def job_from_query(request: HttpRequest, kinds: tuple[str, ...]) -> Job | None:
    """The job named by ?job= (of this company and kind), else the latest job of those kinds."""
    jobs = Job.objects.for_company(request.company).filter(kind__in=kinds)  # type: ignore[attr-defined]
    wanted = request.GET.get("job", "")
    if wanted.isdigit():
        return jobs.filter(pk=int(wanted)).first()
    return jobs.order_by("-created_at", "-id").first()
