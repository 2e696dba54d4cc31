"""The validator is not a rubber stamp: broken documents come back with the rule they break."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from haulbill.einvoice.document import VatCategory
from haulbill.einvoice.samples import SWISS_CUSTOMER, sample_invoice, transport_lines
from haulbill.einvoice.ubl import CAC, CBC, build_ubl
from haulbill.einvoice.validation import ArtefactsMissing, Validator, find_artefacts
from tests.einvoice.conftest import TimedValidator


def mutated(xml: bytes, change: object) -> bytes:
    tree = etree.fromstring(xml)
    change(tree)  # type: ignore[operator]
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def fatal_rules(validator: TimedValidator, xml: bytes) -> set[str]:
    report = validator.validate(xml)
    assert not report.is_valid
    return {f.rule for f in report.fatal}


def test_it_catches_a_belgian_enterprise_number_with_wrong_check_digits(validator: TimedValidator) -> None:
    def break_it(tree: etree._Element) -> None:
        tree.find(f"{CAC}AccountingCustomerParty/{CAC}Party/{CBC}EndpointID").text = "0403170702"

    assert "PEPPOL-COMMON-R043" in fatal_rules(validator, mutated(build_ubl(sample_invoice()), break_it))


def test_it_catches_a_missing_buyer_reference(validator: TimedValidator) -> None:
    def break_it(tree: etree._Element) -> None:
        tree.remove(tree.find(f"{CBC}BuyerReference"))

    assert "PEPPOL-EN16931-R003" in fatal_rules(validator, mutated(build_ubl(sample_invoice()), break_it))


def test_it_catches_a_payable_amount_that_does_not_add_up(validator: TimedValidator) -> None:
    def break_it(tree: etree._Element) -> None:
        payable = tree.find(f"{CAC}LegalMonetaryTotal/{CBC}PayableAmount")
        payable.text = str(Decimal(payable.text) + Decimal("0.01"))

    assert "BR-CO-16" in fatal_rules(validator, mutated(build_ubl(sample_invoice()), break_it))


def test_it_catches_elements_out_of_order_with_the_xsd(validator: TimedValidator) -> None:
    def break_it(tree: etree._Element) -> None:
        due_date = tree.find(f"{CBC}DueDate")
        tree.remove(due_date)
        tree.find(f"{CBC}DocumentCurrencyCode").addnext(due_date)

    report = validator.validate(mutated(build_ubl(sample_invoice()), break_it))
    assert [(f.layer, f.rule) for f in report.fatal] == [("xsd", "XSD")]
    assert "DueDate" in report.fatal[0].text


def test_it_catches_a_seller_vat_number_on_an_outside_scope_invoice(validator: TimedValidator) -> None:
    document = dataclasses.replace(
        sample_invoice(), buyer=SWISS_CUSTOMER, lines=transport_lines(1, VatCategory.OUTSIDE_SCOPE, Decimal("0"))
    )

    def break_it(tree: etree._Element) -> None:
        legal = tree.find(f"{CAC}AccountingSupplierParty/{CAC}Party/{CAC}PartyLegalEntity")
        scheme = etree.Element(f"{CAC}PartyTaxScheme")
        etree.SubElement(scheme, f"{CBC}CompanyID").text = "BE0477472701"
        etree.SubElement(etree.SubElement(scheme, f"{CAC}TaxScheme"), f"{CBC}ID").text = "VAT"
        legal.addprevious(scheme)

    assert "BR-O-02" in fatal_rules(validator, mutated(build_ubl(document), break_it))


def test_it_catches_a_unit_code_outside_un_ece_recommendation_20(validator: TimedValidator) -> None:
    lines = tuple(dataclasses.replace(line, unit_code="PCE") for line in transport_lines(1))
    assert "BR-CL-23" in fatal_rules(validator, build_ubl(dataclasses.replace(sample_invoice(), lines=lines)))


def test_it_reports_xml_that_is_not_well_formed(validator: TimedValidator) -> None:
    report = validator.validate(b"<Invoice><cbc:ID>1</Invoice>")
    assert [(f.layer, f.severity) for f in report.findings] == [("xml", "fatal")]


def test_it_explains_which_artefact_file_is_missing(tmp_path: Path) -> None:
    (tmp_path / "ubl-2.1").mkdir()
    with pytest.raises(ArtefactsMissing) as error:
        Validator(tmp_path)
    message = str(error.value)
    assert "peppol-bis-3.0.21/PEPPOL-EN16931-UBL.xslt" in message
    assert "HAULBILL_PEPPOL_ARTEFACTS" in message


def _django_settings() -> object | None:
    from django.conf import settings

    return settings if settings.configured else None


def test_it_finds_the_artefacts_named_by_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if (settings := _django_settings()) is not None:
        monkeypatch.setattr(settings, "PEPPOL_ARTEFACTS", "")
    monkeypatch.setenv("HAULBILL_PEPPOL_ARTEFACTS", str(tmp_path))
    assert find_artefacts() == tmp_path


def test_the_django_setting_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = _django_settings()
    if settings is None:
        pytest.skip("Django is not configured in this run")
    monkeypatch.setattr(settings, "PEPPOL_ARTEFACTS", str(tmp_path / "from-settings"))
    monkeypatch.setenv("HAULBILL_PEPPOL_ARTEFACTS", str(tmp_path / "from-env"))
    assert find_artefacts() == tmp_path / "from-settings"


def test_the_rule_files_are_not_copied_into_the_repository() -> None:
    repository = Path(__file__).resolve().parents[2]
    copies = [
        path
        for pattern in ("*.sch", "*.xslt", "UBL-Invoice-2.1.xsd")
        for path in repository.rglob(pattern)
        if ".venv" not in path.parts
    ]
    assert copies == []
