"""One e-invoice as plain data, and the EN 16931 arithmetic that makes it add up.

Nothing here knows about Django or XML: the invoicing engine maps its models to an
`EDocument`, `ubl.build_ubl` turns it into Peppol BIS 3.0 XML, and `totals` is the one
place where amounts are computed, so the XML always passes the BR-CO-* sum rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

from stdnum import iban as stdnum_iban
from stdnum.be import vat as be_vat
from stdnum.exceptions import ValidationError

from haulbill.einvoice.schemes import Endpoint, endpoint_for, normalise_vat

__all__ = [
    "DEFAULT_EXEMPTIONS",
    "Attachment",
    "BillingReference",
    "DocumentKind",
    "EDocument",
    "EDocumentError",
    "Endpoint",
    "ExemptionReason",
    "Line",
    "Party",
    "Payment",
    "Problem",
    "Totals",
    "VatBreakdown",
    "VatCategory",
    "endpoint_for",
    "line_net_amount",
    "money",
    "problems",
    "structured_reference",
    "totals",
]

CENT = Decimal("0.01")


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class VatCategory(StrEnum):
    """UNCL 5305 codes allowed by EN 16931 (BT-151, BT-118)."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_EU_GOODS = "K"
    EXPORT = "G"
    OUTSIDE_SCOPE = "O"


# Categories whose VAT breakdown must state a reason (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10,
# BR-O-10); S and Z must not (BR-S-10, BR-Z-10).
NEEDS_EXEMPTION_REASON = frozenset(
    {
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_EU_GOODS,
        VatCategory.EXPORT,
        VatCategory.OUTSIDE_SCOPE,
    }
)
CATEGORY_ORDER = {category: index for index, category in enumerate(VatCategory)}


@dataclass(frozen=True, slots=True)
class ExemptionReason:
    """VATEX code (BT-121) and mention (BT-120) printed on the VAT breakdown of a category."""

    code: str
    text: str


# Defaults in English, French and Dutch; the exact wording is the carrier's accountant's
# choice, so callers pass their own mapping to `EDocument.exemptions`.
DEFAULT_EXEMPTIONS: Mapping[VatCategory, ExemptionReason] = MappingProxyType(
    {
        VatCategory.REVERSE_CHARGE: ExemptionReason(
            "VATEX-EU-AE", "Reverse charge - Autoliquidation - Verlegging van heffing"
        ),
        VatCategory.EXEMPT: ExemptionReason(
            "VATEX-EU-146-1E",
            "Exempt: transport linked to export/import, art. 146(1)(e) Directive 2006/112/EC"
            " - Exonération, art. 41 Code TVA - Vrijstelling, art. 41 W.btw",
        ),
        VatCategory.OUTSIDE_SCOPE: ExemptionReason(
            "VATEX-EU-O", "Not subject to VAT - Non soumis à la TVA - Niet onderworpen aan btw"
        ),
        VatCategory.INTRA_EU_GOODS: ExemptionReason(
            "VATEX-EU-IC",
            "Intra-community supply - Livraison intracommunautaire exonérée - Vrijgestelde intracommunautaire levering",
        ),
        VatCategory.EXPORT: ExemptionReason(
            "VATEX-EU-G", "Export outside the EU - Exportation hors UE - Uitvoer buiten de EU"
        ),
    }
)


@dataclass(frozen=True, slots=True)
class Party:
    """Seller or buyer. `endpoint` is where Peppol delivers; see `endpoint_for`."""

    name: str
    country: str
    endpoint: Endpoint | None
    street: str = ""
    city: str = ""
    postcode: str = ""
    vat_number: str = ""
    enterprise_number: str = ""
    email: str = ""

    @property
    def vat(self) -> str:
        return normalise_vat(self.country, self.vat_number)


@dataclass(frozen=True, slots=True)
class Payment:
    """Credit transfer (30) or SEPA credit transfer (58) to `iban`."""

    iban: str
    means_code: str = "30"
    bic: str = ""
    reference: str = ""  # Belgian structured reference +++ddd/dddd/ddddd+++ or free text


@dataclass(frozen=True, slots=True)
class BillingReference:
    """The invoice a credit note corrects (BG-3)."""

    number: str
    issue_date: date | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A PDF rendering of the document, embedded for receivers that want to see it."""

    content: bytes
    filename: str
    description: str = ""
    mime_code: str = "application/pdf"


@dataclass(frozen=True, slots=True)
class Line:
    id: str
    name: str
    quantity: Decimal
    unit_code: str  # UN/ECE Recommendation 20 (C62, HUR, KMT, TNE, TKM, DAY ...)
    unit_price: Decimal  # net, no rounding required (EN 16931 sets no decimal limit)
    vat_category: VatCategory
    vat_rate: Decimal
    description: str = ""
    item_code: str = ""

    @property
    def net_amount(self) -> Decimal:
        return line_net_amount(self.quantity, self.unit_price)


@dataclass(frozen=True)
class EDocument:
    kind: DocumentKind
    number: str
    issue_date: date
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    currency: str = "EUR"
    due_date: date | None = None
    delivery_date: date | None = None
    delivery_country: str = ""  # defaults to the buyer's country where a rule needs it (K)
    buyer_reference: str = ""
    order_reference: str = ""
    billing_reference: BillingReference | None = None
    payment: Payment | None = None
    payment_terms: str = ""
    note: str = ""  # Peppol allows one document note (PEPPOL-EN16931-R002)
    exemptions: Mapping[VatCategory, ExemptionReason] = field(default_factory=lambda: DEFAULT_EXEMPTIONS)
    attachment: Attachment | None = None

    @property
    def categories(self) -> frozenset[VatCategory]:
        return frozenset(line.vat_category for line in self.lines)

    @property
    def outside_scope(self) -> bool:
        """Category O documents must carry no VAT number at all (BR-O-02)."""
        return self.categories == {VatCategory.OUTSIDE_SCOPE}


def money(value: Decimal) -> Decimal:
    """Round half-up to the cent, as EN 16931 rounds every amount."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_net_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return money(quantity * unit_price)


@dataclass(frozen=True, slots=True)
class VatBreakdown:
    category: VatCategory
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True, slots=True)
class Totals:
    line_extension: Decimal  # BT-106
    tax_exclusive: Decimal  # BT-109
    tax_amount: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    payable: Decimal  # BT-115
    breakdown: tuple[VatBreakdown, ...]


def totals(document: EDocument) -> Totals:
    """EN 16931 totals: VAT is computed per (category, rate) on the summed line amounts.

    Rounding VAT per line and adding would drift from round(taxable x rate) and fail
    BR-CO-17 on long invoices; this is the order the rules recompute in.
    """
    taxable: dict[tuple[VatCategory, Decimal], Decimal] = {}
    for line in document.lines:
        key = (line.vat_category, line.vat_rate)
        taxable[key] = taxable.get(key, Decimal(0)) + line.net_amount
    breakdown = tuple(
        VatBreakdown(category, rate, money(amount), money(amount * rate / 100))
        for (category, rate), amount in sorted(
            taxable.items(), key=lambda item: (CATEGORY_ORDER[item[0][0]], -item[0][1])
        )
    )
    line_extension = money(sum((line.net_amount for line in document.lines), Decimal(0)))
    tax_amount = money(sum((b.tax_amount for b in breakdown), Decimal(0)))
    tax_inclusive = line_extension + tax_amount
    return Totals(
        line_extension=line_extension,
        tax_exclusive=line_extension,
        tax_amount=tax_amount,
        tax_inclusive=tax_inclusive,
        payable=tax_inclusive,
        breakdown=breakdown,
    )


def structured_reference(base: int | str) -> str:
    """The Belgian structured payment reference (OGM/VCS) for up to 10 digits of `base`.

    The check digits are base mod 97, 97 when that is 0.
    """
    digits = re.sub(r"\D", "", str(base)).rjust(10, "0")
    if len(digits) != 10:
        raise ValueError(f"A structured reference holds 10 digits before its check, got {base!r}.")
    check = int(digits) % 97 or 97
    full = f"{digits}{check:02d}"
    return f"+++{full[:3]}/{full[3:7]}/{full[7:]}+++"


def _structured_reference_is_valid(reference: str) -> bool:
    digits = re.sub(r"\D", "", reference)
    return len(digits) == 12 and (int(digits[:10]) % 97 or 97) == int(digits[10:])


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that would make the document unbuildable or rejected, and how to fix it."""

    field: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message} [{self.code}]"


class EDocumentError(ValueError):
    """The document cannot become a valid Peppol e-invoice; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in problems))


def _party_problems(role: str, party: Party) -> list[Problem]:
    found: list[Problem] = []
    if not party.name.strip():
        found.append(Problem(f"{role}.name", "BR-06", "the legal name is required."))
    if not re.fullmatch(r"[A-Z]{2}", party.country or ""):
        found.append(Problem(f"{role}.country", "BR-09", "a two-letter ISO country code is required."))
    if party.endpoint is None:
        found.append(
            Problem(
                f"{role}.endpoint",
                "PEPPOL-EN16931-R010",
                "no Peppol address: enter the enterprise number or VAT number.",
            )
        )
    elif party.endpoint.scheme == "0208" and not _belgian_number_is_valid(party.endpoint.identifier):
        found.append(
            Problem(
                f"{role}.enterprise_number",
                "PEPPOL-COMMON-R043",
                f"{party.endpoint.identifier!r} is not a valid Belgian enterprise number (10 digits, mod-97 check).",
            )
        )
    if party.country == "BE" and party.vat_number and not _belgian_vat_is_valid(party.vat_number):
        found.append(Problem(f"{role}.vat_number", "BE-VAT", f"{party.vat_number!r} is not a valid BE VAT."))
    return found


# Identifiers repeat across a run (one seller, a few hundred customers) and stdnum's IBAN check
# looks up bank tables, so checks are memoised to keep batch generation fast.
@lru_cache(maxsize=4096)
def _belgian_number_is_valid(number: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{10}", number)) and be_vat.is_valid("BE" + number)


@lru_cache(maxsize=4096)
def _belgian_vat_is_valid(vat_number: str) -> bool:
    return bool(be_vat.is_valid(vat_number))


@lru_cache(maxsize=4096)
def _iban_is_valid(iban: str) -> bool:
    try:
        stdnum_iban.validate(iban)
    except ValidationError:
        return False
    return True


def problems(document: EDocument) -> list[Problem]:
    """Everything that stops `document` from becoming a valid BIS 3.0 document."""
    found = _party_problems("seller", document.seller) + _party_problems("buyer", document.buyer)
    if not document.number.strip():
        found.append(Problem("number", "BR-02", "the document number is required."))
    if not re.fullmatch(r"[A-Z]{3}", document.currency):
        found.append(Problem("currency", "BR-05", "a three-letter ISO 4217 code is required."))
    if not document.buyer_reference.strip() and not document.order_reference.strip():
        found.append(
            Problem(
                "buyer_reference",
                "PEPPOL-EN16931-R003",
                "Peppol requires the customer's reference or an order reference; "
                "set one on the customer or the invoice.",
            )
        )
    if document.kind is DocumentKind.CREDIT_NOTE and document.billing_reference is None:
        found.append(
            Problem(
                "billing_reference",
                "BR-55",
                "a credit note must name the invoice it credits.",
            )
        )
    if not document.lines:
        found.append(Problem("lines", "BR-16", "a document needs at least one line."))
    categories = document.categories
    if VatCategory.OUTSIDE_SCOPE in categories and len(categories) > 1:
        found.append(
            Problem(
                "lines.vat_category",
                "BR-O-11",
                "lines outside the scope of VAT (O) cannot share a document with other "
                "VAT categories; invoice them separately.",
            )
        )
    if categories - {VatCategory.OUTSIDE_SCOPE} and not document.seller.vat:
        found.append(Problem("seller.vat_number", "BR-S-02", "the seller's VAT number is required."))
    if categories & {VatCategory.REVERSE_CHARGE, VatCategory.INTRA_EU_GOODS} and not (document.buyer.vat):
        found.append(
            Problem(
                "buyer.vat_number",
                "BR-AE-02",
                "reverse charge and intra-EU supplies need the customer's VAT number.",
            )
        )
    for category in sorted(categories & NEEDS_EXEMPTION_REASON, key=CATEGORY_ORDER.__getitem__):
        reason = document.exemptions.get(category)
        if reason is None or not (reason.code.strip() or reason.text.strip()):
            found.append(
                Problem(
                    f"exemptions.{category.value}",
                    "BR-E-10",
                    f"VAT category {category.value} needs an exemption reason code or text.",
                )
            )
    for index, line in enumerate(document.lines):
        where = f"lines[{index}]"
        if not line.name.strip():
            found.append(Problem(f"{where}.name", "BR-25", "the item name is required."))
        if not line.unit_code.strip():
            found.append(Problem(f"{where}.unit_code", "BR-23", "a unit code is required."))
        if line.unit_price < 0:
            found.append(
                Problem(
                    f"{where}.unit_price",
                    "BR-27",
                    "the net price cannot be negative; use a negative quantity instead.",
                )
            )
        if line.vat_category is VatCategory.STANDARD and line.vat_rate <= 0:
            found.append(Problem(f"{where}.vat_rate", "BR-S-05", "standard-rated lines need a rate > 0."))
        if line.vat_category is not VatCategory.STANDARD and line.vat_rate != 0:
            found.append(
                Problem(
                    f"{where}.vat_rate",
                    "BR-Z-05",
                    f"VAT category {line.vat_category.value} requires a 0 rate.",
                )
            )
    if document.payment is not None:
        if document.payment.means_code not in {"30", "58"}:
            found.append(Problem("payment.means_code", "BR-CL-16", "use 30 (credit transfer) or 58 (SEPA)."))
        if not _iban_is_valid(document.payment.iban):
            found.append(Problem("payment.iban", "BR-50", f"{document.payment.iban!r} is not a valid IBAN."))
        reference = document.payment.reference
        if reference.startswith("+++") and not _structured_reference_is_valid(reference):
            found.append(
                Problem(
                    "payment.reference",
                    "BE-OGM",
                    f"{reference!r} is not a valid structured reference (check digits).",
                )
            )
    if document.attachment is not None and not document.attachment.filename.strip():
        found.append(Problem("attachment.filename", "BR-CL-24", "the attachment needs a name."))
    return found
