"""Validation before sending: off by default, on with PEPPOL_VALIDATE_BEFORE_SEND, rules named in the problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from haulbill.einvoice.checks import validate_before_send
from tests.einvoice.scenarios import customer, domestic_21, foreign_customer, invoice_customer, product, transport


def pce_invoice(company: Any) -> Any:
    """An invoice whose unit code (PCE) only the Peppol code list check catches (BR-CL-23)."""
    to = customer(company)
    transport(company, to, [("Pallets", "3", "PCE", "20.00", product(company))])
    return invoice_customer(company, to)


def test_it_checks_nothing_when_validation_before_sending_is_off(company: Any, settings: Any) -> None:
    settings.PEPPOL_VALIDATE_BEFORE_SEND = False

    assert validate_before_send(pce_invoice(company)) == []


def test_it_finds_nothing_wrong_with_a_valid_invoice(company: Any, settings: Any, artefacts: Path) -> None:
    settings.PEPPOL_VALIDATE_BEFORE_SEND, settings.PEPPOL_ARTEFACTS = True, str(artefacts)

    assert validate_before_send(domestic_21(company)) == []


def test_it_blocks_an_invoice_that_breaks_a_rule_and_names_the_rule(
    company: Any, settings: Any, artefacts: Path
) -> None:
    settings.PEPPOL_VALIDATE_BEFORE_SEND, settings.PEPPOL_ARTEFACTS = True, str(artefacts)
    invoice = pce_invoice(company)

    problems = validate_before_send(invoice)

    assert problems and all(p.blocking for p in problems)
    assert {p.params["rule"] for p in problems} == {"BR-CL-23"}
    assert "BR-CL-23" in problems[0].message and invoice.number in problems[0].message


def test_it_blocks_an_invoice_that_cannot_be_built_naming_the_field(
    company: Any, settings: Any, artefacts: Path
) -> None:
    settings.PEPPOL_VALIDATE_BEFORE_SEND, settings.PEPPOL_ARTEFACTS = True, str(artefacts)
    to = foreign_customer(company, "US", "", vat_regime="export")
    transport(company, to, [("Leg to New York", "1", "C62", "900.00", product(company, vat_level="customer"))])

    problems = validate_before_send(invoice_customer(company, to))

    assert [(p.code, p.field) for p in problems] == [("einvoice_invalid", "buyer.endpoint")]
    assert "PEPPOL-EN16931-R010" in problems[0].message


def test_it_says_how_to_configure_the_artefacts_when_the_folder_is_wrong(
    company: Any, settings: Any, tmp_path: Path
) -> None:
    settings.PEPPOL_VALIDATE_BEFORE_SEND, settings.PEPPOL_ARTEFACTS = True, str(tmp_path)

    problems = validate_before_send(domestic_21(company))

    assert [p.code for p in problems] == ["peppol_artefacts_missing"]
    assert "HAULBILL_PEPPOL_ARTEFACTS" in problems[0].message
