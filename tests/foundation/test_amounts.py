"""Numbers on pages and documents read as a person writes them, in the page's language."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation


def render(text: str, **values) -> str:
    return Template("{% load amounts %}" + text).render(Context(values))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1235.2500"), "1235.25"),
        (Decimal("55"), "55.00"),
        (Decimal("0.1234"), "0.1234"),
        (Decimal("12.5"), "12.50"),
    ],
)
def test_a_unit_price_shows_the_decimals_of_money_and_only_the_further_ones_that_count(value, shown):
    assert render("{{ v|unit_price }}", v=value) == shown


@pytest.mark.parametrize(
    ("value", "shown"), [(Decimal("1.000"), "1"), (Decimal("1.500"), "1.5"), (Decimal("2.125"), "2.125")]
)
def test_a_quantity_drops_trailing_zeros(value, shown):
    assert render("{{ v|quantity }}", v=value) == shown


def test_numbers_follow_the_language_of_the_page():
    with translation.override("fr"):
        assert render("{{ v|unit_price }} {{ q|quantity }}", v=Decimal("882.5000"), q=Decimal("1.500")) == "882,50 1,5"


def test_a_unit_reads_as_its_name_in_the_page_language():
    assert render("{{ u|unit_name }}", u="HUR") == "hour"
    with translation.override("nl"):
        assert render("{{ u|unit_name }}", u="HUR") == translation.gettext("hour") != "hour"
    assert render("{{ u|unit_name }}", u="XYZ") == "XYZ"
