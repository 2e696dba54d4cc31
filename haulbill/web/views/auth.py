"""Sign-in (throttled), sign-out and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haulbill.tenancy import throttle
from haulbill.tenancy.models import profile_for


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


class ThrottledLoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        username = request.POST.get("username", "")
        if throttle.is_locked(username, client_address(request)):
            minutes = settings.LOGIN_THROTTLE_WINDOW_SECONDS // 60
            locked = _(
                "Too many failed sign-in attempts. Wait %(minutes)d minutes or ask an administrator to reset your password."
            ) % {"minutes": minutes}
            context = self.get_context_data(form=AuthenticationForm(request), locked_message=locked)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        throttle.record_failure(self.request.POST.get("username", ""), client_address(self.request))
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        throttle.reset(form.get_user().get_username(), client_address(self.request))
        return super().form_valid(form)


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language."))
        return redirect("dashboard")
    if request.user.is_authenticated:
        profile = profile_for(request.user)
        profile.language = language
        profile.save(update_fields=["language"])
    translation.activate(language)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response
