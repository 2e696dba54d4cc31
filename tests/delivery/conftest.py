"""A company connected to the local Billit sandbox, with linked customers and invoices finalised by the engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from billit_sandbox.pytest_plugin import SandboxHandle
from haulbill.addressbook.models import Customer, VatRegime
from haulbill.catalog.models import Product, VatLevel
from haulbill.invoicing.finalising import finalise_invoice
from haulbill.invoicing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, Provider, settings_for
from haulbill.providers.billit.client import BillitClient
from haulbill.providers.models import Environment, ProviderConnection
from haulbill.tenancy.models import Company
from tests.factories import CompanyFactory, CustomerFactory, InvoicingSettingsFactory, ProductFactory

# Real HTTP to the sandbox, with the client's waits shortened so fault tests stay fast.
FAST_BILLIT = {
    "BILLIT_TIMEOUT_SECONDS": 0.5,
    "BILLIT_RETRY_ATTEMPTS": 6,
    "BILLIT_RETRY_BASE_DELAY": 0.01,
    "BILLIT_RETRY_MAX_DELAY": 0.05,
    "BILLIT_RETRY_MAX_TOTAL_WAIT": 10.0,
    "BILLIT_RETRY_MAX_RETRY_AFTER": 5.0,
    "BILLIT_CONCURRENCY": 8,
}
PEPPOL_VAT = "BE0765432146"  # registered on the sandbox's Peppol network from the seed
NOT_ON_PEPPOL_VAT = "BE0812312345"
INTRA_EU_VAT = "NL853746333B01"


@pytest.fixture
def fast_billit(settings: Any) -> Any:
    for name, value in FAST_BILLIT.items():
        setattr(settings, name, value)
    return settings


@dataclass
class BillitSetup:
    company: Company
    connection: ProviderConnection
    sandbox: SandboxHandle
    customers: dict[str, Customer]  # by VAT number
    product: Product
    transport_product: Product  # VAT from the customer's regime

    def client(self) -> BillitClient:
        return BillitClient(self.sandbox.api_key, self.sandbox.party_id, base_url=self.sandbox.base_url)

    def orders(self) -> list[dict[str, Any]]:
        return self.sandbox.orders(self.sandbox.party_id)


def connect(company: Company, sandbox: SandboxHandle) -> ProviderConnection:
    inv = settings_for(company)
    inv.provider = Provider.BILLIT
    inv.extension_enabled = True
    inv.save()
    connection = ProviderConnection(
        company=company,
        provider="billit",
        environment=Environment.CUSTOM,
        base_url=sandbox.base_url,
        party_id=str(sandbox.party_id),
        party_name="Demo Transport BV",
    )
    connection.set_api_key(sandbox.api_key)
    connection.save()
    return connection


def link_customers(company: Company, sandbox: SandboxHandle) -> dict[str, Customer]:
    with BillitClient(sandbox.api_key, sandbox.party_id, base_url=sandbox.base_url) as client:
        parties = {p.vat_number: p for p in client.list_parties() if p.party_type == "Customer" and p.vat_number}
    customers: dict[str, Customer] = {}
    for vat, regime in ((PEPPOL_VAT, VatRegime.DOMESTIC), (NOT_ON_PEPPOL_VAT, VatRegime.DOMESTIC),
                        (INTRA_EU_VAT, VatRegime.INTRA_EU)):  # fmt: skip
        party = parties[vat]
        country = vat[:2]
        enterprise = vat[2:] if country == "BE" else ""
        customers[vat] = CustomerFactory(
            company=company,
            name=party.name,
            vat_number=vat,
            enterprise_number=enterprise,
            country=country,
            email=party.email or "",
            vat_regime=regime,
            invoicing_provider="billit",
            invoicing_id=str(party.party_id),
            peppol_identifier=f"0208:{enterprise}" if enterprise else f"9944:{vat}",
        )
    return customers


def billit_products(company: Company) -> tuple[Product, Product]:
    synced = timezone.now()
    national = ProductFactory(company=company, provider="billit", item_code="TR-NAT", last_synced_at=synced)
    international = ProductFactory(
        company=company,
        provider="billit",
        item_code="TR-INT",
        name="International transport",
        vat_rate=None,
        vat_level=VatLevel.CUSTOMER,
        last_synced_at=synced,
    )
    return national, international


@pytest.fixture
def billit(company: Company, billit_sandbox: SandboxHandle, fast_billit: Any) -> BillitSetup:
    connection = connect(company, billit_sandbox)
    national, international = billit_products(company)
    return BillitSetup(
        company, connection, billit_sandbox, link_customers(company, billit_sandbox), national, international
    )


def finalised_invoice(
    company: Company,
    customer: Customer,
    *,
    lines: list[tuple[str, str, str]] | None = None,
    reverse_charge: bool = False,
    issue_date: dt.date | None = None,
) -> Invoice:
    """A draft with (description, quantity, unit price) lines at 21 % (or reverse charge), finalised by the engine."""
    draft = Invoice.objects.create(
        company=company, kind=InvoiceKind.INVOICE, status=InvoiceStatus.DRAFT, customer=customer,
        buyer_reference="PO-7781",
    )  # fmt: skip
    for position, (description, quantity, price) in enumerate(lines or [("Ride Gent - Kortrijk", "2", "450.00")], 1):
        amount = (Decimal(quantity) * Decimal(price)).quantize(Decimal("0.01"))
        InvoiceLine.objects.create(
            company=company,
            invoice=draft,
            position=position,
            description=description,
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
            line_amount=amount,
            vat_category="AE" if reverse_charge else "S",
            vat_rate=Decimal("0") if reverse_charge else Decimal("21"),
            vat_exemption_code="VATEX-EU-AE" if reverse_charge else "",
            vat_exemption_text="Reverse charge - Autoliquidation" if reverse_charge else "",
        )
    return finalise_invoice(company, draft.pk, issue_date=issue_date or dt.date(2026, 11, 30))


def finalised_invoices(company: Company, customer: Customer, count: int) -> list[Invoice]:
    return [finalised_invoice(company, customer, lines=[(f"Ride {n}", "1", f"{300 + n}.50")]) for n in range(count)]


@pytest.fixture
def other_company(db: Any) -> Company:
    other = CompanyFactory()
    InvoicingSettingsFactory(company=other)
    return other
