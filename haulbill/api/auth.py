"""Who is calling: a bearer token (integrations) or the signed-in session (the web UI, with CSRF).

Both give the acting Membership as `request.auth`; `acting(request, role)` is how an endpoint asks for it and
enforces the role. A request that sends an Authorization header with a bad token is refused outright, never
retried as a session, so a leaked cookie cannot stand in for a broken integration's token.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Membership, Role, UserProfile

from . import tokens


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError()
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Membership:
        found = tokens.authenticate(token)
        if found is None:
            raise AuthenticationError()
        request.api_token = found  # type: ignore[attr-defined]
        _speak_the_users_language(request, found.membership)
        return found.membership


def _speak_the_users_language(request: HttpRequest, membership: Membership) -> None:
    """A token request has no session, so the middleware could only go by Accept-Language: the token's user's
    profile language wins, as it does on the pages (the middleware's rule)."""
    language = UserProfile.objects.filter(user_id=membership.user_id).values_list("language", flat=True).first()
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class SessionMembershipAuth(APIKeyCookie):
    """The web UI's session; unsafe methods must carry the CSRF token (the page sends X-CSRFToken)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # no session: let the 401 say how to authenticate, not a CSRF complaint
        if check_csrf(request):
            raise HttpError(403, "CSRF check failed")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Membership | None:
        if key is None:
            return None
        membership = getattr(request, "membership", None)
        if membership is None:
            raise HaulbillError(
                "no_company", _("Your account is not a member of any company yet. Ask your administrator."), status=403
            )
        return membership  # type: ignore[no-any-return]


def acting(request: HttpRequest, role: str = Role.VIEWER) -> Membership:
    """The acting membership, refused with 403 when its role is below `role`."""
    membership: Membership = request.auth  # type: ignore[attr-defined]
    if not membership.has_role(role):
        raise HaulbillError(
            "role_required",
            _("This needs the %(role)s role; your role in %(company)s is %(current)s. Ask an administrator.")
            % {"role": Role(role).label, "company": membership.company, "current": Role(membership.role).label},
            status=403,
        )
    return membership


def rate_limit_identity(request: HttpRequest) -> str:
    token = getattr(request, "api_token", None)
    if token is not None:
        return f"token:{token.pk}"
    membership = getattr(request, "auth", None)
    return f"user:{getattr(membership, 'user_id', 'anon')}"
