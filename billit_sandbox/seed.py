"""The data every sandbox starts from (and returns to on reset): two API keys, three companies, a carrier's catalog.

International transport carries no VAT rate of its own: in Billit the product's `VAT` is null and the rate is
decided per customer (21 % for a Belgian customer, 0 % with VentilationCode 21 for intra-EU reverse charge),
so a line that uses it must carry `VATPercentage`. `InternalInformation` says so for a human reading the catalog.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from billit_sandbox import identifiers
from billit_sandbox.store import Store

DEMO_KEY = "sandbox-demo-key"
TWO_COMPANIES_KEY = "sandbox-two-companies-key"
DEMO_COMPANY_ID = 100001
TWIN_COMPANY_IDS = (100002, 100003)
SEED_TIMESTAMP = "2026-01-05T09:00:00"

_COMPANIES: dict[int, dict[str, Any]] = {
    100001: {
        "Name": "Demo Transport BV",
        "VATNumber": "BE0412345614",
        "Street": "Kanaalweg",
        "StreetNumber": "12",
        "Zipcode": "8500",
        "City": "Kortrijk",
        "Email": "facturatie@demo-transport.example",
        "IBAN": "BE68539007547034",
        "BIC": "GKCCBEBB",
        "Language": "NL",
    },
    100002: {
        "Name": "Twin Haulage A BV",
        "VATNumber": "BE0555012323",
        "Street": "Haven",
        "StreetNumber": "1",
        "Zipcode": "2030",
        "City": "Antwerpen",
        "Email": "billing@twin-a.example",
        "IBAN": "BE71096123456769",
        "BIC": "GKCCBEBB",
        "Language": "NL",
    },
    100003: {
        "Name": "Twin Haulage B SRL",
        "VATNumber": "BE0623456711",
        "Street": "Rue du Port",
        "StreetNumber": "7",
        "Zipcode": "4000",
        "City": "Liège",
        "Email": "factures@twin-b.example",
        "IBAN": "BE62510007547061",
        "BIC": "GEBABEBB",
        "Language": "FR",
    },
}

_CUSTOMERS: list[dict[str, Any]] = [
    {
        "Nr": "C001",
        "Name": "Logistiek Vlaanderen NV",
        "VATNumber": "BE0765432146",
        "Street": "Industrieweg",
        "StreetNumber": "44",
        "Zipcode": "9000",
        "City": "Gent",
        "CountryCode": "BE",
        "Email": "ap@logistiek-vlaanderen.example",
        "Language": "NL",
    },
    {
        "Nr": "C002",
        "Name": "Brasserie Wallonne SA",
        "VATNumber": "BE0812312345",
        "Street": "Chaussée de Namur",
        "StreetNumber": "3",
        "Zipcode": "5000",
        "City": "Namur",
        "CountryCode": "BE",
        "Email": "comptabilite@brasserie-wallonne.example",
        "Language": "FR",
    },
    {
        "Nr": "C003",
        "Name": "Transports Lyonnais SARL",
        "VATNumber": "FR44732829320",
        "Street": "Quai Perrache",
        "StreetNumber": "18",
        "Zipcode": "69002",
        "City": "Lyon",
        "CountryCode": "FR",
        "Email": "factures@transports-lyonnais.example",
        "Language": "FR",
    },
    {
        "Nr": "C004",
        "Name": "Rotterdam Cargo BV",
        "VATNumber": "NL853746333B01",
        "Street": "Waalhaven Zuidzijde",
        "StreetNumber": "21",
        "Zipcode": "3089 JH",
        "City": "Rotterdam",
        "CountryCode": "NL",
        "Email": "crediteuren@rotterdam-cargo.example",
        "Language": "NL",
    },
]

_PRODUCTS: list[dict[str, Any]] = [
    {
        "Reference": "TR-NAT",
        "Description": "National transport",
        "AmountExcl": Decimal("450.00"),
        "VAT": Decimal("21"),
        "Unit": "C62",
    },
    {
        "Reference": "TR-INT",
        "Description": "International transport",
        "AmountExcl": Decimal("1250.00"),
        "VAT": None,
        "Unit": "C62",
        "InternalInformation": "VAT on customer: rate decided per customer (0% + VentilationCode 21 intra-EU)",
    },
    {
        "Reference": "GAS-IDX",
        "Description": "Gas index surcharge",
        "AmountExcl": Decimal("12.35"),
        "VAT": Decimal("21"),
        "Unit": "C62",
    },
    {
        "Reference": "WAIT-H",
        "Description": "Waiting hours",
        "AmountExcl": Decimal("55.00"),
        "VAT": Decimal("21"),
        "Unit": "HUR",
    },
]


def party_document(party_id: int, fields: dict[str, Any], party_type: str = "Customer") -> dict[str, Any]:
    doc: dict[str, Any] = {"PartyID": party_id, "PartyType": party_type, **fields}
    doc.setdefault("CommercialName", None)
    doc["DisplayName"] = doc.get("CommercialName") or doc.get("Name")
    vat = doc.get("VATNumber") or ""
    if vat.upper().startswith("BE") and not doc.get("Identifiers"):
        doc["Identifiers"] = [{"IdentifierType": "CBE", "Identifier": vat[2:], "SchemeID": "0208", "Preferred": True}]
    doc.setdefault("Identifiers", [])
    doc.setdefault("Addresses", [])
    doc.setdefault("CountryCode", vat[:2].upper() if vat[:2].isalpha() else None)
    doc.setdefault("VATLiable", bool(vat))
    doc.setdefault("Created", SEED_TIMESTAMP)
    doc.setdefault("LastModified", SEED_TIMESTAMP)
    return doc


def product_document(product_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    doc = {"ProductID": product_id, **fields}
    vat = doc.get("VAT")
    amount = doc.get("AmountExcl")
    if vat is not None and amount is not None:
        doc["AmountIncl"] = (amount * (Decimal(100) + vat) / Decimal(100)).quantize(Decimal("0.01"))
    else:
        doc["AmountIncl"] = None
    doc.setdefault("Created", SEED_TIMESTAMP)
    doc.setdefault("LastModified", SEED_TIMESTAMP)
    return doc


def seed(store: Store) -> None:
    store.wipe()
    with store.transaction():
        store.put_account(
            DEMO_KEY,
            {
                "UserID": 1,
                "Email": "demo@haulbill.example",
                "FirstName": "Demo",
                "LastName": "Carrier",
                "Companies": [DEMO_COMPANY_ID],
            },
        )
        store.put_account(
            TWO_COMPANIES_KEY,
            {
                "UserID": 2,
                "Email": "twins@haulbill.example",
                "FirstName": "Twin",
                "LastName": "Owner",
                "Companies": list(TWIN_COMPANY_IDS),
            },
        )
        for company_id, fields in _COMPANIES.items():
            company = party_document(company_id, {**fields, "CountryCode": "BE"}, party_type="Customer")
            company.pop("PartyType")
            company.update(
                {
                    "TabNameAlias": fields["Name"],
                    "APIAllowed": True,
                    "UserLanguage": fields["Language"],
                    "VATLiable": True,
                    "VATDeductable": True,
                    "SmallEnterprise": False,
                    "APIEnabledFeatures": {
                        "TimeRegistration": False,
                        "Projects": False,
                        "DailyReceipts": False,
                        "FinancialReduction": False,
                        "GLAccounts": False,
                        "Cashbook": False,
                    },
                }
            )
            store.put("company", company_id, company_id, company)
            store.register_participant(identifiers.canonical(fields["VATNumber"]))
            for customer in _CUSTOMERS:
                party_id = store.next_value("party", start=200001)
                store.put("party", company_id, party_id, party_document(party_id, dict(customer)))
            for product in _PRODUCTS:
                product_id = store.next_value("product", start=300001)
                store.put("product", company_id, product_id, product_document(product_id, dict(product)))
        # One customer is reachable on the (sandbox) Peppol network out of the box; the others are not.
        store.register_participant(identifiers.canonical("BE0765432146"))
    store.set_meta("seeded", SEED_TIMESTAMP)
