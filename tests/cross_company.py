"""What a company owns, for the cross-company page test: one of every kind of row, with a marker string.

A new page that shows a new kind of row adds a maker here; the test fails loudly for a detail page that no
object of company A can open, so a page cannot escape the check.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from haulbill.tenancy.models import Company
from tests.factories import CustomerFactory, PriceLineFactory, ProductFactory, TransportFactory

MARKER = "ZZSECRETMARKERZZ"

Maker = Callable[[Company, dict[str, Any]], None]
MAKERS: list[Maker] = []


def maker(fn: Maker) -> Maker:
    MAKERS.append(fn)
    return fn


@maker
def _basics(company: Company, made: dict[str, Any]) -> None:
    customer = CustomerFactory(
        company=company, name=f"{MARKER} Customer", invoicing_id="9901", invoicing_provider="billit"
    )
    product = ProductFactory(company=company, name=f"{MARKER} Product", item_code=f"{MARKER}-P")
    transport = TransportFactory(company=company, customer=customer, reference=f"{MARKER}-T1")
    PriceLineFactory(transport=transport, product=product, description=f"{MARKER} line", unit_price=Decimal("100"))
    made.update(customer=customer, product=product, transport=transport)


@maker
def _finalised_invoice(company: Company, made: dict[str, Any]) -> None:
    """A finalised invoice made by the engine (its UBL download must stay company A's)."""
    from haulbill.invoicing import services
    from haulbill.invoicing.models import Invoice
    from haulbill.invoicing.selection import Selection

    customer = CustomerFactory(company=company, name=f"{MARKER} Invoiced customer")
    transport = TransportFactory(company=company, customer=customer, reference=f"{MARKER}-T2")
    PriceLineFactory(
        transport=transport, product=made["product"], description=f"{MARKER} freight", unit_price=Decimal("250")
    )
    run, _summary = services.invoice_run(company, Selection(customer_ids=(customer.pk,)), finalise=True)
    made["invoice"] = Invoice.objects.for_company(company).get(run=run)
    # The run page's progress fragment needs the run's job.
    from haulbill.core.models import Job, JobStatus
    from haulbill.invoicing.models import InvoicingRun

    job = Job.objects.create(
        company=company, kind="invoicing_run", status=JobStatus.SUCCEEDED, result={"summary": f"{MARKER} run"}
    )
    InvoicingRun.objects.filter(pk=run.pk).update(job=job)


@maker
def _linking(company: Company, made: dict[str, Any]) -> None:
    """A link proposal and a finished job (the job progress page and the linking review list them)."""
    from haulbill.addressbook.models import LinkProposal
    from haulbill.core.models import Job, JobStatus

    customer = CustomerFactory(company=company, name=f"{MARKER} Unlinked customer")
    LinkProposal.objects.create(
        company=company, customer=customer, provider="billit", remote_id="9902", remote_name=f"{MARKER} party",
        method="name", score=91,
    )  # fmt: skip
    made["job"] = Job.objects.create(
        company=company, kind="link-customers", status=JobStatus.SUCCEEDED, result={"summary": f"{MARKER} job"}
    )


@maker
def _drafts_and_fuel(company: Company, made: dict[str, Any]) -> None:
    """A draft invoice (pro forma pages), a fuel index series with a value and a customer's fuel clause."""
    import datetime as dt

    from haulbill.fuel.models import FuelClause, FuelIndexSeries, FuelIndexValue
    from haulbill.invoicing import services
    from haulbill.invoicing.models import Invoice
    from haulbill.invoicing.selection import Selection

    customer = CustomerFactory(company=company, name=f"{MARKER} Draft customer")
    transport = TransportFactory(company=company, customer=customer, reference=f"{MARKER}-T3")
    PriceLineFactory(
        transport=transport, product=made["product"], description=f"{MARKER} draft line", unit_price=Decimal("80")
    )
    made["draft"] = Invoice.objects.for_company(company).get(
        run=services.start_run(company, Selection(customer_ids=(customer.pk,)))
    )
    series = FuelIndexSeries.objects.create(company=company, name=f"{MARKER} diesel")
    FuelIndexValue.objects.create(company=company, series=series, month=dt.date(2026, 11, 1), value=Decimal("1.8"))
    gas = ProductFactory(company=company, name=f"{MARKER} gas index", item_code=f"{MARKER}-GAS", is_fuel_surcharge=True)
    FuelClause.objects.create(
        company=company, customer=customer, series=series, reference_value=Decimal("1.65"), fuel_share=Decimal("30"),
        surcharge_product=gas,
    )  # fmt: skip


def populate(company: Company) -> dict[str, Any]:
    made: dict[str, Any] = {}
    for fn in MAKERS:
        fn(company, made)
    return made
