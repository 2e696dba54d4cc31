"""What can go wrong when talking to Billit, as typed exceptions carrying Billit's own codes and the HTTP status.

No exception ever holds the API key: messages are built from Billit's answer with the key redacted, and the
transport error that caused a failure is summarised (type and message) instead of chained.
"""

from __future__ import annotations


class BillitError(Exception):
    """Any failure talking to Billit. `status` is the HTTP status when there was an answer."""

    def __init__(self, message: str, *, status: int | None = None, errors: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors: list[tuple[str, str]] = list(errors or [])

    @property
    def code(self) -> str:
        """Billit's first error code (e.g. `TheCustomerIsNotActiveOnPeppol`), or "" when it gave none."""
        return self.errors[0][0] if self.errors else ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r}, errors={self.errors!r})"


class BillitValidationError(BillitError):
    """400: Billit refused the request; `errors` lists its (Code, Description) pairs."""


class BillitAuthError(BillitError):
    """401: the API key is wrong or revoked, or it has no access to the PartyID (company) sent."""


class BillitNotFound(BillitError):
    """404: no such order, party, product, file or webhook in this company."""


class BillitConflict(BillitError):
    """409 other than an idempotency replay."""


class BillitIdempotencyReplay(BillitError):
    """409 `Idempotent token already exists`: the write with this key already succeeded earlier.

    Methods that take an idempotency key turn this into a result (`already_created=True`); it escapes only from
    calls that cannot give a better answer.
    """


class BillitUnavailable(BillitError):
    """Billit could not be reached or kept failing (connection errors, timeouts, 429, 5xx) until the retry
    budget ran out, or a write without idempotency key failed in a way that cannot be safely retried."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        attempts: int = 1,
        retry_after: float | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message, status=status)
        self.attempts = attempts
        self.retry_after = retry_after
        # True when a write may have been applied by Billit although we got no answer.
        self.outcome_unknown = outcome_unknown


class BillitProtocolError(BillitError):
    """Billit answered something we cannot read (broken JSON, wrong shape, a NextPageLink to another host)."""
