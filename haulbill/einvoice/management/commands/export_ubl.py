"""`haulbill export-ubl --company ID --from DATE --to DATE (--folder DIR | --zip FILE) [--validate]`."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from haulbill.core.commands import company_or_error
from haulbill.einvoice.checks import validator_for
from haulbill.einvoice.export import ExportSummary, export_ubl
from haulbill.einvoice.validation import ArtefactsMissing, Validator, find_artefacts
from haulbill.tenancy.models import Company

FIRST_FINDINGS = 3


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2026-11-30.") from None


class Command(BaseCommand):
    help = "Write the Peppol UBL of a company's invoices and credit notes of a period into a folder or a zip."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, required=True, help="company ID")
        parser.add_argument("--from", dest="date_from", type=_date, required=True, help="first issue date, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", type=_date, required=True, help="last issue date, YYYY-MM-DD")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--folder", type=Path, help="folder to write <number>.xml files into (created if missing)")
        target.add_argument("--zip", type=Path, help="zip file to write (replaced if it exists)")
        parser.add_argument(
            "--validate",
            action="store_true",
            help="also run XSD, EN 16931 and Peppol rules (HAULBILL_PEPPOL_ARTEFACTS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_or_error(options["company"])
        date_from, date_to = options["date_from"], options["date_to"]
        if date_to < date_from:
            raise CommandError(f"--to ({date_to}) is before --from ({date_from}).")
        validator = self._validator() if options["validate"] else None
        with tqdm(desc="e-invoices", unit=" docs", disable=options["verbosity"] < 1, file=self.stderr) as bar:

            def progress(done: int, total: int | None) -> None:
                bar.total = total
                bar.update(done - bar.n)

            summary = export_ubl(
                company,
                date_from,
                date_to,
                folder=options["folder"],
                zip_path=options["zip"],
                validator=validator,
                progress=progress,
            )
        self._report(summary, company, date_from, date_to, options["folder"] or options["zip"])
        if not summary.ok:
            problems = len(summary.not_built) + len(summary.invalid)
            raise CommandError(f"{problems} document(s) not exported or invalid: see above.")

    def _validator(self) -> Validator:
        folder = find_artefacts()
        if folder is None:
            raise CommandError(
                "--validate needs the Peppol validation artefacts: set HAULBILL_PEPPOL_ARTEFACTS (docs/einvoicing.md)."
            )
        try:
            validator = validator_for(folder)
            validator.warm_up()
        except ArtefactsMissing as exc:
            raise CommandError(str(exc)) from None
        return validator

    def _report(self, summary: ExportSummary, company: Company, date_from: dt.date, date_to: dt.date, to: Path) -> None:
        self.stdout.write(
            f"{company.legal_name}, {date_from} to {date_to}: {summary.total_written} e-invoice(s) written to {to} "
            f"({summary.written['invoice']} invoice(s), {summary.written['credit_note']} credit note(s))."
        )
        if summary.not_built:
            self.stdout.write(f"Not exported: {len(summary.not_built)}")
            for number, why in summary.not_built:
                self.stdout.write(f"  {number}: {why}")
        if summary.validated:
            self.stdout.write(f"Validation: {summary.valid} valid, {len(summary.invalid)} invalid.")
            for number, findings in summary.invalid:
                self.stdout.write(f"  {number}:")
                for finding in findings[:FIRST_FINDINGS]:
                    self.stdout.write(f"    {finding.rule} [{finding.layer}] {finding.text}")
                if len(findings) > FIRST_FINDINGS:
                    self.stdout.write(f"    … and {len(findings) - FIRST_FINDINGS} more")
