"""Draft invoices (pro forma) a person opens and changes before they are finalised.

A draft has no number and never reaches the invoicing platform; only finalisation numbers and pushes it. Each edit
here runs in one transaction on the locked draft and ends the same way: the fuel surcharges of its transports are
recomputed (never duplicated), then its totals, with the engine's VAT and totals functions. A draft line that comes
from a transport's price line edits that price line too, so the transport says what its invoice says and a later
run drafts the same thing. Every service refuses a finalised (or cancelled) invoice with `invoice_not_draft`.

The pro forma PDF is rendered on demand from the current lines, marked "PRO FORMA — not an invoice".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from haulbill.addressbook.models import Customer
from haulbill.catalog.models import Product
from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Company
from haulbill.transports.models import InvoicingStatus, PriceLine, Transport, TransportStatus

from . import drafting, selection, snapshots, vat
from .models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, settings_for
from .preflight import mentions_for
from .totals import TotalLine, VatGroup, compute, line_amount

EDITABLE_FIELDS = ("description", "quantity", "unit", "unit_price", "product_id")


def _not_draft(invoice: Invoice) -> HaulbillError:
    return HaulbillError(
        "invoice_not_draft",
        _("Invoice %(number)s is finalised: it can no longer be changed. Issue a credit note to correct it.")
        % {"number": invoice.number or invoice.pk},
        status=409,
    )


def _lock(company: Company, invoice_id: int) -> Invoice:
    invoice = Invoice.objects.for_company(company).select_for_update().select_related("customer").get(pk=invoice_id)
    if invoice.status != InvoiceStatus.DRAFT or invoice.kind != InvoiceKind.INVOICE:
        raise _not_draft(invoice)
    return invoice


def _lines(company: Company, invoices: Iterable[int]) -> list[InvoiceLine]:
    return list(
        InvoiceLine.objects.for_company(company)
        .filter(invoice_id__in=list(invoices))
        .select_related("price_line")
        .order_by("invoice_id", "position", "id")
    )


def _row(transport: Transport) -> selection.TransportRow:
    return selection.TransportRow(
        transport.pk, transport.reference, transport.customer_id, transport.loading_place,
        transport.loading_date, transport.unloading_place, transport.unloading_date,
    )  # fmt: skip


def company_mentions(company: Company) -> vat.Mentions:
    return mentions_for(settings_for(company))


# The fields of a draft line that follow from its product and the draft's customer.
PRODUCT_FIELDS = ("product", "item_code", "vat_category", "vat_rate", "vat_exemption_code", "vat_exemption_text")


def carry_product(line: InvoiceLine, product: Product | None, buyer: vat.CustomerVat, mentions: vat.Mentions) -> bool:
    """Give `line` the product, its item code and the VAT it carries for this customer (drafting's rule); whether
    anything changed."""
    treatment = drafting.line_vat(product, buyer, mentions)
    wanted = (
        product.pk if product else None, product.item_code if product else "", treatment.category, treatment.rate,
        treatment.exemption_code, treatment.exemption_text,
    )  # fmt: skip
    current = (line.product_id, line.item_code, line.vat_category, line.vat_rate, line.vat_exemption_code,
               line.vat_exemption_text)  # fmt: skip
    if current == wanted:
        return False
    line.product = product
    line.item_code = wanted[1]
    line.vat_category, line.vat_rate = treatment.category, treatment.rate
    line.vat_exemption_code, line.vat_exemption_text = treatment.exemption_code, treatment.exemption_text
    return True


def _apply_product(company: Company, customer: Customer, line: InvoiceLine, product: Product | None) -> None:
    carry_product(line, product, drafting.customer_vat(customer), company_mentions(company))


def _product(company: Company, product_id: int | None) -> Product | None:
    if not product_id:
        return None
    product = Product.objects.for_company(company).filter(pk=product_id, is_active=True).first()
    if product is None:
        raise HaulbillError(
            "product_not_assignable", _("Choose an active product of your catalog for this line."), field="product"
        )
    return product


def _nonzero_quantity(quantity: Decimal) -> None:
    if quantity == 0:
        raise HaulbillError("quantity_zero", _("The quantity of a line cannot be zero."), field="quantity")


# --------------------------------------------------------------------------------------------------------------
# After every edit: fuel surcharges, then totals
# --------------------------------------------------------------------------------------------------------------


def _refresh_fuel(company: Company, invoices: dict[int, Invoice], lines: list[InvoiceLine]) -> None:
    """Recompute the surcharge price lines of the drafts' transports and carry them onto the drafts' lines."""
    from haulbill.fuel import services as fuel

    holder = {line.transport_id: line.invoice_id for line in lines if line.transport_id}
    if not holder:
        return
    transport_ids = sorted(holder)
    before = [line for line in lines if line.price_line is not None and line.price_line.is_fuel_surcharge]
    fuel.refresh_surcharges(company, transport_ids)
    current = {
        p.pk: p
        for p in PriceLine.objects.for_company(company)
        .filter(transport_id__in=transport_ids, is_fuel_surcharge=True)
        .select_related("product", "transport")
    }
    on_draft = {line.price_line_id: line for line in before}
    gone = [line.pk for line in before if line.price_line_id not in current]
    if gone:
        InvoiceLine.objects.for_company(company).filter(pk__in=gone).delete()
    last_position: dict[int, int] = {}
    for line in lines:
        if line.transport_id:
            last_position[line.transport_id] = max(last_position.get(line.transport_id, 0), line.position)
    if not current:
        return
    said = company_mentions(company)
    created: list[InvoiceLine] = []
    updated: list[InvoiceLine] = []
    for price_line in current.values():
        invoice = invoices[holder[price_line.transport_id]]
        line = on_draft.get(price_line.pk) or InvoiceLine(
            company=company, invoice=invoice, transport_id=price_line.transport_id, price_line=price_line,
            position=last_position[price_line.transport_id],
        )  # fmt: skip
        heading = drafting.transport_heading(_row(price_line.transport), invoice.customer.language)
        line.description = f"{heading}: {price_line.description}"[:600]
        line.quantity, line.unit, line.unit_price = price_line.quantity, price_line.unit, price_line.unit_price
        line.line_amount = line_amount(price_line.quantity, price_line.unit_price)
        carry_product(line, price_line.product, drafting.customer_vat(invoice.customer), said)
        (updated if line.pk else created).append(line)
    InvoiceLine.objects.bulk_create(created)
    InvoiceLine.objects.bulk_update(
        updated, ["description", "quantity", "unit", "unit_price", "line_amount", *PRODUCT_FIELDS]
    )


def _recompute(company: Company, invoices: list[Invoice]) -> None:
    """Fuel surcharges, line order, totals and delivery date of locked drafts, set on `invoices` (not saved), in
    a fixed number of queries whatever the number of drafts."""
    by_id = {invoice.pk: invoice for invoice in invoices}
    _refresh_fuel(company, by_id, _lines(company, by_id))
    lines = _lines(company, by_id)
    of_invoice: dict[int, list[InvoiceLine]] = {pk: [] for pk in by_id}
    for line in lines:
        of_invoice[line.invoice_id].append(line)
    changed = []
    for held in of_invoice.values():
        for position, line in enumerate(held, start=1):
            if line.position != position:
                line.position = position
                changed.append(line)
    InvoiceLine.objects.bulk_update(changed, ["position"])
    days = {
        pk: u or ld
        for pk, u, ld in Transport.objects.for_company(company)
        .filter(pk__in={line.transport_id for line in lines if line.transport_id})
        .values_list("pk", "unloading_date", "loading_date")
    }
    for pk, invoice in by_id.items():
        held = of_invoice[pk]
        totals = compute(
            TotalLine(line.line_amount, line.vat_category, line.vat_rate, line.vat_exemption_code,
                      line.vat_exemption_text)
            for line in held
        )  # fmt: skip
        invoice.total_excl, invoice.total_vat, invoice.total_incl = totals.excl, totals.vat, totals.incl
        invoice.vat_breakdown = [g.as_json() for g in totals.breakdown]
        dates = [d for line in held if line.transport_id and (d := days.get(line.transport_id))]
        invoice.delivery_date = max(dates, default=invoice.delivery_date)


def recompute(company: Company, invoice: Invoice) -> Invoice:
    """Fuel surcharges, line order and totals of a draft (inside the caller's transaction)."""
    _recompute(company, [invoice])
    invoice.save()
    return invoice


def recompute_many(company: Company, invoices: list[Invoice]) -> None:
    """`recompute` for several locked drafts at once (inside the caller's transaction), in a fixed number of
    queries: saves only what a recompute changes."""
    if not invoices:
        return
    _recompute(company, invoices)
    now = timezone.now()
    for invoice in invoices:
        invoice.updated_at = now
    Invoice.objects.bulk_update(
        invoices, ["total_excl", "total_vat", "total_incl", "vat_breakdown", "delivery_date", "updated_at"]
    )


# --------------------------------------------------------------------------------------------------------------
# Editing lines
# --------------------------------------------------------------------------------------------------------------


def add_line(
    company: Company,
    invoice_id: int,
    *,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
    unit: str = "C62",
    product_id: int | None = None,
    transport_id: int | None = None,
) -> InvoiceLine:
    """Add a line; with a transport of this draft, it is a new price line of that transport too."""
    description = description.strip()
    if not description:
        raise HaulbillError("description_missing", _("Describe the line."), field="description")
    _nonzero_quantity(quantity)
    with transaction.atomic():
        invoice = _lock(company, invoice_id)
        product = _product(company, product_id)
        line = InvoiceLine(company=company, invoice=invoice, position=10**6, quantity=quantity, unit=unit,
                           unit_price=unit_price, line_amount=line_amount(quantity, unit_price))  # fmt: skip
        line.description = description[:600]
        if transport_id is not None:
            if not InvoiceLine.objects.filter(invoice=invoice, transport_id=transport_id).exists():
                raise HaulbillError(
                    "transport_not_on_draft", _("This transport is not on this draft: add the transport first."),
                    field="transport",
                )  # fmt: skip
            transport = Transport.objects.for_company(company).get(pk=transport_id)
            last = (
                PriceLine.objects.filter(transport=transport)
                .order_by("-position")
                .values_list("position", flat=True)
                .first()
            )
            line.price_line = PriceLine.objects.create(
                company=company, transport=transport, position=(last or 0) + 1, description=description[:500],
                quantity=quantity, unit=unit, unit_price=unit_price, product=product,
            )  # fmt: skip
            line.transport = transport
            line.description = (
                f"{drafting.transport_heading(_row(transport), invoice.customer.language)}: {description}"[:600]
            )
            line.position = _after_transport(company, invoice, transport.pk)
        _apply_product(company, invoice.customer, line, product)
        line.save()
        recompute(company, invoice)
    return line


def _after_transport(company: Company, invoice: Invoice, transport_id: int) -> int:
    last = (
        InvoiceLine.objects.for_company(company)
        .filter(invoice=invoice, transport_id=transport_id)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    return last or 0  # an equal position sorts by id: the new line follows the transport's last one


def edit_line(company: Company, line_id: int, **changes: Any) -> InvoiceLine:
    """Change a line's description, quantity, unit, unit price or product; price changes reach the transport."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise HaulbillError(
            "field_not_editable", _("These fields cannot be edited: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        line = InvoiceLine.objects.for_company(company).select_related("price_line").get(pk=line_id)
        invoice = _lock(company, line.invoice_id)
        price_line = line.price_line
        if price_line is not None and price_line.is_fuel_surcharge and set(changes) - {"description"}:
            raise HaulbillError(
                "fuel_surcharge_computed",
                _(
                    "The fuel surcharge is computed from the customer's fuel clause and the index: change those instead."
                ),
            )
        if "description" in changes:
            text = str(changes["description"]).strip()
            if not text:
                raise HaulbillError("description_missing", _("Describe the line."), field="description")
            line.description = text[:600]
        if "quantity" in changes:
            _nonzero_quantity(changes["quantity"])
            line.quantity = changes["quantity"]
        if "unit" in changes:
            line.unit = changes["unit"]
        if "unit_price" in changes:
            line.unit_price = changes["unit_price"]
        if "product_id" in changes:
            _apply_product(company, invoice.customer, line, _product(company, changes["product_id"]))
        line.line_amount = line_amount(line.quantity, line.unit_price)
        line.save()
        if price_line is not None and not price_line.is_fuel_surcharge:
            price_line.quantity, price_line.unit, price_line.unit_price = line.quantity, line.unit, line.unit_price
            price_line.product = line.product
            if "product_id" in changes or price_line.product is None:
                price_line.suggestion_source = ""  # a person chose the item code: it is no longer a suggestion
            price_line.save(update_fields=["quantity", "unit", "unit_price", "product", "suggestion_source"])
        recompute(company, invoice)
    return line


def remove_line(company: Company, line_id: int) -> Invoice:
    """Remove a line; a transport's price line goes with it (the transport no longer charges it)."""
    with transaction.atomic():
        line = InvoiceLine.objects.for_company(company).select_related("price_line").get(pk=line_id)
        invoice = _lock(company, line.invoice_id)
        price_line = line.price_line
        if price_line is not None and price_line.is_fuel_surcharge:
            raise HaulbillError(
                "fuel_surcharge_computed",
                _("The fuel surcharge is computed from the customer's fuel clause: change the clause to remove it."),
            )
        line.delete()
        if price_line is not None:
            price_line.delete()
        recompute(company, invoice)
    return invoice


# --------------------------------------------------------------------------------------------------------------
# Transports on drafts
# --------------------------------------------------------------------------------------------------------------


def draft_holding(company: Company, transport_ids: Iterable[int]) -> dict[int, int]:
    """transport id -> id of the draft that holds it."""
    return dict(
        InvoiceLine.objects.for_company(company)
        .filter(
            transport_id__in=list(transport_ids), invoice__status=InvoiceStatus.DRAFT, invoice__kind=InvoiceKind.INVOICE
        )
        .values_list("transport_id", "invoice_id")
        .distinct()
    )


def addable_transports(company: Company, invoice: Invoice) -> list[Transport]:
    """Done, verified, not invoiced transports of the draft's customer that sit on no draft."""
    candidates = Transport.objects.for_company(company).filter(
        customer_id=invoice.customer_id, status=TransportStatus.DONE,
        invoicing_status=InvoicingStatus.NOT_INVOICED, verified_at__isnull=False,
    ).order_by("unloading_date", "reference")  # fmt: skip
    held = draft_holding(company, candidates.values_list("pk", flat=True))
    return [t for t in candidates if t.pk not in held]


def add_transports(company: Company, invoice_id: int, transport_ids: Iterable[int], *, user: Any = None) -> Invoice:
    """Add finished, verified transports of the same customer to a draft (drafted by the engine, then moved in)."""
    from haulbill.fuel import services as fuel

    ids = sorted(set(transport_ids))
    if not ids:
        raise HaulbillError("no_transport_chosen", _("Choose at least one transport to add."), field="transports")
    with transaction.atomic():
        invoice = _lock(company, invoice_id)
        transports = {t.pk: t for t in Transport.objects.for_company(company).filter(pk__in=ids)}
        held = draft_holding(company, ids)
        for pk in ids:
            transport = transports.get(pk)
            if transport is None:
                raise HaulbillError("transport_unknown", _("Transport %(id)s does not exist.") % {"id": pk}, status=404)
            _refuse_transport(transport, invoice, held.get(pk))
        fuel.refresh_surcharges(company, ids)
        batch = selection.load(company, Transport.objects.for_company(company).filter(pk__in=ids))
        temporary = drafting.draft(company, batch, run=None, user=user)
        InvoiceLine.objects.for_company(company).filter(invoice__in=temporary).update(invoice=invoice, position=10**6)
        Invoice.objects.for_company(company).filter(
            pk__in=[t.pk for t in temporary], status=InvoiceStatus.DRAFT
        ).delete()
        invoice.buyer_reference = invoice.buyer_reference or invoice.customer.invoice_reference
        recompute(company, invoice)
    return invoice


def _refuse_transport(transport: Transport, invoice: Invoice, holder: int | None) -> None:
    ref = {"ref": transport.reference}
    if transport.customer_id != invoice.customer_id:
        raise HaulbillError("transport_other_customer",
                            _("Transport %(ref)s is for another customer: a draft holds the transports of one customer.") % ref,
                            field="transports")  # fmt: skip
    if transport.status != TransportStatus.DONE or transport.invoicing_status != InvoicingStatus.NOT_INVOICED:
        raise HaulbillError("transport_not_invoiceable",
                            _("Transport %(ref)s is not a finished transport waiting to be invoiced.") % ref,
                            field="transports")  # fmt: skip
    if transport.verified_at is None:
        raise HaulbillError("transport_not_verified",
                            _("Transport %(ref)s is not verified: verify it first.") % ref, field="transports")  # fmt: skip
    if holder is not None:
        raise HaulbillError("transport_on_other_draft",
                            _("Transport %(ref)s is already on draft #%(draft)s: remove it there first.") % {**ref, "draft": holder},
                            field="transports")  # fmt: skip


def ungroup(company: Company, invoice_id: int) -> list[Invoice]:
    """Split a draft into one draft per transport; lines without transport stay on the first one."""
    with transaction.atomic():
        invoice = _lock(company, invoice_id)
        lines = _lines(company, [invoice.pk])
        transport_ids = list(dict.fromkeys(line.transport_id for line in lines if line.transport_id))
        if len(transport_ids) < 2:
            raise HaulbillError("nothing_to_ungroup", _("This draft holds one transport: there is nothing to split."))
        transports = {t.pk: t for t in Transport.objects.for_company(company).filter(pk__in=transport_ids)}
        out = [invoice]
        invoice.buyer_reference = drafting.buyer_reference(invoice.customer, [_row(transports[transport_ids[0]])])
        for transport_id in transport_ids[1:]:
            copy = Invoice.objects.create(
                company=company, kind=InvoiceKind.INVOICE, status=InvoiceStatus.DRAFT, customer=invoice.customer,
                run=invoice.run, language=invoice.language, currency=invoice.currency, due_date=invoice.due_date,
                purchasing_conditions=invoice.purchasing_conditions, created_by=invoice.created_by,
                buyer_reference=drafting.buyer_reference(invoice.customer, [_row(transports[transport_id])]),
            )  # fmt: skip
            InvoiceLine.objects.for_company(company).filter(invoice=invoice, transport_id=transport_id).update(
                invoice=copy
            )
            out.append(copy)
        for draft in out:
            recompute(company, draft)
    return out


def cancel(company: Company, invoice_id: int) -> list[int]:
    """Cancel a draft: it is deleted (it carries no number, so no gap) and its transports wait for a new run."""
    with transaction.atomic():
        invoice = _lock(company, invoice_id)
        transport_ids = sorted(
            {t for t in InvoiceLine.objects.filter(invoice=invoice).values_list("transport_id", flat=True) if t}
        )
        InvoiceLine.objects.for_company(company).filter(invoice=invoice).delete()
        invoice.delete()
    return transport_ids


def remove_transports(company: Company, transport_ids: Iterable[int]) -> int:
    """Take transports off the drafts holding them (un-verification); a draft left empty is deleted."""
    ids = list(transport_ids)
    holders = set(draft_holding(company, ids).values())
    with transaction.atomic():
        for invoice_id in sorted(holders):
            invoice = _lock(company, invoice_id)
            InvoiceLine.objects.for_company(company).filter(invoice=invoice, transport_id__in=ids).delete()
            if InvoiceLine.objects.filter(invoice=invoice).exists():
                recompute(company, invoice)
            else:
                invoice.delete()
    return len(holders)


def refresh_transport(company: Company, transport_id: int) -> int | None:
    """Draw a changed transport's lines again on the draft holding it (the TMS replaced its lines, say).

    The transport is the source: its lines on the draft are drawn again from its price lines, like adding it anew, so
    the draft never keeps lines whose price lines are gone. A transport that may no longer sit on this draft (another
    customer, no longer verified) leaves it, and a draft left empty is deleted. Returns the draft's id, if any.
    """
    holder = draft_holding(company, [transport_id]).get(transport_id)
    if holder is None:
        return None
    with transaction.atomic():
        invoice = _lock(company, holder)
        InvoiceLine.objects.for_company(company).filter(invoice=invoice, transport_id=transport_id).delete()
        transport = Transport.objects.for_company(company).get(pk=transport_id)
        try:
            _refuse_transport(transport, invoice, None)
        except HaulbillError:
            if InvoiceLine.objects.filter(invoice=invoice).exists():
                recompute(company, invoice)
                return invoice.pk
            invoice.delete()
            return None
        add_transports(company, invoice.pk, [transport_id])
    return invoice.pk


# --------------------------------------------------------------------------------------------------------------
# Reading and the pro forma
# --------------------------------------------------------------------------------------------------------------


def drafts(company: Company) -> Any:
    return (
        Invoice.objects.for_company(company)
        .filter(status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE)
        .select_related("customer")
        .defer("pdf", "seller", "buyer")
        .order_by("customer__name", "id")
    )


@dataclass
class DraftPage:
    invoice: Invoice
    lines: list[InvoiceLine]
    breakdown: list[VatGroup]
    transports: list[Transport]


def draft_page(company: Company, invoice: Invoice) -> DraftPage:
    lines = list(
        InvoiceLine.objects.for_company(company)
        .filter(invoice=invoice)
        .select_related("price_line", "transport")
        .order_by("position", "id")
    )
    transports = list({line.transport_id: line.transport for line in lines if line.transport}.values())
    return DraftPage(invoice, lines, [VatGroup.from_json(g) for g in invoice.vat_breakdown], transports)


def pro_forma_html(company: Company, invoice: Invoice) -> str:
    if invoice.status != InvoiceStatus.DRAFT:
        raise _not_draft(invoice)
    page = draft_page(company, invoice)
    with translation.override(invoice.customer.language or invoice.language or "en"):
        return render_to_string(
            "web/drafts/pro_forma.html",
            {
                "invoice": invoice,
                "seller": snapshots.seller(company),
                "buyer": snapshots.buyer(invoice.customer),
                "lines": page.lines,
                "breakdown": page.breakdown,
                "mentions": sorted({g.exemption_text for g in page.breakdown if g.exemption_text}),
            },
        )


def pro_forma_pdf(company: Company, invoice: Invoice) -> bytes:
    """The pro forma PDF of the draft as it is now (rendered on demand: it follows every change)."""
    import weasyprint

    return bytes(weasyprint.HTML(string=pro_forma_html(company, invoice)).write_pdf())
