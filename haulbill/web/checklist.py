"""The set-up checklist on the dashboard: each step of the journey, done or not, with where to do it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    # Products the TMS created before the first synchronisation do not count: only the platform's catalog does.
    products = (
        Product.objects.for_company(company)
        .filter(is_active=True)
        .filter(Q(provider=Provider.BUILTIN) | Q(last_synced_at__isnull=False))
        .count()
    )
    customers = Customer.objects.for_company(company).filter(is_active=True)
    total = customers.count()
    linked = customers.exclude(invoicing_id="").count()
    needs_link = inv.provider != Provider.BUILTIN  # the built-in provider needs no remote customers
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
            ngettext(
                "%(linked)d of %(total)d customer has an invoicing ID",
                "%(linked)d of %(total)d customers have an invoicing ID",
                total,
            )
            % {"linked": linked, "total": total},
            _url("linking") or _url("customers"),
        ),
        Step(
            _("Numbering set"),
            inv.first_invoice_number > 0 and bool(inv.number_format),
            _("Next invoice number format: %(fmt)s, starting at %(first)d")
            % {"fmt": inv.number_format, "first": inv.first_invoice_number},
            _url("invoicing-extension"),
        ),
    ]


@dataclass
class Count:
    key: str
    label: str
    count: int
    url: str
    empty: str


def work_summary(company: Company) -> list[Count]:
    """What waits for a person once set up: transports to verify, transports to invoice, documents not pushed."""
    from haulbill.invoicing.models import Invoice, InvoiceStatus, PushState
    from haulbill.transports.models import InvoicingStatus, Transport, TransportStatus

    waiting = Transport.objects.for_company(company).filter(
        status=TransportStatus.DONE, invoicing_status=InvoicingStatus.NOT_INVOICED
    )
    unpushed = Invoice.objects.for_company(company).filter(
        status=InvoiceStatus.FINALISED, push_state__in=[PushState.TO_PUSH, PushState.PUSHING, PushState.FAILED]
    )
    return [
        Count(
            "to-verify",
            _("Done transports to verify"),
            waiting.filter(verified_at__isnull=True).count(),
            _url("transports-to-verify") or _url("transports"),
            _("None: every done transport is verified."),
        ),
        Count(
            "to-invoice",
            _("Verified transports to invoice"),
            waiting.filter(verified_at__isnull=False).count(),
            _url("invoicing-run"),
            _("None: verify done transports to invoice them."),
        ),
        Count(
            "not-pushed",
            _("Invoices not yet in the invoicing platform"),
            unpushed.count(),
            _url("invoices"),
            _("None: every finalised invoice was sent to the platform."),
        ),
    ]
