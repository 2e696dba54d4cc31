"""Schemathesis against the API's OpenAPI document, through the WSGI app: zero server errors allowed.

The company is the one a real integration would meet: the invoicing extension on, connected to the Billit
sandbox over real HTTP (catalog synchronised, customers linked), with transports waiting, a drafted run, a
finalised and pushed invoice and a credit note. Each operation gets a bounded number of generated requests
(valid and invalid), sent with an admin's bearer token and real ids of the company's objects in the path, so
requests reach the services and Billit instead of stopping at a 404 or a 409. Besides server errors, every
answer must be documented (status code, content type and, for JSON, its schema). Billit's production and
sandbox addresses point at the local sandbox, so a fuzzed connection never leaves the machine.

The figures (operations, examples, failures) are printed, e.g. `pytest tests/api/test_fuzz.py -q -s`.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from haulbill.api import tokens
from haulbill.core.models import Job
from haulbill.invoicing import services as invoicing
from haulbill.invoicing.models import Invoice
from haulbill.invoicing.selection import Selection
from haulbill.providers import models as connections
from tests.api.conftest import Connected, ready_transport
from tests.factories import MembershipFactory

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@contextmanager
def _same_connection() -> Any:
    """Keep the test's database connection across WSGI requests (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def seed(setup: Connected) -> dict[str, int]:
    """Objects in every state an endpoint can meet; their ids go into the path parameters."""
    company = setup.company
    for _n in range(3):
        ready_transport(setup)
    invoiced_run, _summary = invoicing.invoice_run(company, Selection(), finalise=True)
    invoice = Invoice.objects.for_company(company).filter(run=invoiced_run).first()
    assert invoice is not None and invoice.number
    invoicing.credit(company, invoice.pk, quantities={invoice.lines.first().pk: 1})  # type: ignore[union-attr]
    waiting = ready_transport(setup, setup.customers["BE0812312345"])
    drafted = invoicing.start_run(company, Selection())
    job = Job.objects.create(company=company, kind="sync-catalog")
    return {
        "customer_id": setup.customer.pk,
        "transport_id": waiting.pk,
        "job_id": job.pk,
        "invoice_id": invoice.pk,
        "run_id": drafted.pk,
    }


def fuzz(setup: Connected, examples_per_operation: int) -> dict[str, Any]:
    own_ids = seed(setup)
    membership = MembershipFactory(company=setup.company, role="admin")
    _token, raw = tokens.create_token(membership, "fuzzer")

    with _same_connection():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    figures: dict[str, Any] = {"operations": 0, "examples": 0, "failures": [], "statuses": Counter()}
    headers = {"Authorization": f"Bearer {raw}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        figures["operations"] += 1
        names = {p.name for p in operation.path_parameters}
        missing = names - own_ids.keys()
        assert not missing, f"{operation.label}: teach seed() an id for {missing}"
        fixed = {name: own_ids[name] for name in names}
        strategy = st.one_of(
            operation.as_strategy(headers=headers, path_parameters=fixed or None),
            operation.as_strategy(
                headers=headers, generation_mode=schemathesis.GenerationMode.NEGATIVE, path_parameters=fixed or None
            ),
        )

        @settings(
            max_examples=examples_per_operation,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            figures["examples"] += 1
            response = case.call()
            figures["statuses"][response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as failure:  # names each check that failed
                figures["failures"].append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: "
                    f"{str(failure)[:400]} | {response.text[:200]}"
                )

        with _same_connection():
            run()
    print(
        f"\nschemathesis: {figures['operations']} operations, {figures['examples']} examples, "
        f"{len(figures['failures'])} failures; statuses {dict(sorted(figures['statuses'].items()))}"
    )
    for failure in figures["failures"][:20]:
        print(failure)
    return figures


@pytest.fixture
def fuzz_target(connected: Connected, settings: Any, monkeypatch: pytest.MonkeyPatch, today: Any) -> Connected:
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000  # the fuzzer is one token; the limit has its own tests
    for environment in (connections.Environment.PRODUCTION, connections.Environment.SANDBOX):
        monkeypatch.setitem(connections.ENVIRONMENT_URLS, environment, connected.sandbox.base_url)
    return connected


def test_it_survives_fuzzing_of_every_operation_without_a_server_error(fuzz_target):
    figures = fuzz(fuzz_target, examples_per_operation=12)
    assert figures["operations"] >= 33
    assert figures["failures"] == []


@pytest.mark.slow
def test_it_survives_a_long_fuzzing_run_without_a_server_error(fuzz_target):
    figures = fuzz(fuzz_target, examples_per_operation=150)
    assert figures["failures"] == []
