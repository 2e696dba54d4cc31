"""`haulbill link-customers --company ID`: link the address book to the provider's customers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from haulbill.addressbook import linking, services
from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Company


def company_or_error(company_id: int) -> Company:
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        raise CommandError(f"No company with ID {company_id}.")
    return company


def progress_bar(command: BaseCommand, desc: str, verbosity: int) -> tuple[Any, Any]:
    bar = tqdm(desc=desc, disable=verbosity < 1, file=command.stderr)

    def progress(done: int, total: int | None) -> None:
        if total != bar.total:
            bar.reset(total=total)
        bar.update(done - bar.n)

    return bar, progress


class Command(BaseCommand):
    help = "Link unlinked customers to the invoicing platform's customers (VAT, enterprise number, name)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, required=True, help="company ID")
        parser.add_argument("--propose-at", type=int, default=linking.PROPOSE_AT, help="lowest name score proposed")

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_or_error(options["company"])
        bar, progress = progress_bar(self, "customers", options["verbosity"])
        try:
            with bar:
                result = services.link_customers(company, progress, propose_at=options["propose_at"])
        except HaulbillError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(result.summary())
        if result.proposed:
            self.stdout.write("Review the proposals on the Linking page (Address book › Linking).")
