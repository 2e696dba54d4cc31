"""Which Peppol address Haulbill picks for a party, checked against the schematron's EAS list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from haulbill.einvoice.document import Endpoint, endpoint_for
from haulbill.einvoice.schemes import VAT_SCHEMES, company_id_scheme, gln_is_valid


@pytest.mark.parametrize(
    ("country", "vat", "enterprise", "expected"),
    [
        ("BE", "BE0477.472.701", "0477.472.701", Endpoint("0208", "0477472701")),
        ("BE", "BE 0477 472 701", "", Endpoint("0208", "0477472701")),
        ("BE", "", "477472701", Endpoint("0208", "0477472701")),
        ("NL", "NL853746333B01", "12345678", Endpoint("0106", "12345678")),
        ("NL", "NL853746333B01", "", Endpoint("9944", "NL853746333B01")),
        ("FR", "FR40303265045", "30326504500013", Endpoint("0009", "30326504500013")),
        ("FR", "FR40303265045", "303 265 045", Endpoint("0002", "303265045")),
        ("FR", "FR40303265045", "", Endpoint("9957", "FR40303265045")),
        ("DE", "DE136695976", "HRB 1234", Endpoint("9930", "DE136695976")),
        ("LU", "LU15027442", "", Endpoint("9938", "LU15027442")),
        ("AT", "ATU13585627", "", Endpoint("9914", "ATU13585627")),
        ("ES", "ESA28015865", "", Endpoint("9920", "ESA28015865")),
        ("GR", "094014201", "", Endpoint("9933", "EL094014201")),
        ("DK", "DK13585628", "", Endpoint("0184", "DK13585628")),
        ("SE", "SE556677889901", "", Endpoint("0007", "5566778899")),
        ("IT", "IT00743110157", "", Endpoint("0211", "IT00743110157")),
        ("CH", "CHE-116.281.710 MWST", "", Endpoint("9927", "CHE116281710")),
        ("GB", "GB980780684", "", Endpoint("9932", "GB980780684")),
        ("NO", "NO974760673MVA", "", Endpoint("0192", "974760673")),
    ],
)
def test_it_picks_the_scheme_peppol_expects_for_the_country(
    country: str, vat: str, enterprise: str, expected: Endpoint
) -> None:
    assert endpoint_for(country, vat, enterprise) == expected


def test_it_prefers_a_gln_outside_the_eu_only_when_one_is_given() -> None:
    assert endpoint_for("CH", "CHE116281710", "", gln="7612345000004") == Endpoint("0088", "7612345000004")
    assert endpoint_for("BE", "BE0477472701", "", gln="7612345000004") == Endpoint("0208", "0477472701")


def test_it_gives_no_address_to_a_foreign_party_without_any_identifier() -> None:
    assert endpoint_for("US", "", "") is None
    assert endpoint_for("DE", "", "HRB 1234") is None


def test_every_scheme_it_can_pick_is_in_the_peppol_eas_code_list(artefacts: Path) -> None:
    schematron = (artefacts / "peppol-bis-3.0.21" / "PEPPOL-EN16931-UBL.sch").read_text(encoding="utf-8")
    eas = set(re.search(r'name="eaid" value="tokenize\(\'([0-9 ]+)\'', schematron).group(1).split())  # type: ignore[union-attr]
    picked = set(VAT_SCHEMES.values()) | {
        "0208",
        "0106",
        "0002",
        "0009",
        "0184",
        "0007",
        "0211",
        "0216",
        "0192",
        "0088",
    }
    assert picked - eas == set()


def test_it_checks_gln_check_digits_as_peppol_does() -> None:
    assert gln_is_valid("7300010000001")
    assert not gln_is_valid("7300010000002")


def test_it_only_names_a_company_number_scheme_it_is_sure_of() -> None:
    assert company_id_scheme("BE", "0477.472.701") == "0208"
    assert company_id_scheme("FR", "30326504500013") == "0009"
    assert company_id_scheme("DE", "HRB 1234") == ""
