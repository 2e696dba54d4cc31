"""The seller and buyer as they were when a document was finalised.

A finalised invoice must not change when the company or the customer is edited later, so finalisation copies
the legal data an invoice prints and an e-invoice needs (names, addresses, VAT and enterprise numbers, Peppol
endpoint, bank account) into the invoice itself.
"""

from __future__ import annotations

from typing import Any

from haulbill.addressbook import numbers
from haulbill.addressbook.models import Customer
from haulbill.tenancy.models import Company


def seller(company: Company) -> dict[str, Any]:
    return {
        "name": company.legal_name,
        "legal_form": company.legal_form,
        "vat_number": company.vat_number,
        "enterprise_number": company.enterprise_number,
        "register": company.register,
        "street": company.street,
        "postcode": company.postcode,
        "city": company.city,
        "country": company.country,
        "iban": company.iban,
        "bic": company.bic,
        "email": company.email,
        "phone": company.phone,
        "peppol_identifier": numbers.peppol_identifier(company.country, company.vat_number, company.enterprise_number),
    }


def buyer(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "reference": customer.reference,
        "name": customer.name,
        "vat_number": customer.vat_number,
        "enterprise_number": customer.enterprise_number,
        "street": customer.street,
        "postcode": customer.postcode,
        "city": customer.city,
        "country": customer.country,
        "email": customer.email,
        "language": customer.language,
        "vat_regime": customer.vat_regime,
        "invoicing_id": customer.invoicing_id,
        "peppol_identifier": customer.peppol_identifier,
    }
