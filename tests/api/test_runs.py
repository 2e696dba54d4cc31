"""Invoicing runs through the API, against a company connected to the Billit sandbox: pre-flight, start, confirm."""

from __future__ import annotations

from typing import Any

from haulbill.invoicing.models import Invoice, InvoiceStatus, InvoicingRun, PushState
from tests.api.conftest import ApiClient, api_client_for, member, ready_transport
from tests.factories import CustomerFactory


def start_run(api: ApiClient, **selection: Any) -> dict[str, Any]:
    response = api.post("/api/v1/invoicing-runs", selection)
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def test_it_preflights_a_ready_selection_with_no_problem_and_writes_nothing(api, connected):
    ready_transport(connected)
    response = api.post("/api/v1/invoicing-runs/preflight", {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["ok"], body["transports"]) == (True, 1)
    assert body["report"]["problems"] == [] and body["report"]["company_problems"] == []
    assert not InvoicingRun.objects.for_company(connected.company).exists()
    assert not Invoice.objects.for_company(connected.company).exists()


def test_it_preflights_a_selection_and_lists_the_customer_that_blocks(api, connected):
    ready_transport(connected)
    unlinked = CustomerFactory(company=connected.company, name="Not In Billit BV")
    ready_transport(connected, unlinked)
    response = api.post("/api/v1/invoicing-runs/preflight", {})
    body = response.json()
    assert (response.status_code, body["ok"], body["transports"]) == (200, False, 2)
    assert body["report"]["blocked_customers"] == [unlinked.pk]
    [problem] = [p for p in body["report"]["problems"] if p["blocking"]]
    assert problem["customer_id"] == unlinked.pk
    assert "Not In Billit BV" in problem["message"]


def test_it_refuses_a_selection_naming_another_companys_customer(api, connected, other_company):
    stranger = CustomerFactory(company=other_company)
    response = api.post("/api/v1/invoicing-runs/preflight", {"customer_ids": [stranger.pk]})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "customer_ids"


def test_it_starts_a_run_with_one_draft_per_customer(api, connected):
    ready_transport(connected)
    ready_transport(connected)
    ready_transport(connected, connected.customers["BE0812312345"])
    run = start_run(api)
    assert (run["status"], run["transports_count"], run["drafts_count"], run["blocked_count"]) == ("drafted", 3, 2, 0)
    drafts = Invoice.objects.for_company(connected.company).filter(run_id=run["id"])
    assert {d.status for d in drafts} == {InvoiceStatus.DRAFT}


def test_it_confirms_a_run_which_finalises_and_pushes_its_invoices_to_billit(api, connected, today):
    ready_transport(connected)
    run = start_run(api)
    response = api.post(f"/api/v1/invoicing-runs/{run['id']}/confirm", {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["finalised_count"], body["finished_at"] is not None) == ("done", 1, True)
    invoice = Invoice.objects.for_company(connected.company).get(run_id=run["id"])
    assert (invoice.status, invoice.issue_date, invoice.push_state) == (
        InvoiceStatus.FINALISED,
        today,
        PushState.PUSHED,
    )
    assert [o["OrderNumber"] for o in connected.sandbox.orders(connected.sandbox.party_id)][-1] == invoice.number


def test_it_reports_the_run_status_until_it_is_done(api, connected, today):
    ready_transport(connected)
    run = start_run(api)
    assert api.get(f"/api/v1/invoicing-runs/{run['id']}").json()["status"] == "drafted"
    api.post(f"/api/v1/invoicing-runs/{run['id']}/confirm", {"issue_date": "2026-11-24"})
    status = api.get(f"/api/v1/invoicing-runs/{run['id']}").json()
    assert (status["status"], status["drafts_count"], status["finalised_count"]) == ("done", 1, 1)


def test_it_refuses_to_confirm_a_run_twice(api, connected, today):
    ready_transport(connected)
    run = start_run(api)
    api.post(f"/api/v1/invoicing-runs/{run['id']}/confirm", {})
    again = api.post(f"/api/v1/invoicing-runs/{run['id']}/confirm", {})
    assert (again.status_code, again.json()["code"]) == (409, "run_not_waiting")


def test_it_holds_back_the_blocked_customer_and_finalises_the_other(api, connected, today):
    ready_transport(connected)
    unlinked = CustomerFactory(company=connected.company, name="Not In Billit BV")
    ready_transport(connected, unlinked)
    run = start_run(api)
    assert run["blocked_count"] == 1
    body = api.post(f"/api/v1/invoicing-runs/{run['id']}/confirm", {}).json()
    assert (body["finalised_count"], body["blocked_count"]) == (1, 1)
    assert Invoice.objects.for_company(connected.company).get(customer=unlinked).status == InvoiceStatus.DRAFT


def test_a_viewer_can_read_a_run_but_not_start_one(connected):
    viewer = api_client_for(member(connected.company, "viewer"))
    ready_transport(connected)
    response = viewer.post("/api/v1/invoicing-runs", {})
    assert (response.status_code, response.json()["code"]) == (403, "role_required")
    assert not InvoicingRun.objects.for_company(connected.company).exists()
