"""A user of company B can neither see nor change company A's rows through any page.

The URL list is read from the resolver, so a page added tomorrow is covered without editing this test.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from haulbill.tenancy.scoping import CompanyOwned
from tests.cross_company import MARKER, populate
from tests.factories import CompanyFactory, InvoicingSettingsFactory, MembershipFactory

# webhooks/ are machine endpoints authenticated by signature, not by session: tests/delivery covers them.
SKIP_PREFIXES = ("admin/", "api/", "login/", "logout/", "language/", "static/", "media/", "webhooks/")


def web_patterns() -> list[tuple[str, URLPattern]]:
    out: list[tuple[str, URLPattern]] = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for p in resolver.url_patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p, route)
            else:
                out.append((route, p))

    walk(get_resolver(), "")
    return [(r, p) for r, p in out if not r.startswith(SKIP_PREFIXES)]


def build_path(route: str, values: dict[str, Any]) -> str:
    path = route
    for name, value in values.items():
        for conv in ("int", "str", "slug", "uuid", "path", ""):
            token = f"<{conv}:{name}>" if conv else f"<{name}>"
            path = path.replace(token, str(value))
    return "/" + path.lstrip("^").rstrip("$")


def tenant_rows(company: Any) -> dict[str, set[Any]]:
    """Every primary key company A owns, per model, to fill URL parameters with."""
    rows: dict[str, set[Any]] = {}
    for model in apps.get_models():
        if issubclass(model, CompanyOwned):
            rows[model._meta.label] = set(model.objects.filter(company=company).values_list("pk", flat=True))
    return rows


def snapshot(company: Any) -> dict[str, list[tuple[Any, ...]]]:
    snap = {}
    for model in apps.get_models():
        if issubclass(model, CompanyOwned):
            fields = [f.attname for f in model._meta.concrete_fields]
            snap[model._meta.label] = sorted(model.objects.filter(company=company).values_list(*fields))
    return snap


@pytest.fixture
def two_companies(db: Any) -> dict[str, Any]:
    a = CompanyFactory(legal_name="Carrier A NV")
    b = CompanyFactory(legal_name="Carrier B NV")
    for c in (a, b):
        InvoicingSettingsFactory(company=c, extension_enabled=True)
    made = populate(a)
    user_a = MembershipFactory(company=a, role="admin").user
    user_b = MembershipFactory(company=b, role="admin").user
    client_a, client_b = Client(), Client()
    client_a.force_login(user_a)
    client_b.force_login(user_b)
    return {"a": a, "b": b, "made": made, "client_a": client_a, "client_b": client_b}


def test_it_hides_company_a_rows_from_every_list_page_of_company_b(two_companies: dict[str, Any]) -> None:
    checked = 0
    for route, pattern in web_patterns():
        if pattern.pattern.regex.groups:
            continue
        path = build_path(route, {})
        response = two_companies["client_b"].get(path)
        if response.status_code == 200:
            assert MARKER not in response.content.decode(), f"{path} shows company A's data to company B"
            checked += 1
    assert checked >= 4


def test_it_answers_404_to_company_b_on_every_detail_page_of_company_a(two_companies: dict[str, Any]) -> None:
    ids = sorted({pk for pks in tenant_rows(two_companies["a"]).values() for pk in pks if isinstance(pk, int)})
    uncovered = []
    for route, pattern in web_patterns():
        names = list(pattern.pattern.regex.groupindex)
        if not names:
            continue
        opened_by_owner = 0
        for combo in itertools.islice(itertools.product(ids, repeat=len(names)), 400):
            path = build_path(route, dict(zip(names, combo, strict=True)))
            owner = two_companies["client_a"].get(path)
            if owner.status_code == 405:
                # An action that only takes POST: the test below proves B's POSTs change nothing of A's.
                opened_by_owner += 1
                break
            if owner.status_code != 200:
                continue
            opened_by_owner += 1
            intruder = two_companies["client_b"].get(path)
            assert intruder.status_code in (403, 404), f"{path}: company B got {intruder.status_code}"
            assert MARKER not in intruder.content.decode()
        if not opened_by_owner:
            uncovered.append(route)
    assert not uncovered, (
        f"No object of company A opens these pages, so they are not checked: {uncovered}. "
        "Add a maker for their rows in tests/cross_company.py."
    )


def test_it_lets_company_b_change_nothing_of_company_a_through_any_form(two_companies: dict[str, Any]) -> None:
    before = snapshot(two_companies["a"])
    ids = sorted({pk for pks in tenant_rows(two_companies["a"]).values() for pk in pks if isinstance(pk, int)})
    for route, pattern in web_patterns():
        names = list(pattern.pattern.regex.groupindex)
        combos = itertools.islice(itertools.product(ids, repeat=len(names)), 400) if names else [()]
        for combo in combos:
            path = build_path(route, dict(zip(names, combo, strict=True)))
            response = two_companies["client_b"].post(path, {"confirm": "1", "invoicing_id": "123"})
            assert response.status_code < 500, f"POST {path} crashed"
    assert snapshot(two_companies["a"]) == before
