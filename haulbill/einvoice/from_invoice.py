"""A finalised Haulbill invoice or credit note as a Peppol BIS 3.0 e-invoice.

The e-invoice is built only from what finalisation froze (the seller and buyer snapshots, the lines, the
number, dates and payment reference), never from today's company or customer, so downloading it again next
year gives the same document. Its amounts are recomputed by the EN 16931 arithmetic of `document.totals`;
they must equal the totals the engine printed on the PDF, and a difference is refused rather than sent.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from haulbill.core.errors import HaulbillError
from haulbill.einvoice.document import (
    DEFAULT_EXEMPTIONS,
    NEEDS_EXEMPTION_REASON,
    Attachment,
    BillingReference,
    DocumentKind,
    EDocument,
    EDocumentError,
    ExemptionReason,
    Line,
    Party,
    Payment,
    Problem,
    VatCategory,
    totals,
)
from haulbill.einvoice.schemes import EU_COUNTRIES, compact, party_endpoint
from haulbill.einvoice.ubl import build_ubl
from haulbill.invoicing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus

__all__ = ["EInvoiceError", "edocument_for", "ubl_attachment", "ubl_filename", "ubl_for"]

# IBAN countries of the SEPA scheme: a euro transfer to one of them is a SEPA credit transfer (UNCL 4461 code 58);
# anything else is a plain credit transfer (30).
SEPA_COUNTRIES = EU_COUNTRIES | {"IS", "LI", "NO", "CH", "GB", "MC", "SM", "VA", "AD", "AL", "MD", "ME", "MK"}
SEPA_CREDIT_TRANSFER, CREDIT_TRANSFER = "58", "30"
_UNSAFE_IN_FILENAME = re.compile(r"[^0-9A-Za-z._-]+")


class EInvoiceError(HaulbillError):
    """The document cannot be given as a Peppol e-invoice; `problems` lists each field to fix, when known."""

    def __init__(self, code: str, message: str, *, problems: tuple[Problem, ...] = (), status: int = 409) -> None:
        super().__init__(code, message, status=status)
        self.problems = problems


def edocument_for(invoice: Invoice, lines: list[InvoiceLine] | None = None) -> EDocument:
    """The `EDocument` of a finalised invoice or credit note (`lines`: the invoice's lines when already loaded, in
    order, with their transports; a push builds the e-invoice beside its order from the same rows).

    Raises EInvoiceError for a draft (it has no number yet) and when the recomputed EN 16931 totals differ from
    the invoice's own: the e-invoice must say what the PDF says.
    """
    if invoice.status == InvoiceStatus.DRAFT or not invoice.number:
        raise EInvoiceError(
            "einvoice_draft",
            _("Draft #%(id)s has no number yet: finalise it before downloading or sending its e-invoice.")
            % {"id": invoice.pk},
        )
    if lines is None:
        lines = list(
            InvoiceLine.objects.for_company(invoice.company)
            .filter(invoice=invoice)
            .select_related("transport")
            .order_by("position", "id")
        )
    credited = invoice.credited_invoice if invoice.kind == InvoiceKind.CREDIT_NOTE else None
    is_credit_note = invoice.kind == InvoiceKind.CREDIT_NOTE
    with translation.override(invoice.language or "en"):
        document = EDocument(
            kind=DocumentKind.CREDIT_NOTE if is_credit_note else DocumentKind.INVOICE,
            number=invoice.number,
            issue_date=_required_date(invoice, "issue_date"),
            seller=_party(invoice.seller),
            buyer=_party(invoice.buyer),
            lines=tuple(_line(invoice, line) for line in lines),
            currency=invoice.currency or "EUR",
            due_date=invoice.due_date,
            delivery_date=invoice.delivery_date,
            buyer_reference=_buyer_reference(invoice, lines, credited),
            billing_reference=(
                BillingReference(credited.number, credited.issue_date) if credited is not None else None
            ),
            payment=_payment(invoice),
            payment_terms=_payment_terms(invoice),
            note=(
                _("Credit note for invoice %(number)s") % {"number": credited.number} if credited is not None else ""
            ),
            exemptions=_exemptions(invoice, lines),
            attachment=_attachment(invoice),
        )
    _check_totals(invoice, document)
    return document


def ubl_for(invoice: Invoice, lines: list[InvoiceLine] | None = None) -> bytes:
    """The Peppol BIS 3.0 UBL XML of a finalised invoice or credit note.

    Raises EInvoiceError (code `einvoice_invalid`, with `problems`) when the data cannot make a valid document,
    e.g. a customer without any Peppol address or an invalid IBAN.
    """
    document = edocument_for(invoice, lines)
    try:
        return build_ubl(document)
    except EDocumentError as exc:
        raise EInvoiceError(
            "einvoice_invalid",
            _("%(number)s cannot be a valid Peppol e-invoice: %(problems)s")
            % {"number": invoice.number, "problems": "; ".join(str(p) for p in exc.problems)},
            problems=exc.problems,
            status=422,
        ) from None


def ubl_filename(invoice: Invoice) -> str:
    """`<number>.xml`, with any character a file system might refuse (a slash in "F/2026/1") made `_`."""
    return _UNSAFE_IN_FILENAME.sub("_", invoice.number).strip("_") + ".xml"


def ubl_attachment(invoice: Invoice, lines: list[InvoiceLine] | None = None) -> tuple[str, bytes]:
    """(file name, UBL XML), the e-invoice Haulbill built, for a provider to attach to its own copy."""
    return ubl_filename(invoice), ubl_for(invoice, lines)


# --------------------------------------------------------------------------------------------------------------
# Mapping helpers
# --------------------------------------------------------------------------------------------------------------


def _required_date(invoice: Invoice, field: str) -> Any:
    value = getattr(invoice, field)
    if value is None:
        raise EInvoiceError(
            "einvoice_without_date", _("%(number)s has no %(field)s.") % {"number": invoice.number, "field": field}
        )
    return value


def _party(snapshot: dict[str, Any]) -> Party:
    return Party(
        name=snapshot.get("name") or "",
        country=(snapshot.get("country") or "").upper(),
        endpoint=party_endpoint(
            snapshot.get("peppol_identifier") or "",
            snapshot.get("country") or "",
            snapshot.get("vat_number") or "",
            snapshot.get("enterprise_number") or "",
        ),
        street=snapshot.get("street") or "",
        city=snapshot.get("city") or "",
        postcode=snapshot.get("postcode") or "",
        vat_number=snapshot.get("vat_number") or "",
        enterprise_number=snapshot.get("enterprise_number") or "",
        email=snapshot.get("email") or "",
    )


def _line(invoice: Invoice, line: InvoiceLine) -> Line:
    try:
        category = VatCategory(line.vat_category)
    except ValueError:
        raise EInvoiceError(
            "einvoice_unknown_vat_category",
            _("Line %(position)s of %(number)s has VAT category %(category)r, which EN 16931 does not know.")
            % {"position": line.position, "number": invoice.number, "category": line.vat_category},
        ) from None
    quantity, unit_price = Decimal(line.quantity), Decimal(line.unit_price)
    if unit_price < 0:
        # EN 16931 forbids a negative price (BR-27); a discount is a negative quantity at a positive price,
        # which keeps the line amount, and so the totals, unchanged.
        quantity, unit_price = -quantity, -unit_price
    return Line(
        id=str(line.position or line.pk),
        name=line.description,
        quantity=quantity,
        unit_code=line.unit,
        unit_price=unit_price,
        vat_category=category,
        vat_rate=Decimal(line.vat_rate),
        item_code=line.item_code,
    )


def _buyer_reference(invoice: Invoice, lines: list[InvoiceLine], credited: Invoice | None) -> str:
    """The reference the engine froze (the customer's, else the transports'), else the transports', else the
    credited invoice's: Peppol refuses a document without one (PEPPOL-EN16931-R003)."""
    if invoice.buyer_reference.strip():
        return invoice.buyer_reference
    references = list(dict.fromkeys(line.transport.reference for line in lines if line.transport is not None))
    if references:
        return ", ".join(references)
    if credited is not None:
        return credited.buyer_reference
    return ""


def _payment(invoice: Invoice) -> Payment | None:
    iban = compact(invoice.seller.get("iban") or "")
    if not iban:
        return None
    sepa = (invoice.currency or "EUR") == "EUR" and iban[:2] in SEPA_COUNTRIES
    return Payment(
        iban=iban,
        means_code=SEPA_CREDIT_TRANSFER if sepa else CREDIT_TRANSFER,
        bic=invoice.seller.get("bic") or "",
        reference=invoice.payment_reference,
    )


def _payment_terms(invoice: Invoice) -> str:
    # BR-CO-25: an amount due needs a due date or payment terms; a credit note carries its due date only inside
    # PaymentMeans, which is absent without an IBAN, so the terms always say it too.
    if invoice.due_date is None:
        return ""
    return _("Due date: %(date)s") % {"date": invoice.due_date.isoformat()}


def _exemptions(invoice: Invoice, lines: list[InvoiceLine]) -> dict[VatCategory, ExemptionReason]:
    """The mention each exempt category carries, as the engine froze it on the lines (the PDF prints the same);
    the defaults only when a line holds none."""
    reasons: dict[VatCategory, ExemptionReason] = {}
    for line in lines:
        try:
            category = VatCategory(line.vat_category)
        except ValueError:
            continue
        if category not in NEEDS_EXEMPTION_REASON or category in reasons:
            continue
        code, text = line.vat_exemption_code.strip(), line.vat_exemption_text.strip()
        if code or text:
            reasons[category] = ExemptionReason(code, text)
    return {**DEFAULT_EXEMPTIONS, **reasons}


def _attachment(invoice: Invoice) -> Attachment | None:
    if not invoice.pdf:
        return None
    stem = _UNSAFE_IN_FILENAME.sub("_", invoice.number).strip("_")
    label = _("Credit note") if invoice.kind == InvoiceKind.CREDIT_NOTE else _("Invoice")
    return Attachment(content=bytes(invoice.pdf), filename=f"{stem}.pdf", description=f"{label} {invoice.number}")


def _check_totals(invoice: Invoice, document: EDocument) -> None:
    sums = totals(document)
    ours = (
        ("total excl. VAT", invoice.total_excl, sums.tax_exclusive),
        ("VAT", invoice.total_vat, sums.tax_amount),
        ("total incl. VAT", invoice.total_incl, sums.payable),
    )
    differences = [f"{label} {engine} on the invoice, {einvoice} in the e-invoice" for label, engine, einvoice in ours
                   if Decimal(engine) != einvoice]  # fmt: skip
    frozen = sorted(
        (group["category"], Decimal(group["rate"]), Decimal(group["taxable"]), Decimal(group["vat"]))
        for group in invoice.vat_breakdown
    )
    computed = sorted((b.category.value, b.rate, b.taxable_amount, b.tax_amount) for b in sums.breakdown)
    if frozen != computed:
        differences.append(f"VAT breakdown {frozen} on the invoice, {computed} in the e-invoice")
    if differences:
        raise EInvoiceError(
            "einvoice_totals_differ",
            _("The e-invoice of %(number)s would not add up to the invoice: %(differences)s. Nothing was built; "
              "report this to support with the invoice number.")
            % {"number": invoice.number, "differences": "; ".join(differences)},
            status=500,
        )  # fmt: skip
