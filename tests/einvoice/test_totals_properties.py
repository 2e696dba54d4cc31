"""Whatever the lines, the totals Haulbill writes are the totals the EN 16931 rules recompute.

EN 16931 limits amounts (BT-131, BT-106 ... BT-115) to 2 decimals (BR-DEC-*) but sets no
limit on quantities or unit prices, so lines carry up to 3-decimal quantities and 4-decimal
prices and only the computed amounts are rounded.
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haulbill.einvoice.document import BillingReference, DocumentKind, EDocument, Line, VatCategory, totals
from haulbill.einvoice.samples import sample_invoice
from haulbill.einvoice.ubl import build_ubl
from tests.einvoice.conftest import TimedValidator

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999.999"), places=3)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999.9999"), places=4)
rates = st.sampled_from(
    [
        (VatCategory.STANDARD, Decimal("21")),
        (VatCategory.STANDARD, Decimal("12")),
        (VatCategory.STANDARD, Decimal("6")),
        (VatCategory.ZERO, Decimal("0")),
    ]
)
units = st.sampled_from(["C62", "HUR", "KMT", "TNE", "TKM", "DAY"])


@st.composite
def lines(draw: st.DrawFn) -> tuple[Line, ...]:
    count = draw(st.integers(min_value=1, max_value=25))
    result = []
    for index in range(count):
        category, rate = draw(rates)
        result.append(
            Line(str(index + 1), f"Line {index + 1}", draw(quantities), draw(units), draw(prices), category, rate)
        )
    return tuple(result)


def half_up(value: Fraction) -> Fraction:
    """Round to the cent half away from zero, computed with exact fractions as a second opinion."""
    cents = abs(value) * 100
    rounded = int(cents) + (1 if cents - int(cents) >= Fraction(1, 2) else 0)
    return Fraction(rounded if value >= 0 else -rounded, 100)


def document(document_lines: tuple[Line, ...], kind: DocumentKind = DocumentKind.INVOICE) -> EDocument:
    base = sample_invoice(1)
    reference = BillingReference(base.number, base.issue_date) if kind is DocumentKind.CREDIT_NOTE else None
    return dataclasses.replace(base, kind=kind, lines=document_lines, billing_reference=reference)


@settings(max_examples=300, deadline=None)
@given(lines())
def test_totals_agree_with_an_exact_fraction_computation(document_lines: tuple[Line, ...]) -> None:
    result = totals(document(document_lines))
    nets = [half_up(Fraction(line.quantity) * Fraction(line.unit_price)) for line in document_lines]
    taxable: dict[tuple[str, Fraction], Fraction] = {}
    for line, net in zip(document_lines, nets, strict=True):
        key = (line.vat_category.value, Fraction(line.vat_rate))
        taxable[key] = taxable.get(key, Fraction(0)) + net
    tax = sum((half_up(amount * rate / 100) for (_, rate), amount in taxable.items()), Fraction(0))
    assert Fraction(result.line_extension) == sum(nets, Fraction(0))
    assert Fraction(result.tax_amount) == tax
    assert Fraction(result.payable) == sum(nets, Fraction(0)) + tax
    for amount in (result.line_extension, result.tax_amount, result.payable):
        assert amount == amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines(), st.sampled_from(list(DocumentKind)))
def test_random_lines_always_give_a_document_the_validators_accept(
    validator: TimedValidator, document_lines: tuple[Line, ...], kind: DocumentKind
) -> None:
    report = validator.validate(build_ubl(document(document_lines, kind)))
    assert report.fatal == (), "\n".join(str(f) for f in report.fatal)
