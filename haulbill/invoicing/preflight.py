"""The troubleshooting list as code: every reason an invoice cannot be finalised, said plainly, before anything is.

Each problem names its transport or customer, says what is wrong in one translated sentence and links to the page
that fixes it. A company-level problem (no provider, refused key, no catalog, numbers issued elsewhere) blocks the
whole run; any other problem blocks only the invoice of the transport's customer, so the others can be invoiced.
The page, the API and the CLI all print these same Problem objects.

Before checking, the pre-flight fills a suggested item code into the run's lines still without one
(haulbill.catalog.suggestions): such a line passes like any other, and only a line for which no product could be
decided is reported, with a link to the transport page where a person picks it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.db import connection as db_connection
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from haulbill.addressbook.models import Customer
from haulbill.catalog.models import Product
from haulbill.core.errors import Problem
from haulbill.providers.base import InvoicingProvider, ProviderAuthError, ProviderError, RemoteCustomer
from haulbill.tenancy.models import Company
from haulbill.transports.models import PriceLine

from . import numbering, vat
from .models import InvoiceKind, InvoicingSettings, Provider, settings_for
from .selection import Batch, LineRow, TransportRow
from .totals import line_amount

log = logging.getLogger(__name__)


def _url(name: str, *args: Any, fallback: str = "") -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def settings_url() -> str:
    return _url("invoicing-extension", fallback="/settings/")


@dataclass
class Report:
    """The pre-flight outcome: company-wide problems, and problems per customer and transport."""

    company_problems: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    blocked_customers: set[int] = field(default_factory=set)
    blocked_transports: set[int] = field(default_factory=set)

    @property
    def all_problems(self) -> list[Problem]:
        return self.company_problems + self.problems

    @property
    def ok(self) -> bool:
        return not self.company_problems and not self.problems

    def add(self, problem: Problem, *, customer_id: int | None = None, transport_id: int | None = None) -> None:
        if customer_id is None and transport_id is None:
            self.company_problems.append(problem)
            return
        problem.params.setdefault("customer_id", customer_id)
        problem.params.setdefault("transport_id", transport_id)
        self.problems.append(problem)
        if problem.blocking:
            if transport_id is not None:
                self.blocked_transports.add(transport_id)
            elif customer_id is not None:
                self.blocked_customers.add(customer_id)

    def blocks(self, customer_id: int, transport_ids: list[int] | set[int]) -> bool:
        """Whether an invoice of this customer holding these transports must wait."""
        if any(p.blocking for p in self.company_problems):
            return True
        return customer_id in self.blocked_customers or bool(self.blocked_transports.intersection(transport_ids))

    def problems_for_customer(self, customer_id: int) -> list[Problem]:
        return [p for p in self.problems if p.params.get("customer_id") == customer_id]

    def as_json(self) -> dict[str, Any]:
        def dump(p: Problem) -> dict[str, Any]:
            return {
                **p.as_dict(),
                "customer_id": p.params.get("customer_id"),
                "transport_id": p.params.get("transport_id"),
            }

        return {
            "company_problems": [dump(p) for p in self.company_problems],
            "problems": [dump(p) for p in self.problems],
            "blocked_customers": sorted(self.blocked_customers),
            "blocked_transports": sorted(self.blocked_transports),
        }


def _has_remote_catalog(provider: InvoicingProvider) -> bool:
    # The built-in provider's catalog is the local one; every other provider's comes from its platform.
    return provider.key != Provider.BUILTIN


def _provider_name(inv_settings: InvoicingSettings) -> str:
    return (
        str(inv_settings.get_provider_display())
        if inv_settings.provider != Provider.NONE
        else _("the invoicing platform")
    )


def check_provider(company: Company, report: Report, inv_settings: InvoicingSettings) -> InvoicingProvider | None:
    """Connected, key accepted, catalog synchronised, and no number issued on the platform behind our back."""
    from haulbill.providers.registry import provider_for

    name = _provider_name(inv_settings)
    provider = provider_for(company)
    if provider is None:
        report.add(
            Problem(
                "provider_not_connected",
                _(
                    "No invoicing platform is connected: connect %(provider)s or choose the built-in provider in the invoicing settings."
                )
                % {"provider": name if inv_settings.provider != Provider.NONE else _("your invoicing platform")},
                fix_url=settings_url(),
                subject="company",
            )
        )
        return None
    try:
        provider.check_connection()
    except ProviderAuthError:
        report.add(
            Problem(
                "provider_key_invalid",
                _("%(provider)s no longer accepts the stored API key: paste a new key in the invoicing settings.")
                % {"provider": name},
                fix_url=settings_url(),
                subject="company",
            )
        )
        return None
    except ProviderError as exc:
        report.add(
            Problem(
                "provider_unavailable",
                _("%(provider)s could not be reached (%(detail)s): try again in a few minutes.")
                % {"provider": name, "detail": exc.message},
                fix_url=settings_url(),
                subject="company",
            )
        )
        return None
    _check_catalog(company, report, provider, name)
    _check_sequence(company, report, provider, name)
    return provider


def _check_catalog(company: Company, report: Report, provider: InvoicingProvider, name: str) -> None:
    products = Product.objects.for_company(company).filter(is_active=True)
    if _has_remote_catalog(provider):
        if not products.filter(provider=provider.key, last_synced_at__isnull=False).exists():
            report.add(
                Problem(
                    "catalog_not_synchronised",
                    _(
                        "The product catalog was never synchronised from %(provider)s, or it is empty: synchronise it first."
                    )
                    % {"provider": name},
                    fix_url=_url("products", fallback="/products/"),
                    subject="company",
                )
            )
    elif not products.exists():
        report.add(
            Problem(
                "catalog_empty",
                _("The product catalog is empty: add at least one active product (item code) before invoicing."),
                fix_url=_url("products", fallback="/products/"),
                subject="company",
            )
        )


def _check_sequence(company: Company, report: Report, provider: InvoicingProvider, name: str) -> None:
    try:
        remote = provider.next_number(InvoiceKind.INVOICE, consume=False)
    except ProviderError as exc:
        log.warning("could not read the provider's next number for company %s: %s", company.pk, exc.code)
        return
    remote_value = numbering.trailing_number(remote or "")
    ours = numbering.peek(company, InvoiceKind.INVOICE)
    if remote_value is not None and remote_value > ours.value:
        report.add(
            Problem(
                "numbering_out_of_sync",
                _(
                    "%(provider)s's next invoice number is %(remote)s but Haulbill's is %(ours)s: invoices were "
                    "numbered in %(provider)s meanwhile. Haulbill stops so that no number is used twice; align the "
                    "numbering in the invoicing settings, then run again."
                )
                % {"provider": name, "remote": remote, "ours": ours.number},
                fix_url=settings_url(),
                subject="company",
            )
        )


def _check_transport(
    report: Report,
    transport: TransportRow,
    customer: Customer,
    products: dict[int, Product],
    provider: InvoicingProvider | None,
    mentions: vat.Mentions,
    vat_seen: set[tuple[int, int]],
) -> None:
    subject = f"transport:{transport.reference}"

    def add(code: str, message: str) -> None:
        # The fix link is built only for a problem: reverse() for every transport would cost more than the checks.
        report.add(
            Problem(code, message, fix_url=_url("transport-detail", transport.id), subject=subject),
            customer_id=customer.pk,
            transport_id=transport.id,
        )

    ref = transport.reference
    if not transport.lines:
        add(
            "transport_without_price_lines",
            _("Transport %(ref)s has no price lines: add its price before invoicing it.") % {"ref": ref},
        )
        return
    total = sum((line.amount for line in transport.lines), Decimal("0"))
    if total <= 0:
        add("transport_total_not_positive",
            _("Transport %(ref)s totals %(total)s EUR: only a positive amount can be invoiced. Correct its price lines.")
            % {"ref": ref, "total": total})  # fmt: skip
    remote = provider is not None and _has_remote_catalog(provider)
    for line in transport.lines:
        product = products.get(line.product_id) if line.product_id else None
        if product is None:
            add("price_line_without_item_code",
                _("Transport %(ref)s: the price line “%(line)s” has no item code, and none could be suggested: pick one on the transport page.")
                % {"ref": ref, "line": line.description})  # fmt: skip
            continue
        if not product.is_active:
            add("item_code_inactive",
                _("Transport %(ref)s: the item code %(code)s of price line “%(line)s” belongs to a deactivated product. Choose an active product.")
                % {"ref": ref, "code": product.item_code, "line": line.description})  # fmt: skip
        elif provider is not None and (product.provider != provider.key or (remote and product.last_synced_at is None)):
            add("item_code_unknown",
                _("Transport %(ref)s: the item code %(code)s of price line “%(line)s” is not in the synchronised catalog. Synchronise the catalog or choose another product.")
                % {"ref": ref, "code": product.item_code, "line": line.description})  # fmt: skip
        # The VAT of a (customer, product) pair is decided once; one problem is enough, the fix is the same.
        if (customer.pk, product.pk) in vat_seen:
            continue
        vat_seen.add((customer.pk, product.pk))
        try:
            vat.resolve(
                vat.ProductVat(product.item_code, product.vat_level, product.vat_rate),
                vat.CustomerVat(customer.name, customer.vat_regime, customer.vat_number, customer.country),
                mentions,
            )
        except vat.VatUnresolved as exc:
            fix = (
                _url("products", fallback="/products/")
                if exc.code == "vat_product_without_rate"
                else _url("customer-detail", customer.pk)
            )
            report.add(
                Problem(exc.code, exc.message, fix_url=fix, subject=f"customer:{customer.pk}"), customer_id=customer.pk
            )


def _check_customers(report: Report, batch: Batch, provider: InvoicingProvider, name: str) -> None:
    """Every customer of the selection has an invoicing ID the platform still knows (one call per customer)."""
    to_check: list[Customer] = []
    for customer in batch.customers.values():
        if not customer.invoicing_id:
            report.add(
                Problem(
                    "customer_without_invoicing_id",
                    _("Customer %(name)s has no invoicing ID: link it to its customer in %(provider)s.")
                    % {"name": customer.name, "provider": name},
                    fix_url=_url("customer-detail", customer.pk),
                    subject=f"customer:{customer.pk}",
                ),
                customer_id=customer.pk,
            )
        else:
            to_check.append(customer)
    for customer, outcome in zip(
        to_check, _remote_customers(provider, [c.invoicing_id for c in to_check]), strict=True
    ):
        if isinstance(outcome, ProviderError):
            report.add(
                Problem(
                    "customer_not_checked",
                    _("Customer %(name)s could not be checked in %(provider)s (%(detail)s): try again.")
                    % {"name": customer.name, "provider": name, "detail": outcome.message},
                    fix_url=_url("customer-detail", customer.pk),
                    subject=f"customer:{customer.pk}",
                ),
                customer_id=customer.pk,
            )
        elif outcome is None:
            report.add(
                Problem(
                    "customer_unknown_to_provider",
                    _("Customer %(name)s: its invoicing ID %(id)s is no longer known to %(provider)s. Link it again.")
                    % {"name": customer.name, "id": customer.invoicing_id, "provider": name},
                    fix_url=_url("customer-detail", customer.pk),
                    subject=f"customer:{customer.pk}",
                ),
                customer_id=customer.pk,
            )


def _remote_customers(
    provider: InvoicingProvider, remote_ids: list[str]
) -> list[RemoteCustomer | None | ProviderError]:
    """Look the customers up concurrently; the worker threads only talk HTTP and close any DB connection."""

    def one(remote_id: str) -> RemoteCustomer | None | ProviderError:
        try:
            return provider.get_customer(remote_id)
        except ProviderError as exc:
            return exc
        finally:
            if threaded:
                db_connection.close()

    threaded = len(remote_ids) > 1
    if not threaded:
        return [one(r) for r in remote_ids]
    workers = max(1, min(getattr(django_settings, "BILLIT_CONCURRENCY", 8), len(remote_ids)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, remote_ids))


Check = Callable[[Company, Batch, Report], None]
# Checks other apps add to the pre-flight (e.g. haulbill.fuel: a missing index month), registered in their ready().
EXTRA_CHECKS: list[Check] = []


def register_check(check: Check) -> None:
    """Let another app add a check; it gets the same batch and adds to the same report."""
    if check not in EXTRA_CHECKS:
        EXTRA_CHECKS.append(check)


def fill_suggestions(company: Company, batch: Batch) -> int:
    """Fill suggested item codes into the batch's lines without one, and bring the batch up to date (those lines,
    the fuel surcharges that follow from them, their products), so the checks and the drafts made from this batch
    see what the transport pages show. A fixed number of queries; returns how many lines were filled."""
    from haulbill.catalog import suggestions
    from haulbill.fuel import services as fuel

    filled = suggestions.fill(
        company, transport_ids=batch.source_ids if batch.source_ids is not None else [t.id for t in batch.transports]
    )
    if not filled.changed:
        return 0
    fuel.refresh_surcharges(company, filled.transport_ids)
    rows = {t.id: t for t in batch.transports if t.id in filled.transport_ids}
    for row in rows.values():
        row.lines = []
    for values in (
        PriceLine.objects.for_company(company)
        .filter(transport_id__in=list(rows))
        .order_by("transport_id", "position", "id")
        .values_list("id", "transport_id", "position", "description", "quantity", "unit", "unit_price", "product_id")
    ):
        line = LineRow(*values)
        line.amount = line_amount(line.quantity, line.unit_price)
        rows[line.transport_id].lines.append(line)
    missing = {line.product_id for row in rows.values() for line in row.lines if line.product_id} - set(batch.products)
    if missing:
        batch.products.update({p.pk: p for p in Product.objects.for_company(company).filter(pk__in=missing)})
    return sum(1 for product_id in filled.changed.values() if product_id)


def run(company: Company, batch: Batch) -> Report:
    """Pre-flight `batch`: fill the suggestions it can, then company checks, then per transport and per customer of
    the selection only."""
    fill_suggestions(company, batch)
    report = Report()
    inv_settings = settings_for(company)
    provider = check_provider(company, report, inv_settings)
    mentions = mentions_for(inv_settings)
    vat_seen: set[tuple[int, int]] = set()
    for transport in batch.transports:
        _check_transport(
            report, transport, batch.customers[transport.customer_id], batch.products, provider, mentions, vat_seen
        )
    if provider is not None and _has_remote_catalog(provider) and batch.customers:
        _check_customers(report, batch, provider, _provider_name(inv_settings))
    for check in EXTRA_CHECKS:
        check(company, batch, report)
    return report


def mentions_for(inv_settings: InvoicingSettings) -> vat.Mentions:
    return vat.Mentions(inv_settings.reverse_charge_mention, inv_settings.export_mention, inv_settings.exempt_mention)
