"""The e-invoice data model: EN 16931 totals and the problems reported before any XML is built."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from haulbill.einvoice.document import (
    DocumentKind,
    EDocumentError,
    Line,
    Payment,
    VatCategory,
    problems,
    structured_reference,
    totals,
)
from haulbill.einvoice.samples import CARRIER, DUTCH_CUSTOMER, party, sample_invoice
from haulbill.einvoice.ubl import build_ubl


def line(quantity: str, price: str, category: VatCategory = VatCategory.STANDARD, rate: str = "21") -> Line:
    return Line("1", "Transport", Decimal(quantity), "C62", Decimal(price), category, Decimal(rate))


def test_it_rounds_each_line_half_up_to_the_cent() -> None:
    assert line("1", "0.125").net_amount == Decimal("0.13")
    assert line("3", "0.335").net_amount == Decimal("1.01")  # 1.005
    assert line("-1", "0.125").net_amount == Decimal("-0.13")


def test_it_computes_vat_once_per_rate_on_the_summed_lines_not_per_line() -> None:
    # Seven lines of 0.03 at 21%: VAT per line would be 0.01 x 7 = 0.07; BR-CO-17 wants
    # round(0.21 x 21%) = round(0.0441) = 0.04.
    document = dataclasses.replace(sample_invoice(), lines=tuple(line("1", "0.03") for _ in range(7)))
    result = totals(document)
    assert result.tax_amount == Decimal("0.04")
    assert result.tax_inclusive == Decimal("0.25")


def test_it_gives_one_vat_breakdown_per_category_and_rate() -> None:
    lines = (
        line("2", "100"),
        line("1", "50", rate="6"),
        line("1", "10", VatCategory.ZERO, "0"),
        line("1", "33.33", rate="21"),
    )
    result = totals(dataclasses.replace(sample_invoice(), lines=lines))
    assert [(b.category, b.rate, b.taxable_amount, b.tax_amount) for b in result.breakdown] == [
        (VatCategory.STANDARD, Decimal("21"), Decimal("233.33"), Decimal("49.00")),
        (VatCategory.STANDARD, Decimal("6"), Decimal("50.00"), Decimal("3.00")),
        (VatCategory.ZERO, Decimal("0"), Decimal("10.00"), Decimal("0.00")),
    ]
    assert (result.line_extension, result.tax_amount, result.payable) == (
        Decimal("293.33"),
        Decimal("52.00"),
        Decimal("345.33"),
    )


def test_it_makes_belgian_structured_references_with_mod97_check_digits() -> None:
    assert structured_reference(1234567890) == "+++123/4567/89002+++"
    assert structured_reference(97) == "+++000/0000/09797+++"  # remainder 0 becomes 97


def test_it_refuses_a_credit_note_that_does_not_name_the_credited_invoice() -> None:
    credit_note = dataclasses.replace(sample_invoice(), kind=DocumentKind.CREDIT_NOTE)
    with pytest.raises(EDocumentError) as error:
        build_ubl(credit_note)
    assert "billing_reference" in str(error.value)


def test_it_refuses_to_mix_outside_scope_lines_with_taxed_lines() -> None:
    lines = (line("1", "10"), line("1", "10", VatCategory.OUTSIDE_SCOPE, "0"))
    found = problems(dataclasses.replace(sample_invoice(), lines=lines))
    assert [p.field for p in found] == ["lines.vat_category"]


def test_it_asks_for_the_customer_vat_number_on_reverse_charge() -> None:
    no_vat = party("Veiling Holland B.V.", "NL", enterprise_number="12345678")
    document = dataclasses.replace(
        sample_invoice(), buyer=no_vat, lines=(line("1", "10", VatCategory.REVERSE_CHARGE, "0"),)
    )
    assert [p.field for p in problems(document)] == ["buyer.vat_number"]


def test_it_names_the_field_of_a_wrong_enterprise_number_and_a_wrong_iban() -> None:
    document = dataclasses.replace(
        sample_invoice(),
        buyer=party("Client", "BE", enterprise_number="0477472702"),
        payment=Payment(iban="BE00 0000 0000 0000"),
    )
    fields = [p.field for p in problems(document)]
    assert fields == ["buyer.enterprise_number", "payment.iban"]


def test_it_asks_for_a_buyer_reference_or_an_order_reference() -> None:
    document = dataclasses.replace(sample_invoice(), buyer_reference="")
    assert [p.code for p in problems(document)] == ["PEPPOL-EN16931-R003"]
    assert problems(dataclasses.replace(document, order_reference="PO-77")) == []


def test_a_sample_invoice_has_no_problems() -> None:
    assert problems(sample_invoice()) == []
    reverse_charge = dataclasses.replace(
        sample_invoice(),
        seller=CARRIER,
        buyer=DUTCH_CUSTOMER,
        issue_date=date(2026, 1, 5),
        lines=(line("1", "10", VatCategory.REVERSE_CHARGE, "0"),),
    )
    assert problems(reverse_charge) == []
