from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext, override

from haulbill.fuel import services
from haulbill.invoicing import services as invoicing
from haulbill.invoicing.models import Invoice
from haulbill.invoicing.selection import Selection
from haulbill.transports.models import PriceLine
from tests.fuel.helpers import setup_clause, surcharge_lines


def test_it_adds_a_surcharge_when_the_index_rises(company):
    made = setup_clause(company)
    services.refresh_surcharges(company, [made["transport"].pk])
    # (1.8234 - 1.65) / 1.65 x 30 = 3.1527% -> 3.15% of the 1000.00 freight (waiting time excluded) = 31.50
    [line] = surcharge_lines(made["transport"])
    assert line.amount == Decimal("31.50")
    assert line.product == made["gas"]


def test_it_shows_the_index_values_used_in_the_description(company):
    made = setup_clause(company)
    made["transport"].customer.language = "en"
    made["transport"].customer.save(update_fields=["language"])
    services.refresh_surcharges(company, [made["transport"].pk])
    [line] = surcharge_lines(made["transport"])
    assert line.description == "Fuel surcharge: index 2026-11 = 1.8234 vs reference 1.6500, share 30%"


def test_it_writes_the_description_in_the_customer_language(company):
    made = setup_clause(company)
    made["transport"].customer.language = "nl"
    made["transport"].customer.save(update_fields=["language"])
    services.refresh_surcharges(company, [made["transport"].pk])
    [line] = surcharge_lines(made["transport"])
    with override("nl"):
        template = gettext("Fuel surcharge: index %(month)s = %(value)s vs reference %(reference)s, share %(share)s%%")
    assert template != "Fuel surcharge: index %(month)s = %(value)s vs reference %(reference)s, share %(share)s%%"
    assert line.description == template % {"month": "2026-11", "value": "1.8234", "reference": "1.6500", "share": "30"}


def test_it_adds_no_surcharge_when_the_index_falls_and_the_clause_forbids_negatives(company):
    made = setup_clause(company, month_value="1.5675")
    services.refresh_surcharges(company, [made["transport"].pk])
    assert surcharge_lines(made["transport"]) == []


def test_it_credits_a_fall_when_the_clause_allows_negative_surcharges(company):
    made = setup_clause(company, month_value="1.5675", allow_negative=True)
    services.refresh_surcharges(company, [made["transport"].pk])
    # (1.5675 - 1.65) / 1.65 x 30 = -1.50% of 1000.00
    [line] = surcharge_lines(made["transport"])
    assert line.amount == Decimal("-15.00")


def test_it_does_not_apply_the_clause_to_waiting_time(company):
    made = setup_clause(company)
    waiting = made["transport"].price_lines.get(product=made["waiting"])
    waiting.unit_price = Decimal("500.00")
    waiting.save()
    [line] = surcharge_lines(made["transport"])
    assert line.amount == Decimal("31.50")


def test_it_selects_base_lines_by_unit_as_well(company):
    made = setup_clause(company, units="C62")
    services.refresh_surcharges(company, [made["transport"].pk])
    [line] = surcharge_lines(made["transport"])
    assert line.amount == Decimal("31.50")  # the HUR waiting line is left out


def test_it_recomputes_the_surcharge_without_duplicating_it(company):
    made = setup_clause(company)
    transport = made["transport"]
    services.refresh_surcharges(company, [transport.pk])
    services.refresh_surcharges(company, [transport.pk])
    freight = transport.price_lines.get(product=made["freight"])
    freight.unit_price = Decimal("2000.00")
    freight.save()  # a price change recomputes through any door
    [line] = surcharge_lines(transport)
    assert line.amount == Decimal("63.00")


def test_it_reports_a_missing_index_month_in_the_preflight_and_holds_the_transport(company):
    made = setup_clause(company, month_value=None)
    _batch, report = invoicing.check_selection(company, Selection())
    [problem] = [p for p in report.problems if p.code == "fuel_index_missing"]
    assert "Diesel index" in problem.message and "2026-11" in problem.message
    assert problem.fix_url == f"/fuel/series/{made['series'].pk}/"
    assert report.blocks(made["customer"].pk, [made["transport"].pk])
    assert surcharge_lines(made["transport"]) == []


def test_it_adds_the_surcharge_once_the_missing_month_is_entered(company):
    made = setup_clause(company, month_value=None)
    services.set_value(company, made["series"], dt.date(2026, 11, 1), Decimal("1.8234"))
    [line] = surcharge_lines(made["transport"])
    assert line.amount == Decimal("31.50")


def test_it_invoices_the_surcharge_line_in_the_draft(company):
    made = setup_clause(company)
    services.refresh_surcharges(company, [made["transport"].pk])
    run = invoicing.start_run(company, Selection())
    draft = Invoice.objects.get(run=run)
    assert draft.lines.filter(item_code="GAS", line_amount=Decimal("31.50")).count() == 1
    assert draft.total_excl == Decimal("1000.00") + Decimal("100.00") + Decimal("31.50")


def test_it_ignores_a_clause_outside_its_validity_period(company):
    made = setup_clause(company)
    made["clause"].valid_to = dt.date(2026, 10, 31)
    services.save_clause(company, made["clause"], [made["freight"]])
    services.refresh_surcharges(company, [made["transport"].pk])
    assert surcharge_lines(made["transport"]) == []
    assert not PriceLine.objects.filter(is_fuel_surcharge=True).exists()
