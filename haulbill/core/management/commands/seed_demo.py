from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from haulbill.core.demo import DEMO_COMPANY, DEMO_PASSWORD, DEMO_USERNAME, seed_demo
from haulbill.tenancy.models import Company


class Command(BaseCommand):
    help = "Create the demo carrier, its admin, customers, products and finished transports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--transports", type=int, default=300, help="how many transports to add (default 300)")
        parser.add_argument("--customers", type=int, default=50)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the demo company exists")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Company.objects.filter(legal_name=DEMO_COMPANY).exists():
            self.stdout.write(f"Demo data already there. Sign in as {DEMO_USERNAME} / {DEMO_PASSWORD}")
            return
        started = time.perf_counter()
        with tqdm(total=options["transports"], unit="transport", disable=options["verbosity"] == 0) as bar:

            def progress(done: int, total: int) -> None:
                bar.update(done - bar.n)

            result = seed_demo(
                transports=options["transports"],
                customers=options["customers"],
                seed=options["seed"],
                progress=progress,
            )
        elapsed = time.perf_counter() - started
        rate = result.transports / elapsed if elapsed else 0
        self.stdout.write(
            f"Seeded {result.company.legal_name}: {result.customers} customers, {result.products} products, "
            f"{result.transports} transports with {result.price_lines} price lines in {elapsed:.1f} s "
            f"({rate:,.0f} transports/s)."
        )
        self.stdout.write(f"Sign in as {DEMO_USERNAME} / {DEMO_PASSWORD}")
