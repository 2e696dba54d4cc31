"""VAT resolution: which EN 16931 category, rate and exemption a line carries.

A product either carries its own rate (VatLevel.PRODUCT) or defers to the customer's regime (VatLevel.CUSTOMER),
the way Billit lets one "National transport" product serve 21% Belgian customers and reverse-charge foreign ones.
The result is stored on each invoice line so the PDF, the totals and the e-invoice read the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from stdnum.eu import vat as eu_vat

from haulbill.addressbook.models import VatRegime
from haulbill.catalog.models import VatLevel

DEFAULT_BELGIAN_RATE = Decimal("21.00")
ZERO = Decimal("0.00")

# UNCL 5305 categories used by the engine.
STANDARD, ZERO_RATED, REVERSE_CHARGE, EXEMPT = "S", "Z", "AE", "E"
VATEX_REVERSE_CHARGE = "VATEX-EU-AE"
VATEX_EXPORT = "VATEX-EU-146-1E"
# A general exemption has no single VATEX code; EN 16931 accepts the reason text alone (BR-E-10: code or text).
VATEX_EXEMPT = ""


@dataclass(frozen=True)
class VatTreatment:
    category: str
    rate: Decimal
    exemption_code: str = ""
    exemption_text: str = ""


class VatUnresolved(Exception):
    """The VAT of a line cannot be decided; `code` is stable and `message` says what to fix."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ProductVat:
    """The VAT facts of a product (a plain record, so the engine can resolve from bulk-loaded values)."""

    item_code: str
    vat_level: str
    vat_rate: Decimal | None


@dataclass(frozen=True)
class CustomerVat:
    name: str
    vat_regime: str
    vat_number: str
    country: str


@dataclass(frozen=True)
class Mentions:
    reverse_charge: str
    export: str
    exempt: str


def _rated(rate: Decimal) -> VatTreatment:
    rate = Decimal(rate).quantize(Decimal("0.01"))
    return VatTreatment(STANDARD if rate > 0 else ZERO_RATED, rate)


def has_valid_eu_vat_number(vat_number: str) -> bool:
    return bool(vat_number) and bool(eu_vat.is_valid(vat_number))


def resolve(product: ProductVat, customer: CustomerVat, mentions: Mentions) -> VatTreatment:
    """The VAT treatment of a line of `product` invoiced to `customer`, or VatUnresolved saying what to fix."""
    if product.vat_level != VatLevel.CUSTOMER:
        if product.vat_rate is None:
            raise VatUnresolved(
                "vat_product_without_rate",
                _("The product %(code)s has no VAT rate: set its rate, or let it take the customer's VAT regime.")
                % {"code": product.item_code},
            )
        return _rated(product.vat_rate)
    regime = customer.vat_regime
    if regime == VatRegime.DOMESTIC:
        return _rated(DEFAULT_BELGIAN_RATE if product.vat_rate is None else product.vat_rate)
    if regime == VatRegime.INTRA_EU:
        number = (customer.vat_number or "").upper()
        if not has_valid_eu_vat_number(number) or number.startswith("BE"):
            raise VatUnresolved(
                "vat_reverse_charge_without_vat_number",
                _(
                    "Customer %(name)s is invoiced under intra-EU reverse charge but has no valid VAT number of "
                    "another EU country: enter its VAT number with the country prefix, e.g. NL004495445B01."
                )
                % {"name": customer.name},
            )
        return VatTreatment(REVERSE_CHARGE, ZERO, VATEX_REVERSE_CHARGE, mentions.reverse_charge)
    if regime == VatRegime.EXPORT:
        return VatTreatment(EXEMPT, ZERO, VATEX_EXPORT, mentions.export)
    if regime == VatRegime.EXEMPT:
        return VatTreatment(EXEMPT, ZERO, VATEX_EXEMPT, mentions.exempt)
    raise VatUnresolved(
        "vat_customer_without_regime",
        _(
            "Customer %(name)s has no VAT regime, but the product %(code)s takes its VAT from the customer: "
            "set the customer's VAT regime."
        )
        % {"name": customer.name, "code": product.item_code},
    )
