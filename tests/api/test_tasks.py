"""The periodic purge of idempotency keys: expired ones go, fresh ones (still replayable) stay."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from haulbill.api.idempotency import TTL
from haulbill.api.models import IdempotencyRecord
from haulbill.api.tasks import purge_idempotency_keys_task


def test_it_purges_expired_idempotency_keys_and_keeps_fresh_ones(admin_membership):
    old = IdempotencyRecord.objects.create(membership=admin_membership, key="old", request_hash="a", status_code=201)
    fresh = IdempotencyRecord.objects.create(membership=admin_membership, key="fresh", request_hash="b")
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - TTL - timedelta(minutes=1))
    IdempotencyRecord.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - TTL + timedelta(minutes=5))

    assert purge_idempotency_keys_task.call_local() == 1

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_the_consumer_runs_the_purge_once_an_hour():
    from huey.contrib.djhuey import HUEY

    def due(minute: int) -> set[str]:
        return {task.name for task in HUEY.read_periodic(datetime(2026, 11, 24, 10, minute))}

    assert "purge_idempotency_keys_task" in due(17)
    assert "purge_idempotency_keys_task" not in due(18)
