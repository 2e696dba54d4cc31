"""Seed a drill database: a company connected to the sandbox at DRILL_SANDBOX_URL, N transports, a drafted run,
and the run queued for the workers. Prints "company_id run_id". Run with the drill's settings."""

from __future__ import annotations

import datetime as dt
import os
import sys
from decimal import Decimal

import django


def main() -> None:
    django.setup()
    from billit_sandbox.pytest_plugin import SandboxHandle
    from haulbill.delivery import tasks
    from haulbill.invoicing import selection, services
    from tests.delivery.conftest import NOT_ON_PEPPOL_VAT, PEPPOL_VAT, billit_products, connect, link_customers
    from tests.factories import CompanyFactory, InvoicingSettingsFactory, PriceLineFactory, TransportFactory

    count = int(sys.argv[1])
    sandbox = SandboxHandle(os.environ["DRILL_SANDBOX_URL"])
    company = CompanyFactory()
    InvoicingSettingsFactory(company=company)
    connect(company, sandbox)
    product, _international = billit_products(company)
    customers = link_customers(company, sandbox)
    chosen = [customers[PEPPOL_VAT], customers[NOT_ON_PEPPOL_VAT]]
    for customer in chosen:
        customer.invoice_per_transport = True
        customer.save()
    for n in range(count):
        transport = TransportFactory(company=company, customer=chosen[n % 2], unloading_date=dt.date(2026, 11, 4))
        PriceLineFactory(transport=transport, product=product, unit_price=Decimal("300.00") + n)
    run = services.start_run(company, selection.Selection())
    tasks.process_run_task(company.pk, run.pk)
    print(company.pk, run.pk)


if __name__ == "__main__":
    main()
