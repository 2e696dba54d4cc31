"""Put the acting company and membership on the request, and the user's language in force."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from .models import Membership, UserProfile

SESSION_COMPANY_KEY = "haulbill_company_id"


def current_membership(request: HttpRequest) -> Membership | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    memberships = Membership.objects.select_related("company").filter(user=user).order_by("company__legal_name")
    wanted = request.session.get(SESSION_COMPANY_KEY)
    if wanted:
        chosen = memberships.filter(company_id=wanted).first()
        if chosen:
            return chosen
    return memberships.first()


class CompanyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = current_membership(request)
        request.membership = membership  # type: ignore[attr-defined]
        request.company = membership.company if membership else None  # type: ignore[attr-defined]
        language = None
        if membership is not None:
            language = (
                UserProfile.objects.filter(user_id=membership.user_id).values_list("language", flat=True).first()
                or None
            )
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
