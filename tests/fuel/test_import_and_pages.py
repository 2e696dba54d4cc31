from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from haulbill.fuel import services
from haulbill.fuel.models import FuelClause, FuelIndexSeries, FuelIndexValue
from tests.factories import CompanyFactory, MembershipFactory
from tests.fuel.helpers import setup_clause, surcharge_lines


def client_for(company, role):
    client = Client()
    client.force_login(MembershipFactory(company=company, role=role).user)
    return client


def test_it_imports_a_csv_of_monthly_values(company):
    series = services.create_series(company, "Diesel index")
    result = services.import_csv(company, series, "month;value;published\n2026-10;1,8234;2026-11-05\n2026-11;1.7901;\n")
    assert result.imported == 2
    assert dict(FuelIndexValue.objects.filter(series=series).values_list("month", "value")) == {
        dt.date(2026, 10, 1): Decimal("1.8234"), dt.date(2026, 11, 1): Decimal("1.7901"),
    }  # fmt: skip


def test_it_reports_every_bad_row_and_imports_nothing(company):
    series = services.create_series(company, "Diesel index")
    result = services.import_csv(company, series, "2026-10,1.8\n2026-13,1.9\n2026-12,abc\n2026-10,1.7\n")
    assert [(e["row"], e["field"]) for e in result.errors] == [(2, "month"), (3, "value"), (4, "month")]
    assert not FuelIndexValue.objects.exists()


def test_it_imports_from_the_command_and_creates_the_series(company, tmp_path):
    path = tmp_path / "diesel.csv"
    path.write_text("2026-11,1.8234\n")
    out = io.StringIO()
    call_command("import_fuel_index", str(path), company=company.pk, series="CNR gazole", stdout=out)
    assert "1 index values imported into CNR gazole" in out.getvalue()
    assert FuelIndexSeries.objects.get(company=company, name="CNR gazole").values.count() == 1


def test_it_fails_the_command_with_the_row_errors(company, tmp_path):
    path = tmp_path / "diesel.csv"
    path.write_text("2026-11,-1\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_fuel_index", str(path), company=company.pk, series="CNR", stderr=err)
    assert "Row 1" in err.getvalue()


def test_it_shows_import_errors_per_row_on_the_page(company):
    series = services.create_series(company, "Diesel index")
    upload = SimpleUploadedFile("d.csv", b"2026-10,1.8\nnot-a-month,1.9\n", content_type="text/csv")
    page = client_for(company, "invoicer").post(f"/fuel/series/{series.pk}/import/", {"file": upload}).content.decode()
    assert 'data-row="2"' in page
    assert not FuelIndexValue.objects.exists()


def test_it_enters_a_month_by_hand_and_recomputes_the_surcharges(company):
    made = setup_clause(company, month_value=None)
    client_for(company, "invoicer").post(f"/fuel/series/{made['series'].pk}/", {"month": "2026-11", "value": "1.8234"})
    [line] = surcharge_lines(made["transport"])
    assert line.amount == Decimal("31.50")


def test_it_saves_a_customer_clause_from_the_form(company):
    made = setup_clause(company)
    client = client_for(company, "invoicer")
    response = client.post(f"/fuel/customers/{made['customer'].pk}/", {
        "series": made["series"].pk, "reference_value": "1.7000", "fuel_share": "25", "base_products": [made["freight"].pk],
        "base_units": "", "surcharge_product": made["gas"].pk, "rounding": "2",
    })  # fmt: skip
    assert response.status_code == 302
    clause = FuelClause.objects.get(customer=made["customer"])
    assert (clause.reference_value, clause.fuel_share) == (Decimal("1.7000"), Decimal("25"))
    # (1.8234 - 1.70) / 1.70 x 25 = 1.8147% -> 1.81% of 1000.00
    assert surcharge_lines(made["transport"])[0].amount == Decimal("18.10")


def test_it_lets_a_viewer_read_but_not_change_fuel_pages(company):
    made = setup_clause(company)
    viewer = client_for(company, "viewer")
    assert viewer.get(f"/fuel/series/{made['series'].pk}/").status_code == 200
    assert viewer.post(f"/fuel/series/{made['series'].pk}/", {"month": "2026-12", "value": "2"}).status_code == 403
    assert viewer.post("/fuel/", {"name": "Another"}).status_code == 403
    assert viewer.post(f"/fuel/customers/{made['customer'].pk}/", {"delete": "1"}).status_code == 403
    assert FuelClause.objects.filter(customer=made["customer"]).exists()


def test_it_answers_404_to_another_company_on_every_fuel_page(company):
    made = setup_clause(company)
    intruder = client_for(CompanyFactory(), "admin")
    for path in (f"/fuel/series/{made['series'].pk}/", f"/fuel/series/{made['series'].pk}/import/",
                 f"/fuel/customers/{made['customer'].pk}/"):  # fmt: skip
        assert intruder.get(path).status_code == 404
        assert intruder.post(path, {"month": "2026-12", "value": "2", "delete": "1"}).status_code == 404
    assert "Diesel index" not in intruder.get("/fuel/").content.decode()
    assert FuelClause.objects.filter(customer=made["customer"]).exists()
