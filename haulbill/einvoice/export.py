"""Export the e-invoices of a company and period: one `<number>.xml` per invoice and credit note.

For an accountant, an audit or a migration to another platform. Drafts have no e-invoice and are left out; a
document that cannot be built (e.g. a customer without a Peppol address) is reported, not skipped silently.
The zip is written beside its target and renamed at the end, so a failed export never leaves half an archive.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from haulbill.einvoice.from_invoice import EInvoiceError, ubl_filename, ubl_for
from haulbill.einvoice.validation import Finding, Validator
from haulbill.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from haulbill.tenancy.models import Company

__all__ = ["ExportSummary", "documents_of", "export_ubl"]

Progress = Callable[[int, int | None], None]
Writer = Callable[[str, bytes], None]


@dataclass
class ExportSummary:
    written: dict[str, int] = field(default_factory=lambda: {InvoiceKind.INVOICE: 0, InvoiceKind.CREDIT_NOTE: 0})
    not_built: list[tuple[str, str]] = field(default_factory=list)  # (number, why)
    validated: bool = False
    valid: int = 0
    invalid: list[tuple[str, tuple[Finding, ...]]] = field(default_factory=list)  # (number, fatal findings)

    @property
    def total_written(self) -> int:
        return sum(self.written.values())

    @property
    def ok(self) -> bool:
        return not self.not_built and not self.invalid


def documents_of(company: Company, date_from: dt.date, date_to: dt.date) -> list[Invoice]:
    """The company's issued invoices and credit notes dated in [date_from, date_to], invoices first."""
    return list(
        Invoice.objects.for_company(company)
        .exclude(status=InvoiceStatus.DRAFT)
        .filter(issue_date__gte=date_from, issue_date__lte=date_to)
        .select_related("credited_invoice")
        .order_by("kind", "issue_date", "sequence_value", "id")
    )


def export_ubl(
    company: Company,
    date_from: dt.date,
    date_to: dt.date,
    *,
    folder: Path | None = None,
    zip_path: Path | None = None,
    validator: Validator | None = None,
    progress: Progress | None = None,
) -> ExportSummary:
    """Write the UBL of every document of the period into `folder` or the zip `zip_path` (exactly one of them);
    with a `validator`, also validate each one."""
    if (folder is None) == (zip_path is None):
        raise ValueError("Give either a folder or a zip file to export to.")
    documents = documents_of(company, date_from, date_to)
    summary = ExportSummary(validated=validator is not None)
    if progress:
        progress(0, len(documents))
    with _writer(folder, zip_path) as write:
        used: set[str] = set()
        for done, invoice in enumerate(documents, start=1):
            try:
                xml = ubl_for(invoice)
            except EInvoiceError as exc:
                summary.not_built.append((invoice.number, exc.message))
            else:
                write(_unique_name(invoice, used), xml)
                summary.written[invoice.kind] += 1
                if validator is not None:
                    report = validator.validate(xml)
                    if report.is_valid:
                        summary.valid += 1
                    else:
                        summary.invalid.append((invoice.number, report.fatal))
            if progress:
                progress(done, len(documents))
    return summary


def _unique_name(invoice: Invoice, used: set[str]) -> str:
    """`<number>.xml`; a credit note numbered like an invoice (same format for both series) gets a suffix."""
    name = ubl_filename(invoice)
    if name in used:
        name = name.removesuffix(".xml") + f"-{invoice.kind.replace('_', '-')}.xml"
    used.add(name)
    return name


@contextmanager
def _writer(folder: Path | None, zip_path: Path | None) -> Iterator[Writer]:
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)

        def to_folder(name: str, content: bytes) -> None:
            (folder / name).write_bytes(content)

        yield to_folder
        return
    assert zip_path is not None
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{zip_path.name}.", dir=zip_path.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            yield archive.writestr
        os.replace(temporary, zip_path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
