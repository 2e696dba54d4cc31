"""Delivery's tunables, read from Django settings with defaults (tests and drills override them there)."""

from __future__ import annotations

from django.conf import settings


def concurrency() -> int:
    """Pushes in flight at once per Billit account and process (settings.BILLIT_CONCURRENCY)."""
    return max(1, int(getattr(settings, "BILLIT_CONCURRENCY", 8)))


def lease_seconds() -> float:
    """How long a claimed invoice stays with its worker before another may take it over."""
    return float(getattr(settings, "PUSH_LEASE_SECONDS", 300))


def queue_grace_seconds() -> float:
    """How long an invoice may wait "to push" after being queued before the sweeper queues it again."""
    return float(getattr(settings, "PUSH_QUEUE_GRACE_SECONDS", 120))


def chunk_size() -> int:
    """Invoices per task: several tasks let several workers share one run."""
    return max(1, int(getattr(settings, "PUSH_CHUNK_SIZE", 50)))


def max_attempts() -> int:
    """How many push attempts an invoice gets in all (in-run passes and sweeper retries alike): the failure of the
    last allowed attempt is not retried any more, a person decides (settings.PUSH_MAX_ATTEMPTS)."""
    return max(1, int(getattr(settings, "PUSH_MAX_ATTEMPTS", 8)))


def in_run_passes() -> int:
    """Passes over the still-retryable invoices within one run before leaving them to the sweeper."""
    return max(1, int(getattr(settings, "PUSH_RUN_PASSES", 3)))
