"""Reads the invoice pages and the API share: lists with filters, one invoice with everything it shows, a run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from haulbill.addressbook.models import Customer
from haulbill.tenancy.models import Company

from .credit_notes import remaining_quantities
from .models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, InvoicingRun
from .totals import VatGroup


def invoices(
    company: Company,
    *,
    status: str = "",
    kind: str = "",
    customer_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    search: str = "",
    payment: str = "",
    today: dt.date | None = None,
) -> QuerySet[Invoice]:
    """The company's invoices and credit notes, filtered; `payment` "unpaid" or "overdue" (unpaid and past due)."""
    qs = Invoice.objects.for_company(company).select_related("customer").defer("pdf", "seller", "buyer")
    if payment in ("unpaid", "overdue"):
        qs = qs.filter(status=InvoiceStatus.FINALISED, kind=InvoiceKind.INVOICE, paid=False)
    if payment == "overdue":
        qs = qs.filter(due_date__lt=today or timezone.localdate())
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if date_from:
        qs = qs.filter(Q(issue_date__gte=date_from) | Q(issue_date__isnull=True, delivery_date__gte=date_from))
    if date_to:
        qs = qs.filter(Q(issue_date__lte=date_to) | Q(issue_date__isnull=True, delivery_date__lte=date_to))
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(customer__name__icontains=search))
    return qs.order_by("-issue_date", "-sequence_value", "-id")


@dataclass
class InvoicePage:
    invoice: Invoice
    lines: list[InvoiceLine]
    breakdown: list[VatGroup]
    credit_notes: list[Invoice]
    remaining: dict[int, Decimal]

    @property
    def can_be_credited(self) -> bool:
        return (
            self.invoice.kind == "invoice"
            and self.invoice.status == "finalised"
            and any(q > 0 for q in self.remaining.values())
        )


def invoice_page(company: Company, invoice: Invoice) -> InvoicePage:
    lines = list(
        InvoiceLine.objects.for_company(company)
        .filter(invoice=invoice)
        .select_related("transport", "credited_line")
        .order_by("position", "id")
    )
    notes = list(
        Invoice.objects.for_company(company).filter(credited_invoice=invoice).defer("pdf").order_by("sequence_value")
    )
    remaining = remaining_quantities(company, invoice) if invoice.kind == "invoice" and invoice.is_finalised else {}
    for line in lines:
        line.remaining = remaining.get(line.pk)  # type: ignore[attr-defined]
    return InvoicePage(invoice, lines, [VatGroup.from_json(g) for g in invoice.vat_breakdown], notes, remaining)


@dataclass
class RunCustomer:
    customer: Customer
    drafts: list[Invoice] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    finalised: list[Invoice] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return any(p.get("blocking", True) for p in self.problems)

    @property
    def count(self) -> int:
        return len(self.drafts) + len(self.finalised)

    @property
    def total_incl(self) -> Decimal:
        return sum((d.total_incl for d in self.drafts + self.finalised), Decimal("0"))

    @property
    def total_excl(self) -> Decimal:
        return sum((d.total_excl for d in self.drafts + self.finalised), Decimal("0"))


def run_overview(company: Company, run: InvoicingRun) -> list[RunCustomer]:
    """The run's report grouped per customer: blocked ones first, with their problems and fix links."""
    groups: dict[int, RunCustomer] = {}
    for invoice in Invoice.objects.for_company(company).filter(run=run).select_related("customer").defer("pdf"):
        group = groups.setdefault(invoice.customer_id, RunCustomer(invoice.customer))
        (group.drafts if invoice.status == "draft" else group.finalised).append(invoice)
    for problem in run.report.get("problems", []):
        customer_id = problem.get("customer_id")
        if customer_id in groups:
            groups[customer_id].problems.append(problem)
    return sorted(groups.values(), key=lambda g: (not g.blocked, g.customer.name))


def runs(company: Company) -> QuerySet[InvoicingRun]:
    return InvoicingRun.objects.for_company(company).select_related("created_by").order_by("-created_at", "-id")
