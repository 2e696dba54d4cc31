"""A refused fuel form comes back as typed (status 400), each error under the field it is about; nothing is saved."""

from __future__ import annotations

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from haulbill.fuel.models import FuelClause, FuelIndexSeries, FuelIndexValue
from tests.factories import CustomerFactory, ProductFactory
from tests.foundation.test_page_structure import field_and_error

FORMAT_HINT = "Enter the month as 2026-10 and the index as a positive number, e.g. 1.8234."


def page(response):  # type: ignore[no-untyped-def]
    return lxml.html.document_fromstring(response.content.decode())


@pytest.fixture
def series(company):  # type: ignore[no-untyped-def]
    return FuelIndexSeries.objects.create(company=company, name="Diesel index")


# --- an index value --------------------------------------------------------------------------------------------------


def test_it_shows_a_wrong_month_next_to_the_month_and_keeps_what_was_typed(user_client, series):
    response = user_client.post(
        f"/fuel/series/{series.pk}/", {"month": "Oct 2026", "value": "1,8234", "published_on": "2026-11-05"}
    )
    assert response.status_code == 400
    field_and_error(response.content, "month", FORMAT_HINT)
    root = page(response)
    assert root.xpath("//input[@name='month']/@value") == ["Oct 2026"]
    assert root.xpath("//input[@name='value']/@value") == ["1,8234"]
    assert root.xpath("//input[@name='published_on']/@value") == ["2026-11-05"]
    assert root.xpath("//input[@name='value']/@aria-invalid") == []
    assert not FuelIndexValue.objects.exists()


def test_it_shows_a_negative_index_next_to_the_value(user_client, series):
    response = user_client.post(f"/fuel/series/{series.pk}/", {"month": "2026-10", "value": "-1.8"})
    assert response.status_code == 400
    field = field_and_error(response.content, "value", FORMAT_HINT)
    assert field.get("value") == "-1.8"
    assert page(response).xpath("//input[@name='month']/@value") == ["2026-10"]
    assert not FuelIndexValue.objects.exists()


def test_it_shows_a_wrong_publication_date_next_to_it(user_client, series):
    response = user_client.post(
        f"/fuel/series/{series.pk}/", {"month": "2026-10", "value": "1.8234", "published_on": "2026-13-40"}
    )
    assert response.status_code == 400
    field_and_error(response.content, "published_on", "Enter a valid date.")
    assert not FuelIndexValue.objects.exists()


def test_it_shows_every_wrong_field_at_once(user_client, series):
    response = user_client.post(f"/fuel/series/{series.pk}/", {"month": "soon", "value": "cheap"})
    assert response.status_code == 400
    field_and_error(response.content, "month", FORMAT_HINT)
    field_and_error(response.content, "value", FORMAT_HINT)


def test_it_still_saves_a_right_value(user_client, series):
    response = user_client.post(f"/fuel/series/{series.pk}/", {"month": "2026-10", "value": "1,8234"})
    assert response.status_code == 302
    assert FuelIndexValue.objects.get(series=series).published_on is None


# --- a series --------------------------------------------------------------------------------------------------------


def test_it_shows_a_blank_series_name_next_to_the_name_and_keeps_the_description(user_client, company):
    response = user_client.post("/fuel/", {"name": "   ", "description": "CNR monthly diesel"})
    assert response.status_code == 400
    field_and_error(response.content, "name", "Give the index series a name.")
    assert page(response).xpath("//input[@name='description']/@value") == ["CNR monthly diesel"]
    assert not FuelIndexSeries.objects.exists()


# --- the CSV import --------------------------------------------------------------------------------------------------


def test_it_shows_a_missing_file_under_the_file_field(user_client, series):
    response = user_client.post(f"/fuel/series/{series.pk}/import/", {})
    assert response.status_code == 400
    field_and_error(response.content, "file", "Choose a CSV file to import.")


def test_it_shows_a_file_that_is_not_utf8_under_the_file_field(user_client, series):
    upload = SimpleUploadedFile("index.csv", "2026-10;1,8234;Liège\n".encode("cp1252"), content_type="text/csv")
    response = user_client.post(f"/fuel/series/{series.pk}/import/", {"file": upload})
    assert response.status_code == 400
    field_and_error(response.content, "file", "The file is not UTF-8 text")
    assert not FuelIndexValue.objects.exists()


def test_it_shows_a_file_without_values_under_the_file_field_not_as_a_row(user_client, series):
    upload = SimpleUploadedFile("index.csv", b"month;value\n", content_type="text/csv")
    response = user_client.post(f"/fuel/series/{series.pk}/import/", {"file": upload})
    assert response.status_code == 400
    field_and_error(response.content, "file", "The file holds no index values.")
    assert page(response).xpath("//*[@id='import-errors']") == []


def test_it_lists_each_bad_row_with_its_line_number_for_the_file_field(user_client, series):
    upload = SimpleUploadedFile("index.csv", b"2026-10,1.8\n2026-13,1.9\n2026-12,abc\n", content_type="text/csv")
    response = user_client.post(f"/fuel/series/{series.pk}/import/", {"file": upload})
    assert response.status_code == 400
    field_and_error(response.content, "file", "Row 2: “2026-13” is not a month")
    rows = page(response).xpath("//*[@id='import-errors']//li")
    assert [li.get("data-row") for li in rows] == ["2", "3"]
    assert rows[1].text_content().startswith("Row 3:")
    assert not FuelIndexValue.objects.exists()


# --- a customer's clause ---------------------------------------------------------------------------------------------


@pytest.fixture
def clause_form(company, series):  # type: ignore[no-untyped-def]
    gas = ProductFactory(company=company, item_code="GAS", name="Gas index", is_fuel_surcharge=True)
    return {
        "series": str(series.pk), "reference_value": "1.6500", "fuel_share": "30", "surcharge_product": str(gas.pk),
        "rounding": "2", "valid_from": "2026-12-01", "valid_to": "2026-01-31",
    }  # fmt: skip


def test_it_shows_an_end_before_the_start_next_to_the_end_and_keeps_the_clause(user_client, company, clause_form):
    customer = CustomerFactory(company=company)
    response = user_client.post(f"/fuel/customers/{customer.pk}/", clause_form)
    assert response.status_code == 400
    field = field_and_error(response.content, "valid_to", "The end of the validity period is before its start.")
    assert field.get("value") == "2026-01-31"
    assert page(response).xpath("//input[@name='reference_value']/@value") == ["1.6500"]
    assert not FuelClause.objects.exists()


def test_it_shows_a_missing_reference_next_to_it(user_client, company, clause_form):
    customer = CustomerFactory(company=company)
    response = user_client.post(
        f"/fuel/customers/{customer.pk}/", {**clause_form, "reference_value": "", "valid_to": ""}
    )
    assert response.status_code == 400
    field_and_error(response.content, "reference_value", "This field is required.")
    assert page(response).xpath("//input[@name='fuel_share']/@value") == ["30"]
    assert not FuelClause.objects.exists()
