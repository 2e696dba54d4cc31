"""The sandbox answers as Billit does: auth and company scope, lists and OData, numbering, idempotency, patching."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from billit_sandbox import wire
from billit_sandbox.pytest_plugin import SandboxHandle

TWIN_A, TWIN_B = SandboxHandle.two_companies_party_ids


@pytest.fixture
def http(billit_sandbox: SandboxHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=billit_sandbox.base_url, timeout=5) as client:
        yield client


def demo(**extra: str) -> dict[str, str]:
    return {"ApiKey": SandboxHandle.api_key, "PartyID": str(SandboxHandle.party_id), **extra}


def twins(party_id: int | None = None) -> dict[str, str]:
    headers = {"ApiKey": SandboxHandle.two_companies_key}
    if party_id is not None:
        headers["PartyID"] = str(party_id)
    return headers


def invoice(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "OrderType": "Invoice",
        "OrderDirection": "Income",
        "OrderDate": "2026-05-06",
        "ExpiryDate": "2026-06-05",
        "Customer": {"Name": "Logistiek Vlaanderen NV", "VATNumber": "BE0765432146", "PartyType": "Customer"},
        "OrderLines": [{"Quantity": 1, "UnitPriceExcl": 100, "Description": "Ride", "VATPercentage": 21}],
    }
    body.update(fields)
    return body


def post(http: httpx.Client, path: str, body: Any, headers: dict[str, str]) -> httpx.Response:
    return http.post(path, content=wire.dumps(body), headers={**headers, "Content-Type": "application/json"})


def test_it_refuses_an_unknown_key_with_401(http: httpx.Client) -> None:
    answer = http.get("/v1/account/accountInformation", headers={"ApiKey": "not-a-key"})

    assert answer.status_code == 401
    assert answer.json() == {"Message": "Authorization has been denied for this request."}


def test_it_lists_both_companies_of_a_two_company_key(http: httpx.Client) -> None:
    answer = http.get("/v1/account/accountInformation", headers=twins()).json()

    assert [c["PartyID"] for c in answer["Companies"]] == [TWIN_A, TWIN_B]
    assert [r["PartyID"] for r in answer["UserCompanyRoles"]] == [TWIN_A, TWIN_B]


def test_it_asks_a_two_company_key_which_company(http: httpx.Client) -> None:
    answer = http.get("/v1/orders", headers=twins())

    assert answer.status_code == 400
    assert "PartyID" in answer.json()["errors"][0]["Description"]


def test_it_refuses_a_company_the_key_has_no_access_to(http: httpx.Client) -> None:
    answer = http.get("/v1/orders", headers={"ApiKey": SandboxHandle.api_key, "PartyID": str(TWIN_A)})

    assert answer.status_code == 401


def test_it_keeps_one_companys_orders_from_another(http: httpx.Client) -> None:
    order_id = post(http, "/v1/orders", invoice(), twins(TWIN_A)).json()

    assert http.get(f"/v1/orders/{order_id}", headers=twins(TWIN_A)).status_code == 200
    assert http.get(f"/v1/orders/{order_id}", headers=twins(TWIN_B)).status_code == 404
    assert http.get("/v1/orders", headers=twins(TWIN_B)).json()["Items"] == []


def test_it_answers_a_bare_integer_on_create(http: httpx.Client) -> None:
    answer = post(http, "/v1/orders", invoice(), demo())

    assert answer.status_code == 200
    assert isinstance(answer.json(), int)


def test_it_updates_an_order_posted_again_with_its_id(http: httpx.Client) -> None:
    order_id = post(http, "/v1/orders", invoice(OrderNumber="U-1"), demo()).json()
    lines = [{"Quantity": 2, "UnitPriceExcl": 100, "Description": "Ride", "VATPercentage": 21}]

    again = post(http, "/v1/orders", invoice(OrderID=order_id, OrderNumber="U-1", OrderLines=lines), demo()).json()

    order = http.get(f"/v1/orders/{order_id}", headers=demo()).json()
    assert again == order_id
    assert order["TotalExcl"] == 200 and order["TotalIncl"] == 242
    assert len(http.get("/v1/orders", headers=demo()).json()["Items"]) == 1


def test_it_rounds_vat_per_vat_group_not_per_line(http: httpx.Client) -> None:
    lines = [{"Quantity": 1, "UnitPriceExcl": Decimal("0.02"), "Description": f"Toll {n}", "VATPercentage": 21}
             for n in range(5)]  # fmt: skip
    lines.append({"Quantity": 1, "UnitPriceExcl": Decimal("10.05"), "Description": "Parking", "VATPercentage": 6})
    order_id = post(http, "/v1/orders", invoice(OrderLines=lines), demo()).json()

    order = wire.loads(http.get(f"/v1/orders/{order_id}", headers=demo()).content)

    groups = {g["VATPercentage"]: g for g in order["VatGroups"]}
    assert groups[21]["TotalExcl"] == Decimal("0.10") and groups[21]["TotalVAT"] == Decimal("0.02")
    assert groups[6]["TotalVAT"] == Decimal("0.60")  # 0.603 rounds down
    assert sum(line["TotalVAT"] for line in order["OrderLines"]) == Decimal("0.60")  # lines would lose 2 cents
    assert order["TotalVAT"] == Decimal("0.62") and order["TotalIncl"] == Decimal("10.77")


def test_it_numbers_orders_from_the_company_sequence(http: httpx.Client) -> None:
    first = post(http, "/v1/orders", invoice(), demo()).json()
    second = post(http, "/v1/orders", invoice(), demo()).json()
    credit = post(http, "/v1/orders", invoice(OrderType="CreditNote"), demo()).json()

    numbers = [http.get(f"/v1/orders/{i}", headers=demo()).json()["OrderNumber"] for i in (first, second, credit)]
    assert numbers == ["1", "2", "1"]


def test_it_refuses_a_duplicate_number_of_the_same_type_only(http: httpx.Client) -> None:
    post(http, "/v1/orders", invoice(OrderNumber="N-1"), demo())

    duplicate = post(http, "/v1/orders", invoice(OrderNumber="N-1"), demo())
    credit_note = post(http, "/v1/orders", invoice(OrderNumber="N-1", OrderType="CreditNote"), demo())
    other_company = post(http, "/v1/orders", invoice(OrderNumber="N-1"), twins(TWIN_A))

    assert duplicate.status_code == 400 and duplicate.json()["errors"][0]["Code"] == "DuplicateOrderNumber"
    assert credit_note.status_code == 200 and other_company.status_code == 200


def test_it_answers_a_replayed_key_with_409_in_both_spellings(http: httpx.Client) -> None:
    for header in ("Idempotency-Key", "Idempotent-Key"):
        first = post(http, "/v1/orders", invoice(), demo(**{header: f"k-{header}"}))
        second = post(http, "/v1/orders", invoice(), demo(**{header: f"k-{header}"}))

        assert first.status_code == 200
        assert second.status_code == 409
        assert second.json()["errors"][0]["Code"] == "Idempotent token already exists"


def test_it_stores_the_key_only_when_the_request_succeeded(http: httpx.Client) -> None:
    refused = post(http, "/v1/orders", invoice(ExpiryDate=None), demo(**{"Idempotency-Key": "retry-me"}))
    accepted = post(http, "/v1/orders", invoice(), demo(**{"Idempotency-Key": "retry-me"}))

    assert refused.status_code == 400 and accepted.status_code == 200


def test_it_accepts_only_patchable_order_fields(http: httpx.Client) -> None:
    order_id = post(http, "/v1/orders", invoice(), demo()).json()

    refused = http.patch(f"/v1/orders/{order_id}", json={"TotalIncl": 1, "Paid": True}, headers=demo())
    empty = http.patch(f"/v1/orders/{order_id}", json={}, headers=demo())
    accepted = http.patch(f"/v1/orders/{order_id}", json={"InternalInfo": "checked"}, headers=demo())

    assert refused.status_code == 400 and refused.json()["errors"][0]["Code"] == "GenericError"
    assert "TotalIncl" in refused.json()["errors"][0]["Description"]
    assert empty.status_code == 400
    assert accepted.status_code == 200 and accepted.content == b""
    assert http.get(f"/v1/orders/{order_id}", headers=demo()).json()["Paid"] is False


def test_it_pages_by_120_with_an_absolute_next_page_link(http: httpx.Client) -> None:
    for n in range(125):
        post(http, "/v1/products", {"Description": f"Zone {n}", "AmountExcl": 10, "VAT": 21}, demo())

    first = http.get("/v1/products", headers=demo()).json()
    second = httpx.get(first["NextPageLink"], headers=demo()).json()

    assert len(first["Items"]) == 120 and first["Count"] == 129
    assert first["NextPageLink"].startswith("http://")
    assert len(second["Items"]) == 9 and second["NextPageLink"] is None


@pytest.mark.parametrize(
    ("odata", "expected"),
    [
        ("CountryCode eq 'BE'", ["C001", "C002"]),
        ("CountryCode ne 'BE'", ["C003", "C004"]),
        ("Nr gt 'C002' and Nr le 'C004'", ["C003", "C004"]),
        ("Name eq 'Rotterdam Cargo BV' or Nr eq 'C001'", ["C001", "C004"]),
        ("contains(Name,'wallonne')", ["C002"]),
        ("Created lt 2026-01-06 and Created ge 2026-01-05T00:00:00Z", ["C001", "C002", "C003", "C004"]),
    ],
)
def test_it_filters_parties_with_odata(http: httpx.Client, odata: str, expected: list[str]) -> None:
    items = http.get("/v1/parties", params={"$filter": odata}, headers=demo()).json()["Items"]

    assert sorted(p["Nr"] for p in items) == expected


def test_it_filters_orders_on_numbers_and_nested_fields(http: httpx.Client) -> None:
    post(http, "/v1/orders", invoice(OrderNumber="SMALL"), demo())
    big = [{"Quantity": 10, "UnitPriceExcl": 100, "Description": "Ride", "VATPercentage": 21}]
    other = {"Name": "Rotterdam Cargo BV", "VATNumber": "NL853746333B01", "PartyType": "Customer"}
    post(http, "/v1/orders", invoice(OrderNumber="BIG", OrderLines=big, Customer=other), demo())

    def numbers(odata: str) -> list[str]:
        items = http.get("/v1/orders", params={"$filter": odata}, headers=demo()).json()["Items"]
        return [o["OrderNumber"] for o in items]

    assert numbers("ToPay gt 500") == ["BIG"]
    assert numbers("CounterParty/DisplayName eq 'Rotterdam Cargo BV'") == ["BIG"]
    assert numbers("OrderType eq 'Invoice' and OrderDirection eq 'Income' and TotalExcl le 100.00") == ["SMALL"]


def test_it_orders_and_slices_lists(http: httpx.Client) -> None:
    answer = http.get("/v1/parties", params={"$orderby": "Name desc", "$top": "2", "$skip": "1"}, headers=demo())

    assert [p["Name"] for p in answer.json()["Items"]] == ["Rotterdam Cargo BV", "Logistiek Vlaanderen NV"]


def test_it_searches_full_text(http: httpx.Client) -> None:
    items = http.get("/v1/parties", params={"fullTextSearch": "lyon"}, headers=demo()).json()["Items"]

    assert [p["Name"] for p in items] == ["Transports Lyonnais SARL"]


def test_it_refuses_a_filter_it_cannot_read_with_billits_error_body(http: httpx.Client) -> None:
    answer = http.get("/v1/parties", params={"$filter": "Identifiers/any(i: i/Identifier eq '1')"}, headers=demo())

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["Code"] == "GenericError"


def test_it_answers_participant_information_without_a_key(http: httpx.Client, billit_sandbox: SandboxHandle) -> None:
    before = http.get("/v1/peppol/participantInformation/BE0812312345").json()
    billit_sandbox.register_peppol_participant("0812.312.345")
    after = http.get("/v1/peppol/participantInformation/BE0812312345").json()

    assert before["Registered"] is False
    assert after["Registered"] is True and after["Identifier"] == "0208:0812312345"


def test_it_accepts_the_send_command_in_any_key_casing(http: httpx.Client) -> None:
    order_id = post(http, "/v1/orders", invoice(), demo()).json()

    answer = post(http, "/v1/orders/commands/send", {"OrderIDs": [order_id], "Transporttype": "Peppol"}, demo())

    order = http.get(f"/v1/orders/{order_id}", headers=demo()).json()
    assert answer.status_code == 200 and answer.content == b""
    assert order["IsSent"] is True and order["OrderStatus"] == "ToPay"
    assert order["Messages"][0]["TransportType"] == "Peppol"
    assert order["CurrentDocumentDeliveryDetails"]["DocumentDeliveryStatus"] == "Sent"


def test_it_falls_back_to_email_only_when_enabled_and_not_strict(
    http: httpx.Client, billit_sandbox: SandboxHandle
) -> None:
    customer = {"Name": "Brasserie Wallonne SA", "VATNumber": "BE0812312345", "PartyType": "Customer"}
    order_id = post(http, "/v1/orders", invoice(Customer=customer), demo()).json()
    send = {"OrderIds": [order_id], "TransportType": "Peppol"}

    default = post(http, "/v1/orders/commands/send", send, demo())
    billit_sandbox.settings(email_fallback=True)
    strict = post(http, "/v1/orders/commands/send", send, demo(StrictTransportType="true"))
    lenient = post(http, "/v1/orders/commands/send", send, demo())

    assert default.json()["errors"][0]["Code"] == "TheCustomerIsNotActiveOnPeppol"
    assert strict.status_code == 400
    assert lenient.status_code == 200
    assert http.get(f"/v1/orders/{order_id}", headers=demo()).json()["Messages"][0]["TransportType"] == "SMTP"


def test_it_keeps_one_companys_files_from_another(http: httpx.Client) -> None:
    order_id = post(http, "/v1/orders", invoice(), twins(TWIN_A)).json()
    file_id = http.get(f"/v1/orders/{order_id}", headers=twins(TWIN_A)).json()["OrderPDF"]["FileID"]

    assert http.get(f"/v1/files/{file_id}", headers=twins(TWIN_A)).status_code == 200
    assert http.get(f"/v1/files/{file_id}", headers=twins(TWIN_B)).status_code == 404
