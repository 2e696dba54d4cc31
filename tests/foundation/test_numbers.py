import pytest
from django.core.exceptions import ValidationError

from haulbill.addressbook import numbers
from tests.factories import CustomerFactory


@pytest.mark.parametrize(
    ("typed", "country", "stored"),
    [
        ("BE 0477.472.701", "BE", "BE0477472701"),
        ("0477472701", "BE", "BE0477472701"),
        ("fr40303265045", "FR", "FR40303265045"),
        ("NL004495445B01", "NL", "NL004495445B01"),
        ("LU 26375245", "LU", "LU26375245"),
        ("DE136695976", "DE", "DE136695976"),
    ],
)
def test_it_normalises_vat_numbers_of_the_countries_carriers_invoice(typed, country, stored):
    assert numbers.normalise_vat(typed, country) == stored


def test_it_names_a_wrong_check_digit():
    with pytest.raises(numbers.NumberError, match="wrong check digit"):
        numbers.normalise_vat("BE0477472702", "BE")


def test_it_derives_the_belgian_enterprise_number_and_peppol_id_from_the_vat_number(db):
    customer = CustomerFactory.build(
        vat_number="be 0477 472 701", enterprise_number="", country="BE", peppol_identifier=""
    )
    customer.clean()
    assert customer.enterprise_number == "0477472701"
    assert customer.peppol_identifier == "0208:0477472701"


def test_it_reports_each_bad_number_on_its_field(db):
    customer = CustomerFactory.build(vat_number="BE123", enterprise_number="999", country="BE")
    with pytest.raises(ValidationError) as err:
        customer.clean()
    assert set(err.value.message_dict) == {"vat_number", "enterprise_number"}


def test_it_accepts_french_siren_and_siret():
    assert numbers.normalise_enterprise_number("303 265 045", "FR") == "303265045"
    assert numbers.normalise_enterprise_number("73282932000074", "FR") == "73282932000074"
