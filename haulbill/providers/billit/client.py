"""An HTTP client for Billit's REST API (api.billit.be), faithful to its wire format.

One `BillitClient` per (API key, company). It speaks Billit's PascalCase JSON through the models in `models.py`,
turns Billit's answers into typed errors (`errors.py`), retries what is safe to retry (`retry.py`), and never lets
the API key reach a log line, an exception, a repr or a traceback: the key lives only inside an httpx auth hook.

Every 429 pauses the account (`retry.AccountThrottle`) and every request waits for that pause before it is sent.
Clients of the same account share one throttle when built with `shared_throttle=True` (the app's clients are), so
the push threads and a catalog sync of that account slow down together.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

import haulbill
from haulbill.providers.billit import wire
from haulbill.providers.billit.errors import (
    BillitAuthError,
    BillitConflict,
    BillitError,
    BillitIdempotencyReplay,
    BillitNotFound,
    BillitProtocolError,
    BillitUnavailable,
    BillitValidationError,
)
from haulbill.providers.billit.models import (
    PATCHABLE_ORDER_FIELDS,
    PATCHABLE_PARTY_FIELDS,
    AccountInformation,
    BillitFile,
    BillitModel,
    Order,
    OrderCreated,
    ParticipantInformation,
    Party,
    Product,
    Webhook,
    WriteOutcome,
)
from haulbill.providers.billit.retry import AccountThrottle, RetryPolicy, account_throttle, parse_retry_after

log = logging.getLogger("haulbill.providers.billit")

PRODUCTION_URL = "https://api.billit.be"
SANDBOX_URL = "https://api.sandbox.billit.be"
USER_AGENT = f"Haulbill/{haulbill.__version__} (billit-client; httpx/{httpx.__version__})"
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAY_CODE = "Idempotent token already exists"
MAX_PAGES = 10_000
_RETRY_STATUSES = {429, 500, 502, 503, 504}

M = TypeVar("M", bound=BillitModel)
TransportType = Literal["Peppol", "SMTP"]
SequenceType = Literal["Income-Invoice", "Income-CreditNote"]


@dataclass(frozen=True)
class Timeouts:
    connect: float = 5.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 10.0

    def as_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


DEFAULT_TIMEOUTS = Timeouts()
DEFAULT_RETRY = RetryPolicy()


class _ApiKeyAuth(httpx.Auth):
    """Adds `ApiKey` (and `PartyID`) to each request. The only object that holds the key; its repr hides it."""

    def __init__(self, api_key: str, party_id: int | None) -> None:
        self._key = api_key
        self._party_id = party_id

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["ApiKey"] = self._key
        if self._party_id is not None:
            request.headers["PartyID"] = str(self._party_id)
        yield request

    def redact(self, text: str) -> str:
        # httpx may quote a refused header value as escaped bytes (b'\xc2\x80...'): hide that form too.
        escaped = repr(self._key.encode())[2:-1] if self._key else ""
        return text.replace(self._key, "***").replace(escaped, "***") if self._key else text

    def __repr__(self) -> str:
        return "<ApiKeyAuth ***>"


def idempotency_key_for(*parts: object) -> str:
    """A stable key for one business action (e.g. `("invoice", company_id, invoice_id, attempt)`).

    Billit asks for an alphanumeric key; a SHA-256 hex digest of the parts is exactly that, and the same action
    always gets the same key, so a retry after a crash cannot create a second document.
    """
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:40]


class BillitClient:
    """Synchronous Billit client. Thread-safe: one instance may serve a thread pool (see `bulk.run_bounded`)."""

    def __init__(
        self,
        api_key: str,
        party_id: int | None = None,
        *,
        base_url: str = PRODUCTION_URL,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        retry: RetryPolicy = DEFAULT_RETRY,
        max_connections: int = 10,
        sleep: Callable[[float], None] = time.sleep,
        random_value: Callable[[], float] = random.random,
        transport: httpx.BaseTransport | None = None,
        throttle: AccountThrottle | None = None,
        shared_throttle: bool = False,
    ) -> None:
        """`throttle`: the account's pause after a 429. Given, it is used; else with `shared_throttle=True` the
        process's throttle of (base URL, company, key), which every client of that account shares; else one of
        this client's own (its threads still share it)."""
        if not api_key or not api_key.strip():
            raise ValueError("A Billit API key is required (My Billit → Profile → Users & API key).")
        self.base_url = base_url.rstrip("/")
        self.party_id = party_id
        self.retry = retry
        if throttle is None:
            throttle = account_throttle(self.base_url, party_id, api_key) if shared_throttle else AccountThrottle()
        self.throttle = throttle
        self._sleep = sleep
        self._random = random_value
        self._auth = _ApiKeyAuth(api_key.strip(), party_id)
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeouts.as_httpx(),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"BillitClient(base_url={self.base_url!r}, party_id={self.party_id!r})"

    def __enter__(self) -> BillitClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # account --------------------------------------------------------------------------------------------------
    def account_information(self) -> AccountInformation:
        """Checks the key and lists the companies (PartyIDs) it may act for."""
        return AccountInformation.from_wire(self._get_json("/v1/account/accountInformation"))

    def next_number(self, sequence_type: SequenceType = "Income-Invoice", *, consume: bool = False) -> str:
        """Billit's next invoice/credit-note number; `consume=True` reserves it (then send it as OrderNumber).

        Consuming is a write without idempotency: it is never retried, so a lost answer loses one number (a gap),
        never gives the same number twice.
        """
        body = {"SequenceType": sequence_type, "Consume": consume}
        value = self._call("POST", "/v1/account/sequences", json_body=body, retryable=not consume).data
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise BillitProtocolError("Billit answered the sequence request without a number.")
        return value

    # parties --------------------------------------------------------------------------------------------------
    def iter_parties(
        self,
        *,
        filter: str | None = None,  # noqa: A002 - OData's own word
        search: str | None = None,
        orderby: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[Party]:
        yield from self._iter_pages("/v1/parties", Party, filter, search, orderby, page_size)

    def list_parties(self, **query: Any) -> list[Party]:
        return list(self.iter_parties(**query))

    def get_party(self, party_id: int) -> Party:
        return Party.from_wire(self._get_json(f"/v1/parties/{int(party_id)}"))

    def create_party(self, party: Party, *, idempotency_key: str | None = None) -> int:
        """Create a party, or update it when `party.party_id` is set. Billit may also match an existing party
        on VAT number, e-mail or customer Nr and answer its id."""
        result = self._call("POST", "/v1/parties", json_body=party.to_wire(), idempotency_key=idempotency_key)
        return self._id(result.data, "party")

    def patch_party(self, party_id: int, *, idempotency_key: str | None = None, **changes: Any) -> WriteOutcome:
        """Change only Billit's patchable party fields, named in snake_case (`email=`, `vat_number=`…).
        Retried on transient failures only with an idempotency key, like every write."""
        refused = sorted(set(changes) - PATCHABLE_PARTY_FIELDS)
        if refused or not changes:
            raise ValueError(
                f"Billit cannot patch {', '.join(refused) or 'nothing'} on a party; "
                f"patchable: {', '.join(sorted(PATCHABLE_PARTY_FIELDS))}."
            )
        body = Party(**changes).model_dump(by_alias=True, exclude_unset=True, mode="python")
        return self._keyed_write("PATCH", f"/v1/parties/{int(party_id)}", body, idempotency_key)

    # products -------------------------------------------------------------------------------------------------
    def iter_products(
        self,
        *,
        filter: str | None = None,  # noqa: A002
        search: str | None = None,
        orderby: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[Product]:
        yield from self._iter_pages("/v1/products", Product, filter, search, orderby, page_size)

    def list_products(self, **query: Any) -> list[Product]:
        return list(self.iter_products(**query))

    def get_product(self, product_id: int) -> Product:
        return Product.from_wire(self._get_json(f"/v1/products/{int(product_id)}"))

    # orders ---------------------------------------------------------------------------------------------------
    def create_order(self, order: Order, *, idempotency_key: str | None) -> OrderCreated:
        """POST /v1/orders. With a key the call is retried on transient failures, and a replay of a key that
        already succeeded returns `OrderCreated(order_id=None, already_created=True)` instead of failing.
        Pass `idempotency_key=None` deliberately to send without key (then nothing is retried)."""
        if idempotency_key is not None:
            _check_key(idempotency_key)
        try:
            result = self._call("POST", "/v1/orders", json_body=order.to_wire(), idempotency_key=idempotency_key)
        except BillitIdempotencyReplay:
            log.info("Billit already created the order for this idempotency key; not created twice")
            return OrderCreated(order_id=None, already_created=True, idempotency_key=idempotency_key)
        return OrderCreated(
            order_id=self._id(result.data, "order"), already_created=result.replayed, idempotency_key=idempotency_key
        )

    def create_invoice(self, order: Order, *, idempotency_key: str | None) -> OrderCreated:
        order = order.model_copy(update={"order_type": "Invoice", "order_direction": order.order_direction or "Income"})
        return self.create_order(order, idempotency_key=idempotency_key)

    def create_credit_note(self, order: Order, *, idempotency_key: str | None) -> OrderCreated:
        """Credit notes carry positive amounts (Billit's docs); `about_invoice_number` links the invoice."""
        update = {"order_type": "CreditNote", "order_direction": order.order_direction or "Income"}
        return self.create_order(order.model_copy(update=update), idempotency_key=idempotency_key)

    def get_order(self, order_id: int) -> Order:
        return Order.from_wire(self._get_json(f"/v1/orders/{int(order_id)}"))

    def iter_orders(
        self,
        *,
        order_number: str | None = None,
        order_type: str | None = None,
        order_direction: str | None = None,
        modified_since: date | datetime | None = None,
        filter: str | None = None,  # noqa: A002
        search: str | None = None,
        orderby: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[Order]:
        """Orders of the company, every page. `modified_since` filters `LastModified gt <moment>` for sync."""
        clauses = [f"({filter})"] if filter else []
        if order_number is not None:
            clauses.append(f"OrderNumber eq {wire.odata_literal(order_number)}")
        if order_type is not None:
            clauses.append(f"OrderType eq {wire.odata_literal(order_type)}")
        if order_direction is not None:
            clauses.append(f"OrderDirection eq {wire.odata_literal(order_direction)}")
        if modified_since is not None:
            clauses.append(f"LastModified gt {wire.odata_literal(modified_since)}")
        combined = " and ".join(clauses) or None
        yield from self._iter_pages("/v1/orders", Order, combined, search, orderby, page_size)

    def list_orders(self, **query: Any) -> list[Order]:
        return list(self.iter_orders(**query))

    def find_order(self, order_number: str, order_type: str = "Invoice") -> Order | None:
        """The order with this number, e.g. to learn the id after `OrderCreated.already_created`."""
        found = self.list_orders(order_number=order_number, order_type=order_type, order_direction="Income")
        return found[0] if found else None

    def patch_order(self, order_id: int, *, idempotency_key: str | None = None, **changes: Any) -> WriteOutcome:
        """Change Billit's patchable order fields only: paid, paid_date, is_sent, invoiced, internal_info,
        approval_status, account_code, accountant_verification_needed. Retried only with an idempotency key."""
        refused = sorted(set(changes) - PATCHABLE_ORDER_FIELDS)
        if refused or not changes:
            raise ValueError(
                f"Billit cannot patch {', '.join(refused) or 'nothing'} on an order; "
                f"patchable: {', '.join(sorted(PATCHABLE_ORDER_FIELDS))}."
            )
        names = {"approval_status": "ApprovalStatus", "account_code": "AccountCode",
                 "accountant_verification_needed": "AccountantVerificationNeeded"}  # fmt: skip
        body: dict[str, Any] = {}
        for name, value in changes.items():
            alias = names.get(name) or Order.model_fields[name].serialization_alias or name
            body[alias] = value
        return self._keyed_write("PATCH", f"/v1/orders/{int(order_id)}", body, idempotency_key)

    def mark_paid(self, order_id: int, paid_date: date, *, idempotency_key: str | None = None) -> WriteOutcome:
        return self.patch_order(order_id, paid=True, paid_date=paid_date, idempotency_key=idempotency_key)

    def add_payment(
        self,
        order_id: int,
        amount: Decimal,
        paid_on: date,
        description: str = "",
        *,
        idempotency_key: str | None,
    ) -> WriteOutcome:
        """Record a (partial) payment; Billit lowers ToPay and sets Paid when settled."""
        if not isinstance(amount, Decimal):
            raise TypeError("amount must be a Decimal")
        body = {"Amount": amount, "Description": description, "Date": paid_on}
        return self._keyed_write("POST", f"/v1/orders/{int(order_id)}/payments", body, idempotency_key)

    def send_orders(
        self,
        order_ids: Sequence[int],
        transport_type: TransportType,
        *,
        strict: bool = True,
        idempotency_key: str | None,
    ) -> WriteOutcome:
        """Send orders by Peppol or e-mail (SMTP). `strict=True` sends `StrictTransportType: true`: Billit must not
        fall back to another channel, and answers 400 (e.g. `TheCustomerIsNotActiveOnPeppol`) instead."""
        body = {"OrderIds": [int(i) for i in order_ids], "TransportType": transport_type}
        headers = {"StrictTransportType": "true"} if strict else {}
        return self._keyed_write("POST", "/v1/orders/commands/send", body, idempotency_key, headers)

    def delete_order(self, order_id: int) -> bool:
        """Only possible while the order is not sent. Never retried: a lost answer surfaces as BillitUnavailable."""
        return bool(self._call("DELETE", f"/v1/orders/{int(order_id)}").data)

    # files ----------------------------------------------------------------------------------------------------
    def get_file(self, file_id: str) -> BillitFile:
        return BillitFile.from_wire(self._get_json(f"/v1/files/{file_id}"))

    def download_order_pdf(self, order_id: int) -> bytes:
        """The PDF Billit made for the order (Order.OrderPDF.FileID → /v1/files/{id}, base64 in JSON)."""
        order = self.get_order(order_id)
        if order.order_pdf is None or not order.order_pdf.file_id:
            raise BillitNotFound(f"Order {order_id} has no PDF in Billit yet.", status=None)
        return self.get_file(order.order_pdf.file_id).content()

    # peppol ---------------------------------------------------------------------------------------------------
    def participant_information(self, vat_or_cbe: str) -> ParticipantInformation:
        """Whether a company can receive on Peppol. Billit needs no key here, so none is sent."""
        identifier = "".join(ch for ch in vat_or_cbe if ch.isalnum() or ch == ":")
        data = self._call("GET", f"/v1/peppol/participantInformation/{identifier}", authenticate=False).data
        return ParticipantInformation.from_wire(data)

    # webhooks -------------------------------------------------------------------------------------------------
    def list_webhooks(self) -> list[Webhook]:
        data = self._get_json("/v1/webhooks")
        if not isinstance(data, list):
            raise BillitProtocolError("Billit answered the webhook list with something other than a list.")
        return [Webhook.from_wire(item) for item in data]

    def create_webhook(
        self, entity_type: Literal["Order", "Message"], url: str, update_type: Literal["I", "U", "D"] | None = None
    ) -> Webhook:
        """Register a webhook; the answer carries the signing `secret` (a SecretStr: store it encrypted)."""
        body: dict[str, Any] = {"EntityType": entity_type, "WebhookURL": url}
        if update_type:
            body["EntityUpdateType"] = update_type
        return Webhook.from_wire(self._call("POST", "/v1/webhooks", json_body=body).data)

    def delete_webhook(self, webhook_id: int) -> bool:
        return bool(self._call("DELETE", f"/v1/webhooks/{int(webhook_id)}").data)

    # plumbing -------------------------------------------------------------------------------------------------
    def _get_json(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self._call("GET", path, params=params).data

    def _keyed_write(
        self,
        method: str,
        path: str,
        body: dict[str, Any],
        idempotency_key: str | None,
        headers: dict[str, str] | None = None,
    ) -> WriteOutcome:
        if idempotency_key is not None:
            _check_key(idempotency_key)
        try:
            result = self._call(method, path, json_body=body, idempotency_key=idempotency_key, headers=headers)
        except BillitIdempotencyReplay:
            return WriteOutcome(already_done=True, idempotency_key=idempotency_key)
        return WriteOutcome(already_done=result.replayed, idempotency_key=idempotency_key)

    def _iter_pages(
        self,
        path: str,
        model: type[M],
        filter_: str | None,
        search: str | None,
        orderby: str | None,
        page_size: int | None,
    ) -> Iterator[M]:
        params: dict[str, str] = {}
        if filter_:
            params["$filter"] = filter_
        if search:
            params["fullTextSearch"] = search
        if orderby:
            params["$orderby"] = orderby
        if page_size:
            params["$top"] = str(page_size)
        url: str | None = path
        query: dict[str, str] | None = params
        seen: set[str] = set()
        skipped = 0
        for _ in range(MAX_PAGES):
            if url is None:
                return
            page = self._call("GET", url, params=query).data
            if not isinstance(page, dict) or not isinstance(page.get("Items"), list):
                raise BillitProtocolError(f"Billit answered {path} without an Items list.")
            for item in page["Items"]:
                yield model.from_wire(item)
            skipped += len(page["Items"])
            next_link = page.get("NextPageLink")
            if page_size:
                # With an explicit page size we page ourselves with $skip: $top bounds one page, not the list.
                if len(page["Items"]) < page_size:
                    return
                query = {**params, "$skip": str(skipped)}
                continue
            if not next_link:
                return
            url = self._same_origin(next_link)
            if url in seen:
                raise BillitProtocolError(f"Billit's NextPageLink for {path} repeats itself.")
            seen.add(url)
            query = None
        raise BillitProtocolError(f"Billit's {path} list did not end after {MAX_PAGES} pages.")

    def _same_origin(self, link: str) -> str:
        """Follow NextPageLink only on Billit's own host: the API key must never travel anywhere else."""
        absolute = urljoin(self.base_url + "/", link)
        base, target = urlsplit(self.base_url), urlsplit(absolute)
        if (base.scheme, base.netloc.lower()) != (target.scheme, target.netloc.lower()):
            raise BillitProtocolError("Billit's NextPageLink points to another host; not followed.")
        return target.path + (f"?{target.query}" if target.query else "")

    def _id(self, data: Any, what: str) -> int:
        if isinstance(data, bool) or not isinstance(data, (int, str, Decimal)):
            raise BillitProtocolError(f"Billit answered the {what} creation without an id.")
        try:
            return int(data)
        except (TypeError, ValueError):
            raise BillitProtocolError(f"Billit answered the {what} creation without an id.") from None

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        idempotency_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        retryable: bool | None = None,
        authenticate: bool = True,
    ) -> _Result:
        """One logical call, retried within the policy when safe: reads, and writes carrying an idempotency key."""
        if retryable is None:
            retryable = method == "GET" or idempotency_key is not None
        request_headers = dict(headers or {})
        if idempotency_key is not None:
            request_headers[IDEMPOTENCY_HEADER] = idempotency_key
        content: bytes | None = None
        if json_body is not None:
            content = wire.dumps(json_body).encode("utf-8")
            request_headers["Content-Type"] = "application/json"
        policy = self.retry
        waited = 0.0
        attempt = 0
        covered = 0.0  # the account's pause deadline this call has already waited out
        while True:
            # Another call of the account heard 429: wait for the pause before sending, within this call's budget.
            paused, covered = self.throttle.pending(covered)
            if paused > 0:
                if waited + paused > policy.max_total_wait:
                    raise BillitUnavailable(
                        f"Billit asked to slow down and this account is paused for {paused:.0f} s more, longer than "
                        f"{method} {_route(path)} may wait; try again later.",
                        status=429,
                        attempts=attempt,
                        retry_after=paused,
                        outcome_unknown=attempt > 0 and method != "GET",
                    )
                log.debug("billit %s %s waits %.2f s: the account is paused after a 429", method, _route(path), paused)
                self._sleep(paused)
                waited += paused
                continue  # the pause may have been moved later meanwhile
            attempt += 1
            started = time.monotonic()
            failure: str
            status: int | None = None
            retry_after: float | None = None
            never_sent = False  # the connection was never made: even a keyless write is safe to repeat
            try:
                response = self._http.request(
                    method,
                    path,
                    params=params,
                    content=content,
                    headers=request_headers,
                    auth=self._auth if authenticate else None,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                failure = f"could not connect ({type(exc).__name__})"
                never_sent = True
            except httpx.TimeoutException as exc:
                failure = f"timed out ({type(exc).__name__})"
            except httpx.TransportError as exc:
                failure = f"connection failed ({type(exc).__name__}: {self._auth.redact(str(exc))[:200]})"
            else:
                status = response.status_code
                log.debug(
                    "billit %s %s -> %s in %.0f ms (attempt %d)",
                    method, path.split("?")[0], status, (time.monotonic() - started) * 1000, attempt,
                )  # fmt: skip
                if status in _RETRY_STATUSES:
                    failure = f"HTTP {status}"
                    retry_after = (
                        parse_retry_after(response.headers.get("Retry-After")) if status in (429, 503) else None
                    )
                elif status >= 400:
                    raise self._error(response)
                else:
                    try:
                        return _Result(_parse(response), replayed=False)
                    except BillitProtocolError as exc:
                        failure = str(exc)
                        if attempt >= policy.max_attempts or not retryable:
                            raise
            # A failure that may be transient: wait and try again, or give up with a clear error.
            allowed = retryable or never_sent
            delay = max(policy.backoff(attempt, self._random()), retry_after or 0.0)
            if status == 429:
                # Billit throttles the account: every call of it pauses as long as this one waits (Retry-After, or
                # our own backoff without one), never longer than we would wait ourselves.
                left, covered = self.throttle.pause(min(delay, policy.max_retry_after))
                delay = max(delay, left)
            if retry_after is not None and retry_after > policy.max_retry_after:
                raise BillitUnavailable(
                    f"Billit asks to wait {retry_after:.0f} s before {method} {_route(path)}; try again later.",
                    status=status,
                    attempts=attempt,
                    retry_after=retry_after,
                )
            if not allowed or attempt >= policy.max_attempts or waited + delay > policy.max_total_wait:
                if not allowed:
                    raise BillitUnavailable(
                        f"Billit did not answer {method} {_route(path)} ({failure}); the request was not repeated "
                        "because it carries no idempotency key, so it may or may not have been applied.",
                        status=status,
                        attempts=attempt,
                        outcome_unknown=method != "GET",
                    )
                raise BillitUnavailable(
                    f"Billit is unavailable: {method} {_route(path)} failed {attempt} times, last: {failure}.",
                    status=status,
                    attempts=attempt,
                    retry_after=retry_after,
                    outcome_unknown=method != "GET" and not never_sent,
                )
            log.warning(
                "billit %s %s failed (%s); retry %d of %d in %.2f s",
                method, _route(path), failure, attempt, policy.max_attempts - 1, delay,
            )  # fmt: skip
            self._sleep(delay)
            waited += delay

    def _error(self, response: httpx.Response) -> BillitError:
        status = response.status_code
        errors: list[tuple[str, str]] = []
        message = ""
        try:
            body = wire.loads(response.content) if response.content.strip() else None
        except ValueError:
            body = None
        if isinstance(body, dict):
            for item in body.get("errors") or body.get("Errors") or []:
                if isinstance(item, dict):
                    code = self._auth.redact(str(item.get("Code") or ""))
                    description = self._auth.redact(str(item.get("Description") or ""))
                    errors.append((code, description))
            message = self._auth.redact(str(body.get("Message") or body.get("message") or ""))
        summary = "; ".join(f"{code}: {text}" if text else code for code, text in errors) or message
        route = f"{response.request.method} {_route(response.request.url.path)}"
        if status == 400:
            return BillitValidationError(
                f"Billit refused {route}: {summary or 'bad request'}", status=400, errors=errors
            )
        if status in (401, 403):
            return BillitAuthError(
                "Billit refused the API key, or the key has no access to this company (PartyID). "
                "Check the key and company in the Billit settings.",
                status=status,
                errors=errors,
            )
        if status == 404:
            return BillitNotFound(f"Billit has no such resource: {route}. {summary}".strip(), status=404, errors=errors)
        if status == 409:
            if any(code == REPLAY_CODE for code, _ in errors):
                return BillitIdempotencyReplay(
                    "Billit already processed this idempotency key.", status=409, errors=errors
                )
            return BillitConflict(f"Billit reported a conflict on {route}: {summary}", status=409, errors=errors)
        return BillitError(f"Billit answered HTTP {status} to {route}: {summary}".strip(), status=status, errors=errors)


@dataclass(frozen=True)
class _Result:
    data: Any
    replayed: bool


def _parse(response: httpx.Response) -> Any:
    """Billit answers JSON, or nothing at all (200 with empty body after PATCH, payments and send)."""
    if not response.content.strip():
        return None
    try:
        return wire.loads(response.content)
    except ValueError:
        raise BillitProtocolError(
            f"Billit's answer to {response.request.method} {_route(response.request.url.path)} is not valid JSON."
        ) from None


def _route(path: str) -> str:
    return path.split("?")[0]


def _check_key(key: str) -> None:
    if not key or len(key) > 200 or not key.isascii() or any(ch.isspace() for ch in key):
        raise ValueError("An idempotency key must be 1-200 ASCII characters without spaces (see idempotency_key_for).")
