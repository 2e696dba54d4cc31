"""A 429 pauses the whole Billit account, not just the call that heard it (#6).

Pushes run 8 at a time against the sandbox over HTTP; the sandbox's journal says when it answered each request, so
the tests can see that after a 429 nobody of the account knocked again before the Retry-After was over.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from haulbill.delivery import push
from haulbill.providers.billit.retry import AccountThrottle, account_throttle
from tests.delivery.conftest import PEPPOL_VAT, BillitSetup, finalised_invoices

RETRY_AFTER = 1.0
LATENCY_MS = 50  # long enough that the other threads would still be busy during a pause they ignored
IN_FLIGHT = LATENCY_MS / 1000 + 0.15  # requests already sent when the 429 was answered are answered within this
TOLERANCE = 0.05


def _answered(journal: list[dict[str, Any]]) -> list[tuple[float, str]]:
    """(when answered, status) of each /v1 request; an injected fault (a 429 among them) journals its kind."""
    return sorted(
        (entry["at"], entry["fault"]["kind"] if entry["fault"] else str(entry["status"]))
        for entry in journal
        if entry["path"].startswith("/v1/")
    )


def _knocks_during_pauses(journal: list[dict[str, Any]]) -> list[float]:
    """Requests answered after a 429 had been answered and before its Retry-After was over, as seconds after that
    429; requests already in flight when the 429 was answered are allowed."""
    answered = _answered(journal)
    early = []
    for throttled_at, status in answered:
        if status != "429":
            continue
        for at, _ in answered:
            if throttled_at + IN_FLIGHT < at < throttled_at + RETRY_AFTER - TOLERANCE:
                early.append(round(at - throttled_at, 3))
    return early


@pytest.mark.django_db(transaction=True)  # the pushing threads must see the invoices
def test_a_429_pauses_every_push_of_the_account_for_the_retry_after(billit: BillitSetup) -> None:
    invoices = finalised_invoices(billit.company, billit.customers[PEPPOL_VAT], 30)
    billit.sandbox.set_faults(latency_ms=LATENCY_MS)
    billit.sandbox.fail_next("429", method="POST", path="/v1/orders", retry_after=int(RETRY_AFTER))

    summary = push.push_many(billit.company, [i.pk for i in invoices], concurrency=8)

    journal = billit.sandbox.requests()
    assert [status for _, status in _answered(journal)].count("429") == 1
    assert _knocks_during_pauses(journal) == []
    answered = _answered(journal)
    throttled_at = next(at for at, status in answered if status == "429")
    resumed = [at - throttled_at for at, _ in answered if at > throttled_at + IN_FLIGHT]
    assert resumed and min(resumed) >= RETRY_AFTER - TOLERANCE  # the run went on once the pause was over
    assert summary.pushed == 30
    assert Counter(o["OrderNumber"] for o in billit.orders()) == {i.number: 1 for i in invoices}


@pytest.mark.django_db(transaction=True)
def test_under_a_rate_limit_the_account_waits_instead_of_collecting_429s(billit: BillitSetup) -> None:
    invoices = finalised_invoices(billit.company, billit.customers[PEPPOL_VAT], 30)
    billit.sandbox.set_faults(rate_limit_per_s=20, retry_after=int(RETRY_AFTER), latency_ms=LATENCY_MS)

    summary = push.push_many(billit.company, [i.pk for i in invoices], concurrency=8)

    journal = billit.sandbox.requests()
    throttled = [at for at, status in _answered(journal) if status == "429"]
    bursts: list[list[float]] = []
    for at in throttled:
        if bursts and at - bursts[-1][0] <= IN_FLIGHT:
            bursts[-1].append(at)
        else:
            bursts.append([at])
    # Only requests already in flight when the sandbox ran dry hear 429 (at most the 8 threads, once per pause);
    # nobody knocks during a pause. Measured: 12-15 429s in 3 bursts and no knock; pausing only the thread that
    # heard the 429 (before #6) drew 22 and about 200 requests inside someone's pause.
    assert _knocks_during_pauses(journal) == []
    assert throttled and all(len(burst) <= 8 for burst in bursts) and len(throttled) <= 24, bursts
    assert summary.pushed == 30
    assert Counter(o["OrderNumber"] for o in billit.orders()) == {i.number: 1 for i in invoices}


def test_two_accounts_do_not_wait_for_each_other() -> None:
    now = [100.0]
    first, second = AccountThrottle(clock=lambda: now[0]), AccountThrottle(clock=lambda: now[0])

    first.pause(2.0)

    assert first.pending() == (2.0, 102.0)
    assert second.pending() == (0.0, 0.0)
    now[0] = 102.5
    assert first.pending() == (0.0, 102.0)


def test_the_process_keeps_one_throttle_per_account() -> None:
    url = "http://billit.test"
    one = account_throttle(url, 1, "key-one")

    assert account_throttle(url + "/", 1, "key-one") is one
    assert account_throttle(url, 2, "key-one") is not one  # another company of the same key
    assert account_throttle(url, 1, "key-two") is not one  # another key
    assert account_throttle("http://other.test", 1, "key-one") is not one


def test_a_caller_waits_again_only_when_the_pause_was_moved_later() -> None:
    now = [0.0]
    throttle = AccountThrottle(clock=lambda: now[0])
    throttle.pause(1.0)

    left, covered = throttle.pending()
    assert (left, covered) == (1.0, 1.0)
    assert throttle.pending(covered) == (0.0, 1.0)  # waited out (even by a sleep that did not move the clock)
    now[0] = 0.5
    throttle.pause(0.2)  # a shorter pause does not shorten the one in force
    assert throttle.pending(covered) == (0.0, 1.0)
    throttle.pause(1.0)
    assert throttle.pending(covered) == (1.0, 1.5)
