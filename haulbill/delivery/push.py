"""Pushing finalised invoices and credit notes to the company's provider: exactly once, resumable, concurrent.

Rules kept here:
- The database is the truth. An invoice is "to push", "pushing" (claimed: a lease owner and expiry), "pushed", or
  "failed" with the reason and whether a retry can help. A task only says "look at these invoices"; losing or
  repeating one does no harm.
- A claim is one conditional UPDATE (to push, failed-retryable, or pushing with an expired lease → pushing with a
  new lease), so two workers never push the same invoice at the same time. If a lease did expire under a slow
  worker, the provider's idempotency key and find-by-number still make the second push land on the same order.
  A run claims a few invoices per UPDATE, just ahead of its threads (`ClaimAhead`): same rule, fewer queries.
- A permanent refusal (the provider's 400: unknown customer, invalid data) fails that invoice only, with the
  provider's message; the rest of the run goes on. Transient failures stay retryable, within the run and later by
  the sweeper, until the invoice has had PUSH_MAX_ATTEMPTS attempts: the last one's failure is left to a person.
- Pushes run concurrently, at most BILLIT_CONCURRENCY at once per account in this process. Every 429 pauses all
  of the account's calls for the Retry-After the provider asked for: Billit's client does so itself, before each
  request and for every 429 it hears, retried or not (`AccountThrottle` in the client's retry module); the gate
  here adds the same pause for a provider whose client gives up with a Retry-After.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from haulbill.invoicing.models import Invoice, InvoiceStatus, PushState
from haulbill.providers.base import (
    InvoicingProvider,
    ProviderAuthError,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
    PushResult,
)
from haulbill.tenancy.models import Company

from . import conf
from .workers import db_retry, new_owner, run_pool

log = logging.getLogger(__name__)

PUSHED, FAILED, RETRY, SKIPPED = "pushed", "failed", "retry", "skipped"
ProgressCallback = Callable[[int, int | None], None]


# ---------------------------------------------------------------------------------------------------------------
# Claiming
# ---------------------------------------------------------------------------------------------------------------
def claimable(now: dt.datetime) -> Q:
    return (
        Q(push_state=PushState.TO_PUSH)
        | Q(push_state=PushState.FAILED, push_retryable=True)
        | Q(push_state=PushState.PUSHING, push_lease_until__lt=now)
    )


def claim(company: Company, invoice_id: int, owner: str) -> bool:
    """Take the invoice for `owner` if nobody holds it: one UPDATE ... WHERE, atomic on every database."""
    return _take(company, [invoice_id], owner)[0] == 1


def claim_batch(company: Company, invoice_ids: list[int], owner: str) -> list[Invoice]:
    """Take every invoice of `invoice_ids` that nobody holds (the same UPDATE ... WHERE as `claim`) and load the
    ones this call got, with their customer, in one SELECT: those it took are the rows with its owner and the
    exact lease end it wrote, so an invoice another worker holds, or one pushed meanwhile, is not in the answer."""
    if not invoice_ids:
        return []
    taken, until = _take(company, invoice_ids, owner)
    if not taken:
        return []
    rows = Invoice.objects.for_company(company).filter(
        pk__in=invoice_ids, push_state=PushState.PUSHING, push_lease_owner=owner, push_lease_until=until
    )
    invoices = list(rows.select_related("customer"))
    for invoice in invoices:
        invoice.company = company  # the caller's object: reading invoice.company (the UBL does) costs no query
    return invoices


def _take(company: Company, invoice_ids: list[int], owner: str) -> tuple[int, dt.datetime]:
    now = timezone.now()
    until = now + dt.timedelta(seconds=conf.lease_seconds())

    def update() -> int:
        return (
            Invoice.objects.for_company(company)
            .filter(pk__in=invoice_ids, status=InvoiceStatus.FINALISED)
            .filter(claimable(now))
            .update(
                push_state=PushState.PUSHING,
                push_lease_until=until,
                push_lease_owner=owner,
                push_attempts=F("push_attempts") + 1,
            )
        )

    return db_retry(update), until


def _finish(company: Company, invoice_id: int, owner: str, **fields: Any) -> bool:
    """Write the outcome only while we still hold the lease (a worker that lost it leaves the row alone)."""
    fields.setdefault("push_lease_until", None)
    fields["updated_at"] = timezone.now()
    return (
        db_retry(
            lambda: (
                Invoice.objects.for_company(company)
                .filter(pk=invoice_id, push_state=PushState.PUSHING, push_lease_owner=owner)
                .update(**fields)
            )
        )
        == 1
    )


# ---------------------------------------------------------------------------------------------------------------
# One invoice
# ---------------------------------------------------------------------------------------------------------------
class AccountGate:
    """At most `limit` calls in flight per provider account in this process, and a shared pause after a 429.

    The pause is waited out before a slot is taken, so waiting threads do not hold the slots; nobody sleeps while
    holding the lock, which only guards the deadline.
    """

    _gates: dict[Any, AccountGate] = {}
    _lock = threading.Lock()

    def __init__(self, limit: int) -> None:
        self.slots = threading.BoundedSemaphore(limit)
        self.paused_until = 0.0
        self._pause_lock = threading.Lock()

    @classmethod
    def of(cls, key: Any, limit: int) -> AccountGate:
        with cls._lock:
            gate = cls._gates.get((key, limit))
            if gate is None:
                gate = cls._gates[(key, limit)] = cls(limit)
            return gate

    def pause(self, seconds: float) -> None:
        with self._pause_lock:
            self.paused_until = max(self.paused_until, time.monotonic() + seconds)

    def __enter__(self) -> AccountGate:
        with self._pause_lock:
            wait = self.paused_until - time.monotonic()
        if wait > 0:
            time.sleep(min(wait, 60))
        self.slots.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.slots.release()


def _gate_for(company: Company, provider: InvoicingProvider) -> AccountGate:
    connection = getattr(provider, "connection", None)
    key = (provider.key, getattr(connection, "pk", None) or company.pk)
    return AccountGate.of(key, conf.concurrency())


def push_one(company: Company, invoice_id: int, *, provider: InvoicingProvider | None = None, owner: str = "") -> str:
    """Claim, push and record one invoice; the outcome: pushed, failed (permanent), retry, or skipped (not ours)."""
    owner = owner or new_owner()
    claimed = claim_batch(company, [invoice_id], owner)
    if not claimed:
        return SKIPPED
    return push_claimed(company, claimed[0], provider=provider, owner=owner)


def push_claimed(company: Company, invoice: Invoice, *, provider: InvoicingProvider | None, owner: str) -> str:
    """Push one invoice `owner` has claimed (see `claim_batch`) and record the outcome while the lease holds."""
    from haulbill.providers.registry import provider_for

    invoice_id = invoice.pk
    provider = provider or provider_for(company)
    if provider is None:
        _finish(company, invoice_id, owner, push_state=PushState.FAILED, push_retryable=False,
                push_error=_("No invoicing platform is connected: connect one in Settings › Extensions › Invoicing, "
                             "then retry."))  # fmt: skip
        return FAILED
    gate = _gate_for(company, provider)
    try:
        with gate:
            result = provider.push_invoice(invoice)
    except (ProviderRejected, ProviderAuthError) as exc:
        log.info("push of %s %s refused: %s", invoice.kind, invoice.number, exc.code)
        _finish(company, invoice_id, owner, push_state=PushState.FAILED, push_retryable=False, push_error=exc.message)
        return FAILED
    except ProviderError as exc:
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(exc, ProviderUnavailable) and retry_after:
            gate.pause(float(retry_after))
        # push_attempts already counts this attempt (the claim adds it): with N allowed, the N-th failure is final.
        retryable = invoice.push_attempts < conf.max_attempts()
        _finish(company, invoice_id, owner, push_state=PushState.FAILED, push_retryable=retryable,
                push_error=exc.message)  # fmt: skip
        return RETRY if retryable else FAILED
    except Exception as exc:  # never leave an invoice "pushing" because of a bug: say so and let it be retried
        log.exception("push of invoice %s failed unexpectedly", invoice_id)
        _finish(company, invoice_id, owner, push_state=PushState.FAILED, push_retryable=True,
                push_error=_("Unexpected error while pushing (%(kind)s); it will be retried.")
                % {"kind": type(exc).__name__})  # fmt: skip
        return RETRY
    _record_pushed(company, invoice, result, owner)
    return PUSHED


def _record_pushed(company: Company, invoice: Invoice, result: PushResult, owner: str) -> None:
    theirs = {"excl": result.total_excl, "vat": result.total_vat, "incl": result.total_incl}
    ours = {"excl": invoice.total_excl, "vat": invoice.total_vat, "incl": invoice.total_incl}
    mismatch = any(theirs[k] is not None and theirs[k] != ours[k] for k in theirs)
    fields: dict[str, Any] = {
        "push_state": PushState.PUSHED,
        "push_error": "",
        "push_retryable": True,
        "provider_order_id": result.remote_id,
        "provider_number": result.number,
        "provider_totals": {k: None if v is None else str(v) for k, v in theirs.items()},
        "totals_mismatch": mismatch,
    }
    if result.pdf:
        fields.update(pdf=result.pdf, pdf_rendered_at=timezone.now())
    if mismatch:
        log.warning("totals of %s %s differ in the provider: %s vs ours %s", invoice.kind, invoice.number, theirs, ours)
    _finish(company, invoice.pk, owner, **fields)


# ---------------------------------------------------------------------------------------------------------------
# Many invoices (a run, a chunk of a run, a retry)
# ---------------------------------------------------------------------------------------------------------------
@dataclass
class Summary:
    pushed: int = 0
    failed: int = 0
    retry: int = 0
    skipped: int = 0
    sent: int = 0
    send_failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (number, reason)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pushed": self.pushed,
            "failed": self.failed,
            "retry": self.retry,
            "skipped": self.skipped,
            "sent": self.sent,
            "send_failed": self.send_failed,
        }


class ClaimAhead:
    """Claims the invoices of a pass a batch at a time, just ahead of the threads that push them.

    One UPDATE and one SELECT per batch instead of two queries per invoice: those queries were a third of the
    pushing process's CPU, and its threads queue for the GIL (and SQLite for its write lock) while they run. Each
    invoice is still taken by `claim_batch`'s conditional UPDATE, so no two workers hold the same one; a batch is
    no bigger than the number of threads, so a claimed invoice waits for one at most one push long.
    """

    def __init__(self, company: Company, invoice_ids: list[int], owner: str, *, batch: int) -> None:
        self.company, self.owner, self.batch = company, owner, max(1, batch)
        self._order = invoice_ids
        self._position = {pk: index for index, pk in enumerate(invoice_ids)}
        self._asked: set[int] = set()
        self._ready: dict[int, Invoice] = {}
        self._lock = threading.Lock()

    def take(self, invoice_id: int) -> Invoice | None:
        """The claimed invoice, or None when another worker holds it or it needs no push any more."""
        with self._lock:
            if invoice_id not in self._asked:
                start = self._position[invoice_id]
                batch = [pk for pk in self._order[start : start + self.batch] if pk not in self._asked]
                self._asked.update(batch)
                self._ready.update((i.pk, i) for i in claim_batch(self.company, batch, self.owner))
            return self._ready.pop(invoice_id, None)


def push_many(
    company: Company,
    invoice_ids: Iterable[int],
    *,
    concurrency: int | None = None,
    progress: ProgressCallback | None = None,
    passes: int | None = None,
) -> Summary:
    """Push these invoices with bounded concurrency; retryable failures get further passes within the call.

    Invoices asked to be sent (send_state "to_send") are sent right after their push.
    """
    from haulbill.providers.registry import provider_for

    from . import sending

    ids = list(dict.fromkeys(invoice_ids))
    provider = provider_for(company)
    owner = new_owner()
    workers = concurrency or conf.concurrency()
    total = len(ids)
    done = 0
    outcomes: dict[int, str] = {}
    summary = Summary()
    claims: ClaimAhead

    def one(invoice_id: int) -> str:
        invoice = claims.take(invoice_id)
        if invoice is None:
            return SKIPPED
        outcome = push_claimed(company, invoice, provider=provider, owner=owner)
        # Asked to send after the claim? The sweeper sends pushed invoices left "to send"; no query per invoice here.
        if outcome == PUSHED and invoice.send_state in (sending.TO_SEND, sending.SENDING):
            sending.send_if_asked(company, invoice_id, provider=provider, owner=owner)
        return outcome

    def record(invoice_id: int, outcome: str) -> None:
        nonlocal done
        previous = outcomes.get(invoice_id)
        outcomes[invoice_id] = outcome
        if previous != RETRY:
            done += 1
            if progress:
                progress(done, total)

    todo = ids
    for attempt in range(passes or conf.in_run_passes()):
        if attempt:
            todo = [i for i in todo if outcomes.get(i) == RETRY]
            if not todo:
                break
            time.sleep(min(0.2 * attempt, 2.0))
        claims = ClaimAhead(company, todo, owner, batch=workers)
        run_pool(one, todo, workers, record)
    for outcome in outcomes.values():
        setattr(summary, outcome, getattr(summary, outcome) + 1)
    summary.failures = failures_of(company, [i for i, o in outcomes.items() if o in (FAILED, RETRY)])
    return summary


def failures_of(company: Company, invoice_ids: list[int]) -> list[tuple[str, str]]:
    rows = Invoice.objects.for_company(company).filter(pk__in=invoice_ids, push_state=PushState.FAILED)
    return list(rows.order_by("sequence_value", "id").values_list("number", "push_error"))


def pending_of_run(company: Company, run_id: int) -> QuerySet[Invoice]:
    return Invoice.objects.for_company(company).filter(run_id=run_id, status=InvoiceStatus.FINALISED)


def push_run(company: Company, run_id: int, *, progress: ProgressCallback | None = None, **options: Any) -> Summary:
    """Push every finalised document of the run that is not pushed yet (resumable: pushed ones are skipped)."""
    ids = list(
        pending_of_run(company, run_id).exclude(push_state=PushState.PUSHED).order_by("id").values_list("id", flat=True)
    )
    return push_many(company, ids, progress=progress, **options)


# ---------------------------------------------------------------------------------------------------------------
# Scheduling (the task only nudges) and retrying
# ---------------------------------------------------------------------------------------------------------------
def schedule(company: Company, invoice_ids: Iterable[int], *, send: bool = False) -> int:
    """Queue background pushes in chunks, so several workers share a run. Returns the number of tasks queued."""
    from . import tasks

    ids = list(dict.fromkeys(invoice_ids))
    if not ids:
        return 0
    now = timezone.now()
    qs = Invoice.objects.for_company(company).filter(pk__in=ids)
    if send:
        qs.exclude(send_state="sent").update(send_state="to_send", send_error="")
    qs.update(push_queued_at=now)
    size = conf.chunk_size()
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    for chunk in chunks:
        tasks.push_invoices_task(company.pk, chunk)
    return len(chunks)


def schedule_run(company: Company, run_id: int, *, send: bool = False) -> int:
    ids = (
        pending_of_run(company, run_id).exclude(push_state=PushState.PUSHED).order_by("id").values_list("id", flat=True)
    )
    return schedule(company, list(ids), send=send)


def retry(company: Company, invoice_ids: Iterable[int] | None = None, *, run_id: int | None = None) -> list[int]:
    """Make failed invoices "to push" again (one, a run's, or all of the company's) and queue them."""
    qs = Invoice.objects.for_company(company).filter(status=InvoiceStatus.FINALISED, push_state=PushState.FAILED)
    if invoice_ids is not None:
        qs = qs.filter(pk__in=list(invoice_ids))
    if run_id is not None:
        qs = qs.filter(run_id=run_id)
    ids = list(qs.values_list("id", flat=True))
    if ids:
        Invoice.objects.for_company(company).filter(pk__in=ids, push_state=PushState.FAILED).update(
            push_state=PushState.TO_PUSH, push_retryable=True, push_attempts=0, updated_at=timezone.now()
        )
        schedule(company, ids)
    return ids


def counts(company: Company, *, run_id: int | None = None) -> dict[str, int]:
    """What a progress display shows: to push (waiting or in flight), pushed, failed; and the sending outcome."""
    qs = Invoice.objects.for_company(company).filter(status=InvoiceStatus.FINALISED)
    if run_id is not None:
        qs = qs.filter(run_id=run_id)
    result = {"to_push": 0, "pushing": 0, "pushed": 0, "failed": 0, "sent": 0, "send_failed": 0, "mismatch": 0}
    for state, number in qs.values_list("push_state").annotate(n=_count()).values_list("push_state", "n"):
        if state == PushState.TO_PUSH:
            result["to_push"] += number
        elif state == PushState.PUSHING:
            result["pushing"] += number
        elif state in (PushState.PUSHED, PushState.FAILED):
            result[state] += number
    result["sent"] = qs.filter(send_state="sent").count()
    result["send_failed"] = qs.filter(send_state="failed").count()
    result["mismatch"] = qs.filter(totals_mismatch=True).count()
    result["total"] = result["to_push"] + result["pushing"] + result["pushed"] + result["failed"]
    result["waiting"] = result["to_push"] + result["pushing"]
    return result


def _count() -> Any:
    from django.db.models import Count

    return Count("id")
