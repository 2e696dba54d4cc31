"""Every kind of document Haulbill produces passes XSD, EN 16931 and Peppol BIS 3.0 without a fatal finding."""

from __future__ import annotations

import dataclasses
from base64 import b64decode
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from haulbill.einvoice.document import (
    DEFAULT_EXEMPTIONS,
    Attachment,
    BillingReference,
    DocumentKind,
    EDocument,
    ExemptionReason,
    Line,
    Party,
    VatCategory,
)
from haulbill.einvoice.samples import (
    CARRIER,
    DUTCH_CUSTOMER,
    FRENCH_CUSTOMER,
    SWISS_CUSTOMER,
    party,
    sample_invoice,
    transport_lines,
)
from haulbill.einvoice.ubl import CBC_NS, build_ubl
from tests.einvoice.conftest import TimedValidator

NS = {"cbc": CBC_NS, "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}


def assert_passes(validator: TimedValidator, document: EDocument) -> etree._Element:
    xml = build_ubl(document)
    report = validator.validate(xml)
    assert report.fatal == (), "\n".join(str(f) for f in report.fatal)
    return etree.fromstring(xml)


def line(index: int, name: str, quantity: str, unit: str, price: str, category: VatCategory, rate: str) -> Line:
    return Line(str(index), name, Decimal(quantity), unit, Decimal(price), category, Decimal(rate))


def test_every_official_example_passes_the_validator(validator: TimedValidator, artefacts: Path) -> None:
    examples = sorted((artefacts / "examples").glob("*.xml"))
    assert examples, "the artefact folder has no examples/"
    for example in examples:
        report = validator.validate(example.read_bytes())
        assert report.is_valid, f"{example.name}: " + "; ".join(str(f) for f in report.fatal)


def test_a_domestic_belgian_invoice_at_21_percent_passes(validator: TimedValidator) -> None:
    tree = assert_passes(validator, sample_invoice(10))
    assert tree.findtext("cbc:InvoiceTypeCode", namespaces=NS) == "380"
    assert tree.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS).get("schemeID") == "0208"


def test_an_invoice_mixing_21_6_and_zero_rated_lines_passes(validator: TimedValidator) -> None:
    lines = (
        line(1, "Transport", "1", "C62", "650", VatCategory.STANDARD, "21"),
        line(2, "Transport of medicines", "2", "C62", "120.40", VatCategory.STANDARD, "6"),
        line(3, "Newspaper distribution", "14", "DAY", "18.333", VatCategory.ZERO, "0"),
        line(4, "Night surcharge", "3.5", "HUR", "12.99", VatCategory.STANDARD, "21"),
    )
    tree = assert_passes(validator, dataclasses.replace(sample_invoice(), lines=lines))
    assert len(tree.findall("cac:TaxTotal/cac:TaxSubtotal", NS)) == 3


@pytest.mark.parametrize("customer", [DUTCH_CUSTOMER, FRENCH_CUSTOMER], ids=["NL", "FR"])
def test_an_intra_eu_reverse_charge_invoice_passes(validator: TimedValidator, customer: Party) -> None:
    document = dataclasses.replace(
        sample_invoice(),
        buyer=customer,
        lines=transport_lines(4, VatCategory.REVERSE_CHARGE, Decimal("0")),
    )
    tree = assert_passes(validator, document)
    category = tree.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert category.findtext("cbc:TaxExemptionReasonCode", namespaces=NS) == "VATEX-EU-AE"
    assert category.findtext("cbc:TaxExemptionReason", namespaces=NS) == (
        "Reverse charge - Autoliquidation - Verlegging van heffing"
    )


def test_an_export_linked_exempt_transport_passes_with_the_article_146_code(validator: TimedValidator) -> None:
    document = dataclasses.replace(
        sample_invoice(),
        buyer=FRENCH_CUSTOMER,
        lines=transport_lines(3, VatCategory.EXEMPT, Decimal("0")),
    )
    tree = assert_passes(validator, document)
    code = tree.findtext("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode", namespaces=NS)
    assert code == "VATEX-EU-146-1E"


def test_a_swiss_customer_with_an_export_linked_exemption_passes(validator: TimedValidator) -> None:
    document = dataclasses.replace(
        sample_invoice(),
        buyer=SWISS_CUSTOMER,
        lines=transport_lines(2, VatCategory.EXEMPT, Decimal("0")),
    )
    tree = assert_passes(validator, document)
    assert tree.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS).get("schemeID") == "9927"


def test_a_uk_customer_outside_the_scope_of_vat_passes_without_any_vat_number(validator: TimedValidator) -> None:
    uk = party("Thames Freight Ltd", "GB", vat_number="GB980780684", street="1 Dock Road", city="London")
    document = dataclasses.replace(
        sample_invoice(), buyer=uk, lines=transport_lines(2, VatCategory.OUTSIDE_SCOPE, Decimal("0"))
    )
    tree = assert_passes(validator, document)
    assert tree.findall(".//cac:PartyTaxScheme", NS) == []  # BR-O-02 forbids them
    assert tree.find(".//cac:ClassifiedTaxCategory/cbc:Percent", NS) is None  # BR-O-05


def test_intra_eu_goods_and_exports_pass_with_their_codes(validator: TimedValidator) -> None:
    goods = dataclasses.replace(
        sample_invoice(),
        buyer=DUTCH_CUSTOMER,
        lines=(line(1, "Pallets sold", "10", "H87", "12.50", VatCategory.INTRA_EU_GOODS, "0"),),
    )
    assert_passes(validator, goods)
    export = dataclasses.replace(
        sample_invoice(),
        buyer=SWISS_CUSTOMER,
        lines=(line(1, "Used trailer", "1", "C62", "8500", VatCategory.EXPORT, "0"),),
    )
    assert_passes(validator, export)


def test_a_full_credit_note_passes_and_names_the_credited_invoice(validator: TimedValidator) -> None:
    invoice = sample_invoice(6)
    credit_note = dataclasses.replace(
        invoice,
        kind=DocumentKind.CREDIT_NOTE,
        number="C2026-000007",
        issue_date=date(2026, 4, 10),
        billing_reference=BillingReference(invoice.number, invoice.issue_date),
        note="Full credit of invoice F2026-000123: wrong customer",
    )
    tree = assert_passes(validator, credit_note)
    assert etree.QName(tree).localname == "CreditNote"
    assert tree.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert tree.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS) == invoice.number
    assert len(tree.findall("cac:CreditNoteLine/cbc:CreditedQuantity", NS)) == 6
    assert tree.findtext("cac:PaymentMeans/cbc:PaymentDueDate", namespaces=NS) == "2026-04-30"


def test_a_partial_credit_note_passes(validator: TimedValidator) -> None:
    invoice = sample_invoice(6)
    credit_note = dataclasses.replace(
        invoice,
        kind=DocumentKind.CREDIT_NOTE,
        number="C2026-000008",
        billing_reference=BillingReference(invoice.number, invoice.issue_date),
        lines=(line(1, "Waiting time not due", "1.25", "HUR", "48.50", VatCategory.STANDARD, "21"),),
        due_date=None,
    )
    tree = assert_passes(validator, credit_note)
    # 1.25 x 48.50 = 60.625, half-up 60.63; VAT 21% = 12.7323 -> 12.73
    assert tree.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "73.36"


def test_long_descriptions_and_special_characters_survive(validator: TimedValidator) -> None:
    tricky = "Müller & Söhne <Bau> \"Łódź\" 'Ærø' — 🚚 €5 ; a<b && c>d ]]> \x0b"
    description = ("Déménagement d'une brasserie : fûts, cuves & matériel. " * 80).strip()
    document = dataclasses.replace(
        sample_invoice(1),
        buyer=party("Brasserie L'Étoile & Cie", "BE", vat_number="BE0403170701", city="Liège"),
        note=tricky,
        lines=(
            Line(
                "1",
                tricky,
                Decimal("1"),
                "C62",
                Decimal("99.99"),
                VatCategory.STANDARD,
                Decimal("21"),
                description=description,
            ),
        ),
    )
    tree = assert_passes(validator, document)
    assert tree.findtext("cbc:Note", namespaces=NS) == tricky.replace("\x0b", "").strip()
    assert tree.findtext("cac:InvoiceLine/cac:Item/cbc:Description", namespaces=NS) == description
    buyer = tree.findtext(
        "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", namespaces=NS
    )
    assert buyer == "Brasserie L'Étoile & Cie"


def test_transport_unit_codes_are_accepted(validator: TimedValidator) -> None:
    units = ["C62", "HUR", "KMT", "TNE", "TKM", "DAY", "MIN", "KGM", "LTR", "E48", "LS", "H87"]
    lines = tuple(line(i, f"Unit {u}", "2.5", u, "10", VatCategory.STANDARD, "21") for i, u in enumerate(units, 1))
    tree = assert_passes(validator, dataclasses.replace(sample_invoice(), lines=lines))
    assert [q.get("unitCode") for q in tree.findall(".//cbc:InvoicedQuantity", NS)] == units


def test_an_invoice_with_the_pdf_embedded_passes_and_carries_the_file(validator: TimedValidator) -> None:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    document = dataclasses.replace(
        sample_invoice(), attachment=Attachment(pdf, "F2026-000123.pdf", description="Invoice F2026-000123")
    )
    tree = assert_passes(validator, document)
    binary = tree.find("cac:AdditionalDocumentReference/cac:Attachment/cbc:EmbeddedDocumentBinaryObject", NS)
    assert (binary.get("mimeCode"), binary.get("filename")) == ("application/pdf", "F2026-000123.pdf")
    assert b64decode(binary.text) == pdf


def test_a_correction_line_with_a_negative_quantity_passes(validator: TimedValidator) -> None:
    lines = (
        line(1, "Transport", "1", "C62", "500", VatCategory.STANDARD, "21"),
        line(2, "Kilometres invoiced twice on F2026-000100", "-120", "KMT", "1.35", VatCategory.STANDARD, "21"),
    )
    assert_passes(validator, dataclasses.replace(sample_invoice(), lines=lines))


def test_custom_exemption_texts_replace_the_defaults(validator: TimedValidator) -> None:
    exemptions = {**DEFAULT_EXEMPTIONS, VatCategory.REVERSE_CHARGE: ExemptionReason("", "Autoliquidation (art. 196)")}
    document = dataclasses.replace(
        sample_invoice(),
        buyer=DUTCH_CUSTOMER,
        exemptions=exemptions,
        lines=transport_lines(1, VatCategory.REVERSE_CHARGE, Decimal("0")),
    )
    tree = assert_passes(validator, document)
    category = tree.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert category.find("cbc:TaxExemptionReasonCode", NS) is None
    assert category.findtext("cbc:TaxExemptionReason", namespaces=NS) == "Autoliquidation (art. 196)"


def test_a_dutch_carrier_invoicing_a_dutch_customer_passes(validator: TimedValidator) -> None:
    seller = party("Van Dijk Transport B.V.", "NL", vat_number="NL853746333B01", enterprise_number="12345678")
    assert seller.endpoint is not None and seller.endpoint.scheme == "0106"
    buyer = party("Albert Groothandel B.V.", "NL", vat_number="NL001234567B01")
    assert_passes(validator, dataclasses.replace(sample_invoice(), seller=seller, buyer=buyer))
    assert CARRIER.endpoint is not None


def test_blank_optional_fields_leave_no_empty_element(validator: TimedValidator) -> None:
    bare = party("Bare Customer", "BE", enterprise_number="0403170701", street=" ", city="", postcode="")
    document = dataclasses.replace(
        sample_invoice(2),
        buyer=bare,
        due_date=None,
        delivery_date=None,
        payment=None,
        payment_terms="  ",
        note="",
        lines=tuple(dataclasses.replace(line, description="", item_code=" ") for line in transport_lines(2)),
    )
    tree = assert_passes(validator, document)
    empty = [element.tag for element in tree.iter() if len(element) == 0 and not (element.text or "").strip()]
    assert empty == []
