"""API tokens (per membership, stored hashed) and the idempotency keys of creating requests."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from haulbill.tenancy.models import Membership


class ApiToken(models.Model):
    """A bearer token bound to one membership (user + company). Only its SHA-256 is stored.

    The token acts with the membership's role at the time of each request, so demoting a user demotes their
    tokens too; deleting the membership deletes its tokens.
    """

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the token (e.g. "hb_3fA9x"), shown in lists so a user can tell tokens apart.
    prefix = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def __repr__(self) -> str:
        return f"<ApiToken {self.pk} {self.prefix}… membership={self.membership_id}>"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """One Idempotency-Key of one membership: the request's hash and, once answered, the response to replay.

    The unique constraint is what makes two concurrent requests with the same key safe: only one inserts the
    row and runs; the other sees the row and is told to retry later (or gets the stored answer).
    """

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)  # None while the first request runs
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "key"], name="idempotency_key_once_per_membership")
        ]

    def __str__(self) -> str:
        return f"idempotency key of membership {self.membership_id}"
