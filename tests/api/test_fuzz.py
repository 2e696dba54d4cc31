"""Schemathesis against the API's OpenAPI document, through the WSGI app: zero server errors allowed.

Each operation gets a bounded number of generated requests (valid and invalid), sent with a bearer token of an
admin, with real ids of the company's own objects in path parameters so requests reach past the 404. The
extension is off, so settings writes stop before they would call Billit over the network. The figures
(operations, examples, failures) are printed, e.g. `pytest tests/api/test_fuzz.py -q -s`.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from haulbill.api import tokens
from haulbill.core.models import Job
from haulbill.invoicing.models import InvoicingSettings
from tests.api.conftest import valid_customer
from tests.factories import MembershipFactory, PriceLineFactory, ProductFactory, TransportFactory


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


def _content_type(response: Any) -> str:
    for name, values in response.headers.items():
        if name.lower() == "content-type":
            return str(values[0] if isinstance(values, list) else values)
    return ""


def fuzz(company: Any, examples_per_operation: int) -> dict[str, Any]:
    InvoicingSettings.objects.filter(company=company).update(extension_enabled=False)
    membership = MembershipFactory(company=company, role="admin")
    _token, raw = tokens.create_token(membership, "fuzzer")
    customer = valid_customer(company, seed=11, reference="FUZZ-C")
    transport = TransportFactory(company=company, customer=customer)
    PriceLineFactory(transport=transport, product=ProductFactory(company=company))
    job = Job.objects.create(company=company, kind="sync-catalog")
    own_ids = {"customer_id": customer.pk, "transport_id": transport.pk, "job_id": job.pk}

    with _same_connection():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    figures: dict[str, Any] = {"operations": 0, "examples": 0, "failures": []}
    headers = {"Authorization": f"Bearer {raw}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        figures["operations"] += 1
        names = {p.name for p in operation.path_parameters}
        fixed = {name: own_ids[name] for name in names if name in own_ids}
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
            if response.status_code >= 500:
                figures["failures"].append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
                )
            elif response.status_code >= 400 and not _content_type(response).startswith("application/json"):
                figures["failures"].append(f"{case.method} {case.formatted_path} -> {response.status_code} not JSON")

        with _same_connection():
            run()
    print(
        f"schemathesis: {figures['operations']} operations, {figures['examples']} examples, "
        f"{len(figures['failures'])} failures"
    )
    return figures


def test_it_survives_fuzzing_of_every_operation_without_a_server_error(company):
    figures = fuzz(company, examples_per_operation=15)
    assert figures["operations"] >= 10
    assert figures["failures"] == []


@pytest.mark.slow
def test_it_survives_a_long_fuzzing_run_without_a_server_error(company):
    figures = fuzz(company, examples_per_operation=200)
    assert figures["failures"] == []
