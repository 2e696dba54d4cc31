"""API tokens: made, checked and revoked here; the settings page and the API both call these functions.

A token is `hb_` + 43 URL-safe characters (256 bits from `secrets`). Only its SHA-256 is stored: a plain hash is
enough for a random token of that size (no dictionary to attack), and it lets a request be authenticated with one
indexed lookup. The token is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from haulbill.core import audit
from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Membership

from .models import ApiToken

TOKEN_PREFIX = "hb_"
# last_used_at is written at most this often, so a busy integration does not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(membership: Membership, name: str) -> tuple[ApiToken, str]:
    """Make a token for `membership`; returns the row and the raw token (the only time it exists in clear)."""
    name = (name or "").strip()
    if not name:
        raise HaulbillError(
            "token_name_required", _("Give the token a name, e.g. the system that will use it."), field="name"
        )
    if len(name) > 100:
        raise HaulbillError("token_name_too_long", _("The token name may have at most 100 characters."), field="name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(membership=membership, name=name, prefix=raw[:8], digest=digest(raw))
    audit.record(membership.company, membership.user, audit.API_TOKEN_CREATED, token, name=name, prefix=token.prefix)
    return token, raw


def tokens_of(membership: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(membership=membership)


def revoke_token(membership: Membership, token_id: int) -> ApiToken:
    """Revoke one of the membership's own tokens; another user's token is 'not found', not 'forbidden'."""
    token = tokens_of(membership).filter(pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise HaulbillError("token_not_found", _("This token does not exist or is already revoked."), status=404)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        membership.company, membership.user, audit.API_TOKEN_REVOKED, token, name=token.name, prefix=token.prefix
    )
    return token


def authenticate(raw: str) -> ApiToken | None:
    """The active token matching `raw`, with its membership, company and user loaded; None otherwise."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("membership__company", "membership__user")
        .filter(digest=digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.membership.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
