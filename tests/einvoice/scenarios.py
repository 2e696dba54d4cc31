"""Invoices and credit notes made the way a carrier makes them: transports, an invoicing run, a credit note.

Every scenario goes through the engine's real services (drafting, pre-flight, finalising, pushing to the built-in
provider, which renders the PDF), so what the e-invoice tests check is what Haulbill really produces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from haulbill.addressbook.models import Customer, VatRegime
from haulbill.catalog.models import Product, VatLevel
from haulbill.invoicing import services
from haulbill.invoicing.finalising import finalise_invoice
from haulbill.invoicing.models import Invoice, InvoiceLine
from haulbill.invoicing.selection import Selection
from haulbill.tenancy.models import Company
from haulbill.transports.models import Transport
from tests.factories import CustomerFactory, PriceLineFactory, ProductFactory, TransportFactory

ISSUE_DATE = dt.date(2026, 11, 24)
CREDIT_DATE = dt.date(2026, 11, 30)
SPECIAL = "Ré-livraison « urgent » <fragile> & \"sec\" – l'Épi d'Or, Zürich→Liège, 50 % ≥ 3 t, €, 🚚"

Scenario = Callable[[Company], Invoice]
SCENARIOS: dict[str, Scenario] = {}


def scenario(fn: Scenario) -> Scenario:
    SCENARIOS[fn.__name__] = fn
    return fn


def customer(company: Company, **kwargs: Any) -> Customer:
    return CustomerFactory(company=company, **kwargs)


def foreign_customer(company: Company, country: str, vat_number: str, **kwargs: Any) -> Customer:
    """A customer outside Belgium: no Belgian enterprise number and no 0208 Peppol id."""
    return CustomerFactory(
        company=company,
        country=country,
        vat_number=vat_number,
        enterprise_number=kwargs.pop("enterprise_number", ""),
        peppol_identifier="",
        **kwargs,
    )


def product(company: Company, rate: str | None = "21.00", **kwargs: Any) -> Product:
    return ProductFactory(company=company, vat_rate=None if rate is None else Decimal(rate), **kwargs)


def transport(
    company: Company,
    to: Customer,
    lines: list[tuple[str, str, str, str, Product]],
    **kwargs: Any,
) -> Transport:
    """A done transport with one price line per (description, quantity, unit, unit price, product)."""
    made = TransportFactory(company=company, customer=to, **kwargs)
    for position, (description, quantity, unit, price, prod) in enumerate(lines, start=1):
        PriceLineFactory(
            transport=made,
            position=position,
            description=description,
            quantity=Decimal(quantity),
            unit=unit,
            unit_price=Decimal(price),
            product=prod,
        )
    return made


def invoice_customer(company: Company, to: Customer) -> Invoice:
    """Run the invoicing for one customer and return its (single) finalised invoice."""
    run, summary = services.invoice_run(company, Selection(customer_ids=(to.pk,)), finalise=True, issue_date=ISSUE_DATE)
    assert summary is not None and summary["finalised"] == 1 and not summary["failed"], summary
    return Invoice.objects.for_company(company).get(run=run)


@scenario
def domestic_21(company: Company) -> Invoice:
    to = customer(company, invoice_reference="PO 4500012345")
    freight = product(company)
    transport(company, to, [("Antwerpen → Liège, full truck", "1", "C62", "485.00", freight)])
    transport(company, to, [("Gent → Namur, groupage", "2", "C62", "212.35", freight),
                            ("Waiting time", "1.5", "HUR", "48.50", freight)])  # fmt: skip
    return invoice_customer(company, to)


@scenario
def mixed_rates_21_and_6(company: Company) -> Invoice:
    to = customer(company)
    freight, medicines = product(company), product(company, "6.00", name="Transport of medicines")
    transport(company, to, [("Freight", "1", "C62", "650.00", freight),
                            ("Medicines, temperature controlled", "3", "C62", "120.45", medicines),
                            ("Night surcharge", "3.5", "HUR", "12.99", freight)])  # fmt: skip
    return invoice_customer(company, to)


def _reverse_charge(company: Company, country: str, vat_number: str, **kwargs: Any) -> Invoice:
    to = foreign_customer(company, country, vat_number, vat_regime=VatRegime.INTRA_EU, **kwargs)
    freight = product(company, vat_level=VatLevel.CUSTOMER)
    transport(company, to, [("International transport", "1", "C62", "1250.00", freight),
                            ("Extra kilometres", "132.5", "KMT", "1.35", freight)])  # fmt: skip
    return invoice_customer(company, to)


@scenario
def reverse_charge_netherlands(company: Company) -> Invoice:
    return _reverse_charge(company, "NL", "NL853746333B01", name="Veiling Holland B.V.", city="Rotterdam")


@scenario
def reverse_charge_france(company: Company) -> Invoice:
    return _reverse_charge(
        company, "FR", "FR40303265045", enterprise_number="303265045", name="Logistique du Nord SAS", city="Lille"
    )


@scenario
def export_linked_exempt(company: Company) -> Invoice:
    to = customer(company, vat_regime=VatRegime.EXPORT, invoice_reference="EXP-2026-118")
    freight = product(company, vat_level=VatLevel.CUSTOMER)
    transport(company, to, [("Antwerpen port → Genk, container for export", "1", "C62", "780.00", freight)])
    return invoice_customer(company, to)


@scenario
def outside_the_eu_switzerland(company: Company) -> Invoice:
    to = foreign_customer(
        company, "CH", "CHE116281710", vat_regime=VatRegime.EXPORT, name="Alpen Spedition AG", city="Basel",
        postcode="4051", language="en",
    )  # fmt: skip
    freight = product(company, vat_level=VatLevel.CUSTOMER)
    transport(company, to, [("Antwerpen → Basel", "1", "C62", "1890.00", freight),
                            ("Customs formalities", "1", "C62", "75.00", freight)])  # fmt: skip
    return invoice_customer(company, to)


@scenario
def exempt_customer(company: Company) -> Invoice:
    to = customer(company, vat_regime=VatRegime.EXEMPT)
    freight = product(company, vat_level=VatLevel.CUSTOMER)
    transport(company, to, [("School transport", "20", "DAY", "95.00", freight)])
    return invoice_customer(company, to)


@scenario
def zero_rated_product(company: Company) -> Invoice:
    to = customer(company)
    transport(company, to, [("Freight", "1", "C62", "300.00", product(company)),
                            ("Newspaper distribution", "14", "DAY", "18.333", product(company, "0.00"))])  # fmt: skip
    return invoice_customer(company, to)


@scenario
def long_descriptions_and_special_characters(company: Company) -> Invoice:
    to = customer(company, name="Boulangerie L'Épi d'Or & Fils <Sud> SRL", invoice_reference="Bon n° 42 & <urgent>")
    freight = product(company, name="Transport « express »")
    long_text = (SPECIAL + " — ") * 7
    transport(company, to, [(long_text[:480], "1", "C62", "410.00", freight), (SPECIAL, "2", "HUR", "55.00", freight)])
    return invoice_customer(company, to)


@scenario
def every_transport_unit(company: Company) -> Invoice:
    to = customer(company)
    freight = product(company)
    transport(company, to, [("Trip Liège → Antwerpen", "1", "C62", "485.00", freight),
                            ("Waiting time", "2.25", "HUR", "48.50", freight),
                            ("Kilometres beyond the flat rate", "132.5", "KMT", "1.35", freight),
                            ("Bulk grain", "24.380", "TNE", "11.2500", freight),
                            ("Tonne-kilometres", "3120.4", "TKM", "0.0875", freight),
                            ("Trailer rental", "3", "DAY", "95.00", freight)])  # fmt: skip
    return invoice_customer(company, to)


@scenario
def discount_line(company: Company) -> Invoice:
    to = customer(company)
    freight = product(company)
    transport(company, to, [("Freight", "4", "C62", "310.00", freight),
                            ("Loyalty discount", "1", "C62", "-62.50", freight)])  # fmt: skip
    return invoice_customer(company, to)


@scenario
def finalised_but_not_pushed(company: Company) -> Invoice:
    """Finalised without a push (so without a PDF yet): the e-invoice simply has no attachment."""
    to = customer(company)
    transport(company, to, [("Freight", "1", "C62", "199.99", product(company))])
    run = services.start_run(company, Selection(customer_ids=(to.pk,)))
    draft = Invoice.objects.for_company(company).get(run=run)
    return finalise_invoice(company, draft.pk, issue_date=ISSUE_DATE)


@scenario
def credit_note_full(company: Company) -> Invoice:
    invoice = domestic_21(company)
    return services.credit(company, invoice.pk, issue_date=CREDIT_DATE)


@scenario
def credit_note_partial(company: Company) -> Invoice:
    invoice = every_transport_unit(company)
    lines = {line.unit: line for line in InvoiceLine.objects.for_company(company).filter(invoice=invoice)}
    chosen = {lines["KMT"].pk: Decimal("40.5"), lines["HUR"].pk: Decimal("2.25")}
    return services.credit(company, invoice.pk, quantities=chosen, issue_date=CREDIT_DATE)


@scenario
def credit_note_of_reverse_charge(company: Company) -> Invoice:
    invoice = reverse_charge_france(company)
    return services.credit(company, invoice.pk, issue_date=CREDIT_DATE)
