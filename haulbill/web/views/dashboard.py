from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from haulbill.tenancy.models import Role
from haulbill.web.access import member_required
from haulbill.web.checklist import setup_checklist, work_summary


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("dashboard")


@member_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    checklist = setup_checklist(company)
    return render(
        request,
        "web/dashboard.html",
        {
            "checklist": checklist,
            "checklist_done": all(step.done for step in checklist),
            "work": work_summary(company),
            "can_run": request.membership.has_role(Role.INVOICER),  # type: ignore[attr-defined]
        },
    )
