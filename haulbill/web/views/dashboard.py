from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from haulbill.web.access import member_required
from haulbill.web.checklist import setup_checklist


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("dashboard")


@member_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    return render(request, "web/dashboard.html", {"checklist": setup_checklist(company)})
