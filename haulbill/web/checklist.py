"""The set-up checklist on the dashboard: each step of the journey, done or not, with where to do it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from haulbill.addressbook.models import Customer
from haulbill.catalog.models import Product
from haulbill.invoicing.models import Provider, settings_for
from haulbill.providers.models import ProviderConnection
from haulbill.tenancy.models import Company


@dataclass
class Step:
    label: str
    done: bool
    detail: str
    url: str


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def setup_checklist(company: Company) -> list[Step]:
    inv = settings_for(company)
    connected = ProviderConnection.objects.for_company(company).filter(is_active=True).exists()
    products = Product.objects.for_company(company).filter(is_active=True).count()
    customers = Customer.objects.for_company(company).filter(is_active=True)
    total = customers.count()
    linked = customers.exclude(invoicing_id="").count()
    needs_link = inv.provider == Provider.BILLIT
    return [
        Step(
            _("Invoicing extension enabled"),
            inv.extension_enabled,
            _("Switched on by Haulbill staff for your company.") if not inv.extension_enabled else "",
            _url("invoicing-extension"),
        ),
        Step(
            _("Invoicing platform connected"),
            connected or inv.provider == Provider.BUILTIN,
            inv.get_provider_display()
            if inv.provider != Provider.NONE
            else _("Choose Billit or the built-in provider."),
            _url("invoicing-extension"),
        ),
        Step(
            _("Catalog synchronised"),
            products > 0,
            _("%(count)d active products") % {"count": products},
            _url("products"),
        ),
        Step(
            _("Customers linked"),
            (linked == total and total > 0) or not needs_link,
            _("%(linked)d of %(total)d customers have an invoicing ID") % {"linked": linked, "total": total},
            _url("customers"),
        ),
        Step(
            _("Numbering set"),
            inv.first_invoice_number > 0 and bool(inv.number_format),
            _("Next invoice number format: %(fmt)s, starting at %(first)d")
            % {"fmt": inv.number_format, "first": inv.first_invoice_number},
            _url("invoicing-extension"),
        ),
    ]
