"""`haulbill preflight --company ID [--from DATE --to DATE] [--customer ID ...]`: what would stop an invoicing run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haulbill.core.commands import company_or_error
from haulbill.invoicing import services
from haulbill.invoicing.preflight import Report
from haulbill.invoicing.selection import Batch, Selection


def add_selection_arguments(parser: CommandParser) -> None:
    parser.add_argument("--company", type=int, required=True, help="company ID")
    parser.add_argument("--from", dest="date_from", type=dt.date.fromisoformat, help="first service date (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", type=dt.date.fromisoformat, help="last service date (YYYY-MM-DD)")
    parser.add_argument("--customer", type=int, action="append", default=[], help="customer ID (repeatable)")


def selection_from(options: dict[str, Any]) -> Selection:
    return Selection(options.get("date_from"), options.get("date_to"), tuple(options.get("customer") or ()))


def print_report(out: Any, batch: Batch, report: Report) -> None:
    for problem in report.company_problems:
        out.write(f"[{problem.code}] {problem.message}" + (f"  → {problem.fix_url}" if problem.fix_url else ""))
    by_customer: dict[int | None, list[Any]] = {}
    for problem in report.problems:
        by_customer.setdefault(problem.params.get("customer_id"), []).append(problem)
    for customer_id, problems in by_customer.items():
        customer = batch.customers.get(customer_id) if customer_id is not None else None
        out.write(f"{customer.name if customer else customer_id}:")
        for problem in problems:
            out.write(f"  [{problem.code}] {problem.message}" + (f"  → {problem.fix_url}" if problem.fix_url else ""))


class Command(BaseCommand):
    help = "Check the transports an invoicing run would take and print every problem that would block it."

    def add_arguments(self, parser: CommandParser) -> None:
        add_selection_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_or_error(options["company"])
        batch, report = services.check_selection(company, selection_from(options))
        print_report(self.stdout, batch, report)
        blocked = {p.params.get("customer_id") for p in report.problems if p.blocking}
        self.stdout.write(
            f"{len(batch.transports)} transports of {len(batch.customers)} customers checked: "
            f"{len(report.all_problems)} problems, {len(blocked)} customers blocked"
            + (", the whole run is blocked." if report.company_problems else ".")
        )
        if report.all_problems:
            raise SystemExit(1)
