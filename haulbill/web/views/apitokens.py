"""API tokens (each user makes and revokes their own) and the company's audit log (administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from haulbill.api import tokens
from haulbill.core import audit
from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Role
from haulbill.web.access import member_required
from haulbill.web.paging import paginate


@never_cache
@member_required()
def token_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    context: dict[str, object] = {"name": ""}
    status = 200
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            token, raw = tokens.create_token(membership, name)
        except HaulbillError as exc:
            context.update(error=exc.message, name=name)
            status = 400
        else:
            # Shown in this response only: it is not kept anywhere in clear, not even in the session.
            context.update(new_token=raw, new_token_name=token.name)
    context["tokens"] = tokens.tokens_of(membership)
    return render(request, "web/apitokens/list.html", context, status=status)


@require_POST
@member_required()
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        token = tokens.revoke_token(request.membership, pk)  # type: ignore[attr-defined]
    except HaulbillError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The token %(name)s is revoked: it no longer works.") % {"name": token.name})
    return redirect("api-tokens")


@member_required(Role.ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "").strip()
    qs = audit.entries(request.company, action=action)  # type: ignore[attr-defined]
    return render(request, "web/apitokens/audit.html", {"page": paginate(request, qs), "action": action})
