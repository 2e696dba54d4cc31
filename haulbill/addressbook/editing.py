"""Creating and editing customers by hand or from a TMS: the page, the API and imports call these.

The invoicing ID is not edited here: linking (addressbook/services.py) owns it, because a link must point at a
customer that exists in the provider.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haulbill.core import audit
from haulbill.tenancy.models import Company

from .models import Customer

EDITABLE_FIELDS = (
    "reference",
    "name",
    "vat_number",
    "enterprise_number",
    "street",
    "postcode",
    "city",
    "country",
    "email",
    "language",
    "payment_delay_days",
    "vat_regime",
    "invoice_reference",
    "invoice_per_transport",
    "send_method",
    "is_active",
)


def _apply(customer: Customer, data: dict[str, Any]) -> list[str]:
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    changed = []
    for name, value in data.items():
        if name == "country" and isinstance(value, str):
            value = value.strip().upper()
        elif isinstance(value, str):
            value = value.strip()
        if getattr(customer, name) != value:
            setattr(customer, name, value)
            changed.append(name)
    return changed


def _check_reference(company: Company, customer: Customer) -> None:
    """A TMS reference names one customer: transports are matched to customers by it."""
    if not customer.reference:
        return
    clash = Customer.objects.for_company(company).filter(reference=customer.reference).exclude(pk=customer.pk)
    if clash.exists():
        raise ValidationError(
            {"reference": _("Another customer already has the reference %(ref)s.") % {"ref": customer.reference}}
        )


def create_customer(company: Company, data: dict[str, Any], *, user: Any = None) -> Customer:
    """Validate (VAT and enterprise numbers normalised by Customer.clean) and save a new customer.

    Raises ValidationError with one message per field, e.g. {"vat_number": ["... wrong check digit ..."]}.
    """
    customer = Customer(company=company)
    _apply(customer, data)
    customer.full_clean()
    _check_reference(company, customer)
    with transaction.atomic():
        customer.save()
        audit.record(company, user, audit.CUSTOMER_CREATED, customer, name=customer.name)
    return customer


def update_customer(company: Company, customer: Customer, data: dict[str, Any], *, user: Any = None) -> Customer:
    """Change the given fields of a customer of `company`; the numbers are re-normalised and re-checked."""
    if customer.company_id != company.pk:
        raise Customer.DoesNotExist()
    changed = _apply(customer, data)
    customer.full_clean()
    _check_reference(company, customer)
    with transaction.atomic():
        customer.save()
        if changed:
            audit.record(company, user, audit.CUSTOMER_UPDATED, customer, fields=sorted(changed))
    return customer
