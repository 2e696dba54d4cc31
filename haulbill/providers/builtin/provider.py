"""The built-in provider: Haulbill issues the invoices itself.

Choices made where the port speaks of a remote platform:
- check_connection: there is no key; the company is the only account.
- list_products / list_customers / get_customer: the local catalog and address book (the "remote" is us), so a
  catalog synchronisation or a customer check is a no-op that always agrees.
- create_customer: the local customer is its own record; its id is returned.
- next_number: the local sequence (what the next finalisation would get); `consume=True` is refused, since
  numbers are only given at finalisation, inside its transaction.
- push_invoice: renders the PDF locally and returns our own totals (no remote copy to compare with).
- find_invoice: a local finalised document with that number.
- fetch_statuses: nothing (statuses are set in Haulbill itself).
- send: not supported here; e-mail or Peppol sending belongs to the sending service.
- peppol_status: "unknown" (the reachability lookup lives in haulbill.einvoice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from haulbill.addressbook.models import Customer
from haulbill.catalog.models import Product
from haulbill.providers.base import (
    ConnectionInfo,
    NotSupported,
    PeppolStatus,
    ProgressCallback,
    PushResult,
    RemoteAccount,
    RemoteCustomer,
    RemoteInvoiceStatus,
    RemoteProduct,
)
from haulbill.tenancy.models import Company


def _remote_customer(customer: Customer) -> RemoteCustomer:
    return RemoteCustomer(
        remote_id=str(customer.pk),
        name=customer.name,
        vat_number=customer.vat_number,
        enterprise_number=customer.enterprise_number,
        street=customer.street,
        postcode=customer.postcode,
        city=customer.city,
        country=customer.country,
        email=customer.email,
        language=customer.language,
    )


class BuiltinProvider:
    key = "builtin"

    def __init__(self, company: Company, connection: Any = None) -> None:
        self.company = company
        self.connection = connection

    def __repr__(self) -> str:
        return f"<BuiltinProvider company={self.company.pk}>"

    def check_connection(self) -> ConnectionInfo:
        return ConnectionInfo(
            user_email=self.company.email,
            accounts=[RemoteAccount(str(self.company.pk), self.company.legal_name, self.company.vat_number)],
        )

    def list_products(self, progress: ProgressCallback | None = None) -> Iterator[RemoteProduct]:
        products = list(Product.objects.for_company(self.company).filter(is_active=True))
        for done, p in enumerate(products, start=1):
            if progress:
                progress(done, len(products))
            yield RemoteProduct(
                remote_id=p.provider_product_id or str(p.pk),
                item_code=p.item_code,
                name=p.name,
                unit=p.unit,
                unit_price=p.unit_price,
                vat_rate=p.vat_rate,
                vat_level=p.vat_level,
            )

    def list_customers(self, progress: ProgressCallback | None = None) -> Iterator[RemoteCustomer]:
        customers = list(Customer.objects.for_company(self.company).filter(is_active=True))
        for done, c in enumerate(customers, start=1):
            if progress:
                progress(done, len(customers))
            yield _remote_customer(c)

    def get_customer(self, remote_id: str) -> RemoteCustomer | None:
        if not str(remote_id).isdigit():
            return None
        customer = Customer.objects.for_company(self.company).filter(pk=int(remote_id)).first()
        return _remote_customer(customer) if customer else None

    def create_customer(self, customer: Customer) -> str:
        return str(customer.pk)

    def next_number(self, kind: str, *, consume: bool = False) -> str | None:
        from haulbill.invoicing import numbering

        if consume:
            raise NotSupported("The built-in provider gives numbers only when an invoice is finalised.")
        return numbering.peek(self.company, kind).number

    def push_invoice(self, invoice: object) -> PushResult:
        from haulbill.invoicing.pdf import render_pdf

        inv: Any = invoice
        return PushResult(
            remote_id=str(inv.pk),
            number=inv.number,
            total_excl=inv.total_excl,
            total_vat=inv.total_vat,
            total_incl=inv.total_incl,
            pdf=render_pdf(inv),
        )

    def find_invoice(self, number: str, kind: str) -> PushResult | None:
        from haulbill.invoicing.models import Invoice, InvoiceStatus

        inv = (
            Invoice.objects.for_company(self.company)
            .filter(number=number, kind=kind)
            .exclude(status=InvoiceStatus.DRAFT)
            .first()
        )
        if inv is None:
            return None
        return PushResult(str(inv.pk), inv.number, inv.total_excl, inv.total_vat, inv.total_incl, already_existed=True)

    def fetch_statuses(self, since: dt.datetime | None) -> Iterator[RemoteInvoiceStatus]:
        return iter(())

    def send(self, invoice: object, method: str) -> None:
        raise NotSupported("The built-in provider does not send documents; use the sending service.")

    def peppol_status(self, customer: Customer) -> PeppolStatus:
        return PeppolStatus(state="unknown", detail="The built-in provider does not look up Peppol participants.")
