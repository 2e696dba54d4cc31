"""Settings › Extensions › Invoicing: enable (staff), choose the provider, connect Billit, sync the catalog.

Every member may look; only company admins change anything (platform staff switch the extension itself).
The API key is a password field that is never rendered back; the page only ever shows the masked key.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haulbill.catalog.services import JOB_KIND as SYNC_JOB
from haulbill.core.errors import HaulbillError
from haulbill.invoicing.models import Provider, settings_for
from haulbill.providers import services
from haulbill.providers.base import RemoteAccount
from haulbill.providers.models import Environment, ProviderConnection
from haulbill.providers.registry import active_connection
from haulbill.tenancy.models import Role
from haulbill.web.access import member_required
from haulbill.web.views.jobs import job_from_query


class ConnectForm(forms.Form):
    api_key = forms.CharField(
        label=gettext_lazy("API key"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("In Billit: Profile › Users & API."),
    )
    environment = forms.ChoiceField(label=gettext_lazy("Environment"), choices=Environment.choices)
    base_url = forms.CharField(
        label=gettext_lazy("Custom base URL"), required=False, help_text=gettext_lazy("e.g. http://127.0.0.1:8765")
    )


class ReplaceKeyForm(forms.Form):
    api_key = forms.CharField(
        label=gettext_lazy("New API key"), widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
    )


def settings_home(request: HttpRequest) -> HttpResponse:
    return redirect("invoicing-extension")


@member_required()
def invoicing_extension(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _change(request)
    return _page(request)


def _page(request: HttpRequest, *, connect_form: ConnectForm | None = None,
          replace_form: ReplaceKeyForm | None = None, status: int = 200) -> HttpResponse:  # fmt: skip
    company = request.company  # type: ignore[attr-defined]
    inv = settings_for(company)
    connection = active_connection(company)
    accounts: list[RemoteAccount] = []
    accounts_error = ""
    if (
        inv.extension_enabled
        and connection is not None
        and connection.provider == Provider.BILLIT
        and not connection.party_id
    ):
        try:
            accounts = services.billit_accounts(company)
        except HaulbillError as exc:
            accounts_error = exc.message
    history = ProviderConnection.objects.for_company(company).filter(is_active=False).order_by("-disconnected_at")[:10]
    return render(
        request,
        "web/extension/invoicing.html",
        {
            "inv": inv,
            "connection": connection,
            "accounts": accounts,
            "accounts_error": accounts_error,
            "history": history,
            "connect_form": connect_form or ConnectForm(initial={"environment": Environment.PRODUCTION}),
            "replace_form": replace_form or ReplaceKeyForm(),
            "is_admin": request.membership.has_role(Role.ADMIN),  # type: ignore[attr-defined]
            "can_sync": request.membership.has_role(Role.INVOICER),  # type: ignore[attr-defined]
            "sync_job": job_from_query(request, (SYNC_JOB,)),
            "providers": [(Provider.BUILTIN, Provider.BUILTIN.label), (Provider.BILLIT, Provider.BILLIT.label)],
        },
        status=status,
    )


@member_required(Role.ADMIN)
def _change(request: HttpRequest) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
    action = request.POST.get("action", "")
    try:
        if action in ("enable", "disable"):
            services.set_extension_enabled(company, action == "enable", by=request.user)
            messages.success(
                request, _("Invoicing extension enabled.") if action == "enable" else _("Invoicing extension disabled.")
            )
        elif action == "provider":
            services.choose_provider(company, request.POST.get("provider", ""), by=request.user)
            messages.success(request, _("Provider saved."))
        elif action == "connect":
            form = ConnectForm(request.POST)
            if not form.is_valid():
                # The bound form shows each error next to its field and keeps the environment and URL; the key is
                # a PasswordInput that never renders its value back.
                return _page(request, connect_form=form, status=400)
            result = services.connect_billit(
                company,
                api_key=form.cleaned_data["api_key"],
                environment=form.cleaned_data["environment"],
                base_url=form.cleaned_data["base_url"],
                by=request.user,
            )
            if result.needs_company_choice:
                messages.info(request, _("The key may act for several Billit companies: choose one."))
            else:
                messages.success(request, _("Billit connected: %(name)s.") % {"name": result.connection.party_name})
        elif action == "choose-company":
            connection = services.choose_billit_company(company, request.POST.get("party_id", ""), by=request.user)
            messages.success(request, _("Billit company chosen: %(name)s.") % {"name": connection.party_name})
        elif action == "replace-key":
            replace = ReplaceKeyForm(request.POST)
            if not replace.is_valid():
                return _page(request, replace_form=replace, status=400)
            services.replace_api_key(company, replace.cleaned_data["api_key"], by=request.user)
            messages.success(request, _("API key replaced."))
        elif action == "refresh-numbers":
            services.refresh_numbers(company)
            messages.success(request, _("Next numbers read from Billit."))
        elif action == "disconnect":
            services.disconnect(company, by=request.user)
            messages.success(request, _("Disconnected. The key was removed; the connection stays in the history."))
        else:
            messages.error(request, _("Unknown action."))
    except HaulbillError as exc:
        status = exc.status if exc.status < 500 else 400
        if action in ("connect", "replace-key"):
            refused: forms.Form = ConnectForm(request.POST) if action == "connect" else ReplaceKeyForm(request.POST)
            refused.is_valid()
            if exc.field in refused.fields:
                refused.add_error(exc.field, exc.message)  # next to the field it is about
            else:
                messages.error(request, exc.message)
            forms_kw = {"connect_form": refused} if action == "connect" else {"replace_form": refused}
            return _page(request, status=status, **forms_kw)  # type: ignore[arg-type]
        messages.error(request, exc.message)
        return _page(request, status=status)
    return redirect("invoicing-extension")
