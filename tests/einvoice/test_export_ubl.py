"""`haulbill export-ubl`: the e-invoices of a company and period, into a folder or a zip, optionally validated."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from haulbill.einvoice.from_invoice import ubl_for
from haulbill.invoicing import services
from haulbill.invoicing.models import Invoice
from tests.einvoice.conftest import TimedValidator
from tests.einvoice.scenarios import (
    CREDIT_DATE,
    customer,
    domestic_21,
    foreign_customer,
    invoice_customer,
    product,
    transport,
)


def export(company: Any, *args: str) -> str:
    out = io.StringIO()
    call_command("export_ubl", "--company", str(company.pk), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def invoice_and_credit_note(company: Any) -> tuple[Invoice, Invoice]:
    invoice = domestic_21(company)
    note = services.credit(company, invoice.pk, issue_date=CREDIT_DATE)
    return invoice, note


def test_it_writes_one_file_per_invoice_and_credit_note_of_the_period(
    company: Any, invoice_and_credit_note: tuple[Invoice, Invoice], tmp_path: Path
) -> None:
    invoice, note = invoice_and_credit_note

    output = export(company, "--from", "2026-01-01", "--to", "2099-12-31", "--folder", str(tmp_path / "out"))

    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [f"{invoice.number}.xml", f"{note.number}.xml"]
    )
    assert (tmp_path / "out" / f"{note.number}.xml").read_bytes() == ubl_for(note)
    assert "2 e-invoice(s) written" in output and "1 invoice(s), 1 credit note(s)" in output


def test_it_leaves_out_documents_issued_outside_the_period(company: Any, tmp_path: Path) -> None:
    invoice = domestic_21(company)
    day = invoice.issue_date.isoformat()

    export(company, "--from", day, "--to", day, "--folder", str(tmp_path / "in"))
    export(company, "--from", "2020-01-01", "--to", "2020-12-31", "--folder", str(tmp_path / "out"))

    assert [p.name for p in (tmp_path / "in").iterdir()] == [f"{invoice.number}.xml"]
    assert list((tmp_path / "out").iterdir()) == []


def test_it_exports_only_the_chosen_companys_documents(
    company: Any,
    other_company: Any,
    tmp_path: Path,
) -> None:
    domestic_21(other_company)

    output = export(company, "--from", "2026-01-01", "--to", "2099-12-31", "--zip", str(tmp_path / "a.zip"))

    assert zipfile.ZipFile(tmp_path / "a.zip").namelist() == []
    assert "0 e-invoice(s) written" in output


def test_it_writes_a_zip_with_the_same_documents(
    company: Any, invoice_and_credit_note: tuple[Invoice, Invoice], tmp_path: Path
) -> None:
    invoice, note = invoice_and_credit_note

    export(company, "--from", "2026-01-01", "--to", "2099-12-31", "--zip", str(tmp_path / "period.zip"))

    with zipfile.ZipFile(tmp_path / "period.zip") as archive:
        assert sorted(archive.namelist()) == sorted([f"{invoice.number}.xml", f"{note.number}.xml"])
        assert archive.read(f"{invoice.number}.xml") == ubl_for(invoice)
    assert [p.name for p in tmp_path.iterdir()] == ["period.zip"], "a temporary file was left behind"


def test_it_counts_valid_documents_when_asked_to_validate(
    company: Any, invoice_and_credit_note: tuple[Invoice, Invoice], tmp_path: Path, validator: TimedValidator
) -> None:
    output = export(company, "--from", "2026-01-01", "--to", "2099-12-31", "--folder", str(tmp_path), "--validate")

    assert "Validation: 2 valid, 0 invalid." in output


def test_it_shows_the_first_findings_of_an_invalid_document_and_fails(
    company: Any, tmp_path: Path, validator: TimedValidator
) -> None:
    to = customer(company)
    transport(company, to, [("Pallets", "3", "PCE", "20.00", product(company))])  # PCE: not a Rec 20 code
    invoice = invoice_customer(company, to)
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 document"):
        call_command("export_ubl", "--company", str(company.pk), "--from", "2026-01-01", "--to", "2099-12-31",
                     "--folder", str(tmp_path), "--validate", stdout=out, stderr=io.StringIO())  # fmt: skip

    assert "Validation: 0 valid, 1 invalid." in out.getvalue()
    assert f"  {invoice.number}:" in out.getvalue()
    assert "BR-CL-23" in out.getvalue()


def test_it_reports_a_document_it_cannot_build_and_fails(company: Any, tmp_path: Path) -> None:
    to = foreign_customer(company, "US", "", vat_regime="export", name="Acme Freight Inc.")
    transport(company, to, [("Leg to New York", "1", "C62", "900.00", product(company, vat_level="customer"))])
    invoice = invoice_customer(company, to)
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("export_ubl", "--company", str(company.pk), "--from", "2026-01-01", "--to", "2099-12-31",
                     "--folder", str(tmp_path), stdout=out, stderr=io.StringIO())  # fmt: skip

    assert "Not exported: 1" in out.getvalue()
    assert f"{invoice.number}: " in out.getvalue() and "buyer.endpoint" in out.getvalue()


def test_it_refuses_an_unknown_company(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No company with ID 999999"):
        call_command("export_ubl", "--company", "999999", "--from", "2026-01-01", "--to", "2026-12-31",
                     "--folder", str(tmp_path))  # fmt: skip
