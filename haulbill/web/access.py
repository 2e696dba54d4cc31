"""Who may open a page: signed in, member of a company, with at least the role the page needs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from haulbill.tenancy.models import Role

View = Callable[..., HttpResponse]


def member_required(role: str = Role.VIEWER) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None:
                return render(
                    request,
                    "web/forbidden.html",
                    {"reason": _("Your account is not a member of any company yet. Ask your administrator.")},
                    status=403,
                )
            if not membership.has_role(role):
                return render(
                    request,
                    "web/forbidden.html",
                    {
                        "reason": _("This page needs the %(role)s role. Ask an administrator of your company.")
                        % {"role": Role(role).label}
                    },
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
