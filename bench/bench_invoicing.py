"""Invoicing at scale: draft and pre-flight 10,000 transports with 50,000 price lines.

Figures (one line each): the time to load, pre-flight and draft a run of 10,000 transports (goal: at most 2 s),
and the SQL queries that takes for 1,000 and for 10,000 transports (goal: the same number). The data lives in a
throw-away SQLite database under /tmp, filled with bulk inserts; the built-in provider is used (no network).

Usage: .venv/bin/python bench/bench_invoicing.py [--transports N] [--lines-per-transport K]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VAR = tempfile.mkdtemp(prefix="hb-bench-invoicing-")
os.environ["HAULBILL_VAR_DIR"] = VAR
os.environ["DATABASE_URL"] = f"sqlite:///{VAR}/bench.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "haulbill.settings"
os.environ.setdefault("HAULBILL_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from haulbill.addressbook.models import Customer, VatRegime  # noqa: E402
from haulbill.catalog.models import Product, VatLevel  # noqa: E402
from haulbill.invoicing import services  # noqa: E402
from haulbill.invoicing.models import Invoice, InvoiceLine, InvoicingSettings, Provider  # noqa: E402
from haulbill.invoicing.selection import Selection  # noqa: E402
from haulbill.tenancy.models import Company  # noqa: E402
from haulbill.transports.models import PriceLine, Transport, TransportStatus  # noqa: E402


def build(transports: int, per_transport: int, seed: int = 7) -> Company:
    rnd = random.Random(seed)
    company = Company.objects.create(
        legal_name=f"Bench {transports} NV", vat_number="BE0477472701", enterprise_number="0477472701"
    )
    InvoicingSettings.objects.create(company=company, extension_enabled=True, provider=Provider.BUILTIN)
    products = Product.objects.bulk_create(
        [
            Product(company=company, item_code="NAT", name="National transport", vat_rate=Decimal("21")),
            Product(company=company, item_code="INT", name="International", vat_level=VatLevel.CUSTOMER, vat_rate=None),
            Product(company=company, item_code="WAIT", name="Waiting hours", unit="HUR", vat_rate=Decimal("21")),
            Product(
                company=company, item_code="FUEL", name="Gas index", vat_rate=Decimal("21"), is_fuel_surcharge=True
            ),
        ]
    )
    regimes = [VatRegime.DOMESTIC] * 6 + [VatRegime.INTRA_EU, VatRegime.EXPORT, VatRegime.EXEMPT, ""]
    customers = Customer.objects.bulk_create(
        [
            Customer(
                company=company,
                name=f"Customer {i:04d}",
                vat_number="NL004495445B01" if regimes[i % 10] == VatRegime.INTRA_EU else f"BE0{400000000 + i:09d}",
                country="NL" if regimes[i % 10] == VatRegime.INTRA_EU else "BE",
                vat_regime=regimes[i % 10],
                invoice_per_transport=i % 7 == 0,
            )
            for i in range(max(10, transports // 50))
        ]
    )
    verified = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
    rows = Transport.objects.bulk_create(
        [
            Transport(
                company=company,
                customer=customers[i % len(customers)],
                reference=f"B{transports}-{i:06d}",
                loading_place="Antwerpen",
                unloading_place="Liège",
                loading_date=dt.date(2026, 11, 1) + dt.timedelta(days=i % 25),
                unloading_date=dt.date(2026, 11, 2) + dt.timedelta(days=i % 25),
                status=TransportStatus.DONE,
                verified_at=verified,
            )
            for i in range(transports)
        ],
        batch_size=2000,
    )
    PriceLine.objects.bulk_create(
        [
            PriceLine(
                company=company,
                transport=t,
                position=k,
                description=f"Line {k}",
                quantity=Decimal(rnd.randint(1, 40)) / Decimal(4),
                unit_price=Decimal(rnd.randint(1000, 90000)) / Decimal(100),
                product=products[k % len(products)],
            )
            for t in rows
            for k in range(per_transport)
        ],
        batch_size=5000,
    )
    return company


def measure(company: Company) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        run = services.start_run(company, Selection())
        elapsed = time.perf_counter() - start
    assert Invoice.objects.filter(run=run).count() == run.drafts_count
    return elapsed, len(queries.captured_queries), InvoiceLine.objects.filter(invoice__run=run).count()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transports", type=int, default=10_000)
    parser.add_argument("--lines-per-transport", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    small = build(args.transports // 10, args.lines_per_transport)
    large = build(args.transports, args.lines_per_transport)
    _t_small, q_small, _ = measure(small)
    t_large, q_large, lines = measure(large)
    print(f"draft and pre-flight {args.transports} transports ({lines} price lines): {t_large:.2f} s")
    print(f"sql queries for {args.transports // 10} transports: {q_small} queries")
    print(f"sql queries for {args.transports} transports: {q_large} queries")
    # A second run over the same transports replaces the first run's drafts.
    t_again, q_again, _ = measure(large)
    print(f"redraft {args.transports} transports (replacing the previous drafts): {t_again:.2f} s")
    print(f"sql queries to redraft {args.transports} transports: {q_again} queries")


if __name__ == "__main__":
    main()
