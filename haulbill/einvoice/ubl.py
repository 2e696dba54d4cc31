"""UBL 2.1 Invoice / CreditNote for Peppol BIS Billing 3.0, built from an `EDocument`.

Elements are written in the order the UBL XSD demands, optional fields that are blank are
left out (PEPPOL-EN16931-R008 rejects empty elements) and every amount comes from
`document.totals`, so what is built is what the validators recompute.
"""

from __future__ import annotations

import base64
import re
from decimal import Decimal

from lxml import etree

from haulbill.einvoice.document import (
    NEEDS_EXEMPTION_REASON,
    DocumentKind,
    EDocument,
    EDocumentError,
    Party,
    Totals,
    VatCategory,
    problems,
    totals,
)
from haulbill.einvoice.schemes import compact, company_id_scheme

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "{" + CAC_NS + "}"
CBC = "{" + CBC_NS + "}"

# Characters XML 1.0 cannot carry; a stray one pasted from a spreadsheet must not make the
# whole document unbuildable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_SubElement = etree.SubElement


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text).strip()


def _add(parent: etree._Element, tag: str, text: str, **attributes: str) -> etree._Element:
    element = _SubElement(parent, tag, attributes) if attributes else _SubElement(parent, tag)
    element.text = text
    return element


def _add_text(parent: etree._Element, tag: str, text: str, **attributes: str) -> None:
    """Add `tag` only when `text` has something to say."""
    cleaned = _clean(text) if text else ""
    if cleaned:
        _add(parent, tag, cleaned, **attributes)


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _number(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros ("2.5", "100", "0.125")."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def build_ubl(document: EDocument) -> bytes:
    """The Peppol BIS 3.0 XML of `document` (UTF-8, with XML declaration).

    Raises EDocumentError naming each field to fix when the document cannot be valid.
    """
    found = problems(document)
    if found:
        raise EDocumentError(found)
    return _serialise(document, totals(document))


def _serialise(document: EDocument, sums: Totals) -> bytes:
    is_credit_note = document.kind is DocumentKind.CREDIT_NOTE
    root_ns = CREDIT_NOTE_NS if is_credit_note else INVOICE_NS
    root_tag = "CreditNote" if is_credit_note else "Invoice"
    root = etree.Element("{" + root_ns + "}" + root_tag, nsmap={None: root_ns, "cac": CAC_NS, "cbc": CBC_NS})
    currency = document.currency

    _add(root, CBC + "CustomizationID", CUSTOMIZATION_ID)
    _add(root, CBC + "ProfileID", PROFILE_ID)
    _add_text(root, CBC + "ID", document.number)
    _add(root, CBC + "IssueDate", document.issue_date.isoformat())
    if is_credit_note:
        # UBL 2.1 CreditNote has no DueDate; BIS 3.0 carries BT-9 in PaymentMeans instead.
        _add(root, CBC + "CreditNoteTypeCode", "381")
    else:
        if document.due_date is not None:
            _add(root, CBC + "DueDate", document.due_date.isoformat())
        _add(root, CBC + "InvoiceTypeCode", "380")
    _add_text(root, CBC + "Note", document.note)
    _add(root, CBC + "DocumentCurrencyCode", currency)
    _add_text(root, CBC + "BuyerReference", document.buyer_reference)
    if document.order_reference.strip():
        _add_text(_SubElement(root, CAC + "OrderReference"), CBC + "ID", document.order_reference)
    if document.billing_reference is not None:
        reference = _SubElement(_SubElement(root, CAC + "BillingReference"), CAC + "InvoiceDocumentReference")
        _add_text(reference, CBC + "ID", document.billing_reference.number)
        if document.billing_reference.issue_date is not None:
            _add(reference, CBC + "IssueDate", document.billing_reference.issue_date.isoformat())
    if document.attachment is not None:
        attachment = document.attachment
        reference = _SubElement(root, CAC + "AdditionalDocumentReference")
        _add_text(reference, CBC + "ID", document.number)
        _add_text(reference, CBC + "DocumentDescription", attachment.description)
        _add(
            _SubElement(reference, CAC + "Attachment"),
            CBC + "EmbeddedDocumentBinaryObject",
            base64.b64encode(attachment.content).decode("ascii"),
            mimeCode=attachment.mime_code,
            filename=_clean(attachment.filename),
        )

    without_vat = document.outside_scope
    _party(_SubElement(root, CAC + "AccountingSupplierParty"), document.seller, without_vat)
    _party(_SubElement(root, CAC + "AccountingCustomerParty"), document.buyer, without_vat)

    delivery_country = document.delivery_country
    if not delivery_country and VatCategory.INTRA_EU_GOODS in document.categories:
        delivery_country = document.buyer.country  # BR-IC-12 needs a deliver-to country
    if document.delivery_date is not None or delivery_country:
        delivery = _SubElement(root, CAC + "Delivery")
        if document.delivery_date is not None:
            _add(delivery, CBC + "ActualDeliveryDate", document.delivery_date.isoformat())
        if delivery_country:
            address = _SubElement(_SubElement(delivery, CAC + "DeliveryLocation"), CAC + "Address")
            _add(_SubElement(address, CAC + "Country"), CBC + "IdentificationCode", delivery_country)

    if document.payment is not None:
        payment = document.payment
        means = _SubElement(root, CAC + "PaymentMeans")
        _add(means, CBC + "PaymentMeansCode", payment.means_code)
        if is_credit_note and document.due_date is not None:
            _add(means, CBC + "PaymentDueDate", document.due_date.isoformat())
        _add_text(means, CBC + "PaymentID", payment.reference)
        account = _SubElement(means, CAC + "PayeeFinancialAccount")
        _add(account, CBC + "ID", compact(payment.iban))
        if payment.bic.strip():
            branch = _SubElement(account, CAC + "FinancialInstitutionBranch")
            _add(branch, CBC + "ID", compact(payment.bic))
    if document.payment_terms.strip():
        _add_text(_SubElement(root, CAC + "PaymentTerms"), CBC + "Note", document.payment_terms)

    tax_total = _SubElement(root, CAC + "TaxTotal")
    _add(tax_total, CBC + "TaxAmount", _amount(sums.tax_amount), currencyID=currency)
    for breakdown in sums.breakdown:
        subtotal = _SubElement(tax_total, CAC + "TaxSubtotal")
        _add(subtotal, CBC + "TaxableAmount", _amount(breakdown.taxable_amount), currencyID=currency)
        _add(subtotal, CBC + "TaxAmount", _amount(breakdown.tax_amount), currencyID=currency)
        category = _SubElement(subtotal, CAC + "TaxCategory")
        _add(category, CBC + "ID", breakdown.category.value)
        if breakdown.category is not VatCategory.OUTSIDE_SCOPE:  # BR-O-05: O has no rate
            _add(category, CBC + "Percent", _number(breakdown.rate))
        if breakdown.category in NEEDS_EXEMPTION_REASON:
            reason = document.exemptions[breakdown.category]
            _add_text(category, CBC + "TaxExemptionReasonCode", reason.code)
            _add_text(category, CBC + "TaxExemptionReason", reason.text)
        _add(_SubElement(category, CAC + "TaxScheme"), CBC + "ID", "VAT")

    monetary = _SubElement(root, CAC + "LegalMonetaryTotal")
    _add(monetary, CBC + "LineExtensionAmount", _amount(sums.line_extension), currencyID=currency)
    _add(monetary, CBC + "TaxExclusiveAmount", _amount(sums.tax_exclusive), currencyID=currency)
    _add(monetary, CBC + "TaxInclusiveAmount", _amount(sums.tax_inclusive), currencyID=currency)
    _add(monetary, CBC + "PayableAmount", _amount(sums.payable), currencyID=currency)

    line_tag = CAC + ("CreditNoteLine" if is_credit_note else "InvoiceLine")
    quantity_tag = CBC + ("CreditedQuantity" if is_credit_note else "InvoicedQuantity")
    for line in document.lines:
        element = _SubElement(root, line_tag)
        _add_text(element, CBC + "ID", line.id)
        _add(element, quantity_tag, _number(line.quantity), unitCode=line.unit_code.strip())
        _add(element, CBC + "LineExtensionAmount", _amount(line.net_amount), currencyID=currency)
        item = _SubElement(element, CAC + "Item")
        _add_text(item, CBC + "Description", line.description)
        _add_text(item, CBC + "Name", line.name)
        if line.item_code.strip():
            _add_text(_SubElement(item, CAC + "SellersItemIdentification"), CBC + "ID", line.item_code)
        tax_category = _SubElement(item, CAC + "ClassifiedTaxCategory")
        _add(tax_category, CBC + "ID", line.vat_category.value)
        if line.vat_category is not VatCategory.OUTSIDE_SCOPE:
            _add(tax_category, CBC + "Percent", _number(line.vat_rate))
        _add(_SubElement(tax_category, CAC + "TaxScheme"), CBC + "ID", "VAT")
        price = _SubElement(element, CAC + "Price")
        _add(price, CBC + "PriceAmount", _number(line.unit_price), currencyID=currency)

    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml


def _party(wrapper: etree._Element, party: Party, without_vat: bool) -> None:
    element = _SubElement(wrapper, CAC + "Party")
    if party.endpoint is not None:
        _add(element, CBC + "EndpointID", party.endpoint.identifier, schemeID=party.endpoint.scheme)
    company_number = compact(party.enterprise_number)
    company_scheme = company_id_scheme(party.country, company_number)
    if party.country == "BE" and party.endpoint is not None and party.endpoint.scheme == "0208":
        company_number, company_scheme = party.endpoint.identifier, "0208"
    if company_number and company_scheme:
        # BT-29/BT-46 lets the receiver match the party in its books without the VAT number.
        identification = _SubElement(element, CAC + "PartyIdentification")
        _add(identification, CBC + "ID", company_number, schemeID=company_scheme)
    _add_text(_SubElement(element, CAC + "PartyName"), CBC + "Name", party.name)
    address = _SubElement(element, CAC + "PostalAddress")
    _add_text(address, CBC + "StreetName", party.street)
    _add_text(address, CBC + "CityName", party.city)
    _add_text(address, CBC + "PostalZone", party.postcode)
    _add(_SubElement(address, CAC + "Country"), CBC + "IdentificationCode", party.country)
    if party.vat and not without_vat:
        tax_scheme = _SubElement(element, CAC + "PartyTaxScheme")
        _add(tax_scheme, CBC + "CompanyID", party.vat)
        _add(_SubElement(tax_scheme, CAC + "TaxScheme"), CBC + "ID", "VAT")
    legal = _SubElement(element, CAC + "PartyLegalEntity")
    _add_text(legal, CBC + "RegistrationName", party.name)
    if company_number:
        if company_scheme:
            _add(legal, CBC + "CompanyID", company_number, schemeID=company_scheme)
        else:
            _add(legal, CBC + "CompanyID", company_number)
    if party.email.strip():
        _add_text(_SubElement(element, CAC + "Contact"), CBC + "ElectronicMail", party.email)
