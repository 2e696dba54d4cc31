"""Eight processes finalising at once on PostgreSQL take numbers 1..N, without gap or duplicate."""

from __future__ import annotations

import multiprocessing
import os
import queue

import pytest
from django.db import connection

from haulbill.invoicing import services
from haulbill.invoicing.models import Invoice, InvoiceStatus
from haulbill.invoicing.selection import Selection
from haulbill.transports.models import InvoicingStatus, Transport
from tests.factories import CustomerFactory
from tests.invoicing.concurrency_worker import finalise_in_child
from tests.invoicing.factories import ready_transport

PROCESSES = 8
PER_PROCESS = 3


def _postgres_unavailable() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return "needs PostgreSQL: set DATABASE_URL=postgresql://postgres@127.0.0.1:5432/haulbill"
    try:
        import psycopg

        psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
    except Exception as exc:
        return f"PostgreSQL at {url} is unreachable: {exc}"
    return ""


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(bool(_postgres_unavailable()), reason=_postgres_unavailable() or "PostgreSQL available"),
]


@pytest.mark.django_db(transaction=True)
def test_it_gives_concurrent_finalisations_numbers_without_gap_or_duplicate(company):
    for _ in range(PROCESSES * PER_PROCESS):
        ready_transport(company, CustomerFactory(company=company))
    run = services.start_run(company, Selection())
    ids = list(Invoice.objects.filter(run=run).order_by("pk").values_list("pk", flat=True))
    # Interleave the drafts so every process competes for the sequence on every finalisation.
    chunks = [ids[i::PROCESSES] for i in range(PROCESSES)]
    settings = connection.settings_dict
    url = f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    children = [
        ctx.Process(target=finalise_in_child, args=(url, company.pk, chunk, barrier, results)) for chunk in chunks
    ]
    for child in children:
        child.start()
    outcomes = []
    try:
        for _ in ids:
            outcomes.append(results.get(timeout=120))
    except queue.Empty:
        pytest.fail(f"children reported only {len(outcomes)} of {len(ids)} finalisations")
    finally:
        for child in children:
            child.join(timeout=30)

    errors = [o for o in outcomes if o[0] != "ok"]
    assert errors == []
    values = sorted(o[1] for o in outcomes)
    assert values == list(range(1, len(ids) + 1))
    assert len({o[2] for o in outcomes}) == len(ids)
    assert Invoice.objects.filter(company=company, status=InvoiceStatus.FINALISED).count() == len(ids)
    assert not Transport.objects.filter(company=company, invoicing_status=InvoicingStatus.NOT_INVOICED).exists()
