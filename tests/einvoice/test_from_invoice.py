"""Haulbill's own invoices and credit notes, made by the engine, become Peppol documents that pass the official rules."""

from __future__ import annotations

import base64
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from haulbill.einvoice.document import totals
from haulbill.einvoice.from_invoice import EInvoiceError, edocument_for, ubl_attachment, ubl_for
from haulbill.einvoice.ubl import CAC_NS, CBC_NS
from haulbill.einvoice.validation import ValidationReport
from haulbill.invoicing import services
from haulbill.invoicing.models import Invoice, InvoiceLine, settings_for
from haulbill.invoicing.selection import Selection
from tests.einvoice.conftest import TimedValidator
from tests.einvoice.scenarios import (
    CREDIT_DATE,
    ISSUE_DATE,
    SCENARIOS,
    SPECIAL,
    credit_note_partial,
    customer,
    discount_line,
    domestic_21,
    finalised_but_not_pushed,
    foreign_customer,
    invoice_customer,
    product,
    reverse_charge_netherlands,
    transport,
)

NS = {"cbc": CBC_NS, "cac": CAC_NS}


def tree_of(invoice: Invoice) -> etree._Element:
    return etree.fromstring(ubl_for(invoice))


def engine_totals(invoice: Invoice) -> tuple[Any, ...]:
    breakdown = sorted(
        (g["category"], Decimal(g["rate"]), Decimal(g["taxable"]), Decimal(g["vat"])) for g in invoice.vat_breakdown
    )
    return invoice.total_excl, invoice.total_vat, invoice.total_incl, breakdown


def edocument_totals(invoice: Invoice) -> tuple[Any, ...]:
    sums = totals(edocument_for(invoice))
    breakdown = sorted((b.category.value, b.rate, b.taxable_amount, b.tax_amount) for b in sums.breakdown)
    return sums.tax_exclusive, sums.tax_amount, sums.payable, breakdown


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_it_gives_every_kind_of_document_haulbill_produces_as_a_valid_peppol_e_invoice(
    company: Any, validator: TimedValidator, record_scenario: Callable[[str, ValidationReport], None], name: str
) -> None:
    invoice = SCENARIOS[name](company)

    assert edocument_totals(invoice) == engine_totals(invoice), f"{name}: the e-invoice does not add up like the engine"
    report = validator.validate(ubl_for(invoice))
    record_scenario(name, report)
    assert report.fatal == (), f"{name}:\n" + "\n".join(str(f) for f in report.fatal)


def test_it_refuses_a_draft_because_a_draft_has_no_number(company: Any) -> None:
    to = customer(company)
    transport(company, to, [("Freight", "1", "C62", "100.00", product(company))])
    run = services.start_run(company, Selection(customer_ids=(to.pk,)))
    draft = Invoice.objects.for_company(company).get(run=run)

    with pytest.raises(EInvoiceError) as caught:
        ubl_for(draft)

    assert caught.value.code == "einvoice_draft"
    assert "finalise it" in caught.value.message


def test_it_takes_the_customers_invoice_reference_as_buyer_reference(company: Any) -> None:
    invoice = domestic_21(company)

    assert tree_of(invoice).findtext("cbc:BuyerReference", namespaces=NS) == "PO 4500012345"


def test_it_takes_the_transport_reference_when_the_customer_gives_none(company: Any) -> None:
    to = customer(company, invoice_reference="")
    made = transport(company, to, [("Freight", "1", "C62", "100.00", product(company))], reference="T2026-777001")

    invoice = invoice_customer(company, to)

    assert tree_of(invoice).findtext("cbc:BuyerReference", namespaces=NS) == made.reference


def test_it_names_the_credited_invoice_by_number_and_issue_date(company: Any) -> None:
    note = credit_note_partial(company)
    tree = tree_of(note)

    reference = tree.find("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    assert etree.QName(tree).localname == "CreditNote"
    assert reference.findtext("cbc:ID", namespaces=NS) == note.credited_invoice.number
    assert reference.findtext("cbc:IssueDate", namespaces=NS) == ISSUE_DATE.isoformat()
    assert tree.findtext("cbc:IssueDate", namespaces=NS) == CREDIT_DATE.isoformat()


def test_a_partial_credit_note_carries_only_the_credited_quantities(company: Any) -> None:
    note = credit_note_partial(company)

    quantities = {
        q.get("unitCode"): q.text for q in tree_of(note).iterfind("cac:CreditNoteLine/cbc:CreditedQuantity", NS)
    }

    assert quantities == {"HUR": "2.25", "KMT": "40.5"}


def test_it_asks_for_payment_to_the_companys_iban_with_the_structured_reference(company: Any) -> None:
    invoice = domestic_21(company)
    means = tree_of(invoice).find("cac:PaymentMeans", NS)

    assert means.findtext("cbc:PaymentMeansCode", namespaces=NS) == "58"
    assert means.findtext("cbc:PaymentID", namespaces=NS) == invoice.payment_reference
    assert means.findtext("cac:PayeeFinancialAccount/cbc:ID", namespaces=NS) == company.iban
    assert (
        means.findtext("cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID", namespaces=NS) == company.bic
    )


def test_it_uses_a_plain_credit_transfer_for_an_iban_outside_sepa(company: Any) -> None:
    company.iban = "BR1500000000000010932840814P2"  # a valid Brazilian IBAN: not a SEPA transfer
    company.save()

    invoice = domestic_21(company)

    assert tree_of(invoice).findtext("cac:PaymentMeans/cbc:PaymentMeansCode", namespaces=NS) == "30"


def test_it_prints_the_reverse_charge_mention_the_carrier_configured(company: Any) -> None:
    inv_settings = settings_for(company)
    inv_settings.reverse_charge_mention = "Autoliquidation - art. 196 - Verlegging"
    inv_settings.save()

    invoice = reverse_charge_netherlands(company)
    category = tree_of(invoice).find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)

    assert category.findtext("cbc:ID", namespaces=NS) == "AE"
    assert category.findtext("cbc:TaxExemptionReasonCode", namespaces=NS) == "VATEX-EU-AE"
    assert category.findtext("cbc:TaxExemptionReason", namespaces=NS) == "Autoliquidation - art. 196 - Verlegging"


def test_it_embeds_the_invoice_pdf(company: Any) -> None:
    invoice = domestic_21(company)

    embedded = tree_of(invoice).find(
        "cac:AdditionalDocumentReference/cac:Attachment/cbc:EmbeddedDocumentBinaryObject", NS
    )

    assert embedded.get("mimeCode") == "application/pdf"
    assert embedded.get("filename") == f"{invoice.number}.pdf"
    assert base64.b64decode(embedded.text) == bytes(invoice.pdf)


def test_it_embeds_no_pdf_when_the_invoice_has_none_yet(company: Any) -> None:
    invoice = finalised_but_not_pushed(company)

    assert not invoice.pdf
    assert tree_of(invoice).find("cac:AdditionalDocumentReference", NS) is None


def test_it_writes_a_discount_as_a_negative_quantity_at_a_positive_price(company: Any) -> None:
    invoice = discount_line(company)

    last = tree_of(invoice).findall("cac:InvoiceLine", NS)[-1]

    assert last.findtext("cbc:InvoicedQuantity", namespaces=NS) == "-1"
    assert last.findtext("cac:Price/cbc:PriceAmount", namespaces=NS) == "62.5"
    assert last.findtext("cbc:LineExtensionAmount", namespaces=NS) == "-62.50"


def test_it_keeps_special_characters_and_the_full_line_text(company: Any) -> None:
    to = customer(company, name="L'Épi d'Or & Fils <Sud>")
    transport(company, to, [(SPECIAL, "1", "C62", "100.00", product(company))])
    invoice = invoice_customer(company, to)
    tree = tree_of(invoice)

    line = InvoiceLine.objects.for_company(company).get(invoice=invoice)
    assert tree.findtext("cac:InvoiceLine/cac:Item/cbc:Name", namespaces=NS) == line.description
    assert SPECIAL in line.description
    assert tree.findtext("cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name", namespaces=NS) == to.name


def test_it_keeps_the_buyer_as_it_was_at_finalisation(company: Any) -> None:
    invoice = domestic_21(company)
    invoice.customer.name = "Renamed Since NV"
    invoice.customer.save()

    name = tree_of(Invoice.objects.get(pk=invoice.pk)).findtext(
        "cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name", namespaces=NS
    )

    assert name == invoice.buyer["name"] != "Renamed Since NV"


def test_it_refuses_a_customer_without_any_peppol_address_naming_the_field(company: Any) -> None:
    to = foreign_customer(company, "US", "", vat_regime="export", name="Acme Freight Inc.")
    transport(company, to, [("New York → Antwerpen leg", "1", "C62", "900.00", product(company, vat_level="customer"))])
    invoice = invoice_customer(company, to)

    with pytest.raises(EInvoiceError) as caught:
        ubl_for(invoice)

    assert caught.value.code == "einvoice_invalid"
    assert [p.field for p in caught.value.problems] == ["buyer.endpoint"]
    assert invoice.number in caught.value.message


def test_it_refuses_to_build_an_e_invoice_that_would_not_add_up_to_the_invoice(company: Any) -> None:
    invoice = domestic_21(company)
    # A corrupted row (the model itself refuses to change a finalised invoice, so the update goes around it).
    Invoice.objects.filter(pk=invoice.pk).update(total_vat=invoice.total_vat + Decimal("0.01"))

    with pytest.raises(EInvoiceError) as caught:
        ubl_for(Invoice.objects.get(pk=invoice.pk))

    assert caught.value.code == "einvoice_totals_differ"
    assert f"VAT {invoice.total_vat + Decimal('0.01')} on the invoice, {invoice.total_vat} in the e-invoice" in (
        caught.value.message
    )


def test_the_attachment_for_a_provider_is_the_same_ubl_under_the_invoice_number(company: Any) -> None:
    invoice = domestic_21(company)

    filename, xml = ubl_attachment(invoice)

    assert filename == f"{invoice.number}.xml"
    assert xml == ubl_for(invoice)
