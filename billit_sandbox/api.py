"""Billit's /v1 resources as the sandbox answers them: routing, auth, company scope and idempotency.

The resource rules (totals, numbering, sending) live in `orders.py` and `parties.py`; this module only decides who
is asking, for which company, and wraps every write in one transaction with its idempotency key.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from billit_sandbox import identifiers, odata, wire
from billit_sandbox.errors import ApiError, bad_request, not_found
from billit_sandbox.orders import OrderService
from billit_sandbox.parties import PartyService
from billit_sandbox.store import Store

PAGE_SIZE = 120
UNAUTHORIZED = {"Message": "Authorization has been denied for this request."}
IDEMPOTENCY_HEADERS = ("idempotency-key", "idempotent-key")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    host: str = "127.0.0.1"

    def json(self) -> Any:
        if not self.body.strip():
            raise bad_request("GenericError", "The request body is empty; a JSON body is required.")
        try:
            return wire.loads(self.body)
        except ValueError as exc:
            raise bad_request("GenericError", f"The request body is not valid JSON: {exc}.") from exc


@dataclass
class Response:
    status: int
    body: Any = None  # JSON value; None with `empty` for Billit's 200-without-body answers
    empty: bool = False
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        return b"" if self.empty else wire.dumps(self.body).encode("utf-8")


@dataclass
class Context:
    user: dict[str, Any]
    company_id: int
    request: Request
    events: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


Handler = Callable[..., Response]


class Api:
    def __init__(self, store: Store, settings: dict[str, Any], on_events: Callable[[int, list[Any]], None]) -> None:
        self.store = store
        self.settings = settings
        self.on_events = on_events
        self.parties = PartyService(store)
        self.orders = OrderService(store, self.parties, settings)
        self.routes: list[tuple[str, re.Pattern[str], Handler, str]] = []
        # auth: "none" (no key), "user" (key, PartyID optional), "company" (key and company scope)
        for method, pattern, handler, auth in [
            ("GET", r"/v1/account/accountInformation", self.account_information, "user"),
            ("POST", r"/v1/account/sequences", self.sequences, "company"),
            ("GET", r"/v1/parties", self.list_parties, "company"),
            ("POST", r"/v1/parties", self.post_party, "company"),
            ("GET", r"/v1/parties/(?P<pid>-?\d+)", self.get_party, "company"),
            ("PATCH", r"/v1/parties/(?P<pid>-?\d+)", self.patch_party, "company"),
            ("GET", r"/v1/products", self.list_products, "company"),
            ("POST", r"/v1/products", self.post_product, "company"),
            ("GET", r"/v1/products/(?P<pid>-?\d+)", self.get_product, "company"),
            ("GET", r"/v1/orders", self.list_orders, "company"),
            ("POST", r"/v1/orders", self.post_order, "company"),
            ("GET", r"/v1/orders/deleted", self.list_deleted_orders, "company"),
            ("POST", r"/v1/orders/commands/send", self.send_orders, "company"),
            ("GET", r"/v1/orders/(?P<oid>-?\d+)", self.get_order, "company"),
            ("PATCH", r"/v1/orders/(?P<oid>-?\d+)", self.patch_order, "company"),
            ("DELETE", r"/v1/orders/(?P<oid>-?\d+)", self.delete_order, "company"),
            ("POST", r"/v1/orders/(?P<oid>-?\d+)/payments", self.post_payment, "company"),
            ("GET", r"/v1/files/(?P<fid>[^/]+)", self.get_file, "company"),
            ("GET", r"/v1/peppol/participantInformation/(?P<ident>[^/]+)", self.participant_information, "none"),
            ("GET", r"/v1/webhooks", self.list_webhooks, "company"),
            ("POST", r"/v1/webhooks", self.post_webhook, "company"),
            ("DELETE", r"/v1/webhooks/(?P<wid>-?\d+)", self.delete_webhook, "company"),
            ("POST", r"/v1/webhooks/refresh/(?P<wid>-?\d+)", self.refresh_webhook, "company"),
        ]:
            self.routes.append((method, re.compile(pattern + "$", re.IGNORECASE), handler, auth))  # type: ignore[arg-type]

    # dispatch -----------------------------------------------------------------------------------------------
    def route_name(self, method: str, path: str) -> str:
        for route_method, pattern, _handler, _auth in self.routes:
            if route_method == method and pattern.match(path):
                return f"{method} {pattern.pattern[:-1]}"
        return f"{method} (unknown)"

    def handle(self, request: Request) -> Response:
        try:
            return self._handle(request)
        except ApiError as exc:
            return Response(exc.status, exc.body)

    def _handle(self, request: Request) -> Response:
        path = request.path.rstrip("/") or "/"
        allowed: list[str] = []
        for method, pattern, handler, auth in self.routes:
            match = pattern.match(path)
            if not match:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            if auth == "none":
                return handler(request, **match.groupdict())
            user = self._authenticate(request)
            company_id = self._company(request, user, required=auth == "company")
            context = Context(user=user, company_id=company_id, request=request)
            if request.method == "GET":
                return handler(context, **match.groupdict())
            return self._write(context, handler, match.groupdict())
        if allowed:
            return Response(
                405, {"Message": f"The requested resource does not support http method '{request.method}'."}
            )
        return Response(404, {"Message": f"No HTTP resource was found that matches the request URI '{request.path}'."})

    def _authenticate(self, request: Request) -> dict[str, Any]:
        key = request.headers.get("apikey", "")
        user = self.store.account(key) if key else None
        if user is None:
            raise ApiError(401, UNAUTHORIZED)
        return user

    def _company(self, request: Request, user: dict[str, Any], required: bool) -> int:
        """PartyID picks the company. Missing: the user's only company, or 400 when the user has several;
        a company the key has no access to answers 401 like Billit's "no access to PartyID"."""
        raw = request.headers.get("partyid", "").strip()
        companies: list[int] = user["Companies"]
        if not raw:
            if len(companies) == 1 or not required:
                return companies[0]
            raise bad_request(
                "GenericError",
                "This API key has access to several companies: send the PartyID header to choose one.",
            )
        if not raw.isdigit():
            raise bad_request("GenericError", f"The PartyID header must be a number, got '{raw[:20]}'.")
        if int(raw) not in companies:
            raise ApiError(401, UNAUTHORIZED)
        return int(raw)

    def _write(self, context: Context, handler: Handler, params: dict[str, str]) -> Response:
        """One transaction per write; the idempotency key is stored with the result, only on success."""
        key = ""
        for name in IDEMPOTENCY_HEADERS:
            key = context.request.headers.get(name, "").strip() or key
        with self.store.transaction():
            if key and self.store.has_idempotency_key(context.company_id, key):
                raise ApiError(
                    409,
                    {
                        "errors": [
                            {
                                "Code": "Idempotent token already exists",
                                "Description": "A request with this idempotency key was already processed.",
                            }
                        ]
                    },
                )
            response = handler(context, **params)
            if key and 200 <= response.status < 300:
                self.store.add_idempotency_key(context.company_id, key, now_text())
        if context.events:
            self.on_events(context.company_id, context.events)
        return response

    # lists --------------------------------------------------------------------------------------------------
    def page(self, request: Request, items: list[dict[str, Any]]) -> Response:
        query = request.query
        try:
            search = query.get("fullTextSearch", "").strip().lower()
            if search:
                items = [item for item in items if search in _searchable(item)]
            if query.get("$filter"):
                predicate = odata.parse_filter(query["$filter"])
                items = [item for item in items if predicate(item)]
            if query.get("$orderby"):
                items = odata.sort_items(items, query["$orderby"])
            skip = int(query.get("$skip", "0"))
            top = int(query["$top"]) if "$top" in query else None
        except (odata.ODataError, ValueError) as exc:
            raise bad_request("GenericError", str(exc)) from exc
        if skip < 0 or (top is not None and top < 0):
            raise bad_request("GenericError", "$skip and $top must not be negative.")
        total = len(items)
        wanted = total - skip if top is None else min(top, max(total - skip, 0))
        size = max(min(wanted, PAGE_SIZE), 0)
        page = items[skip : skip + size]
        next_link = None
        remaining = wanted - size
        if remaining > 0:
            params = {k: v for k, v in query.items() if k not in ("$skip", "$top")}
            params["$skip"] = str(skip + size)
            if top is not None:
                params["$top"] = str(remaining)
            base = self.settings.get("next_page_base") or f"http://{request.host}"
            next_link = f"{base}{request.path}?{urlencode(params)}"
        return Response(200, {"Items": page, "NextPageLink": next_link, "Count": total})

    # account ------------------------------------------------------------------------------------------------
    def account_information(self, context: Context) -> Response:
        user = context.user
        companies = [self.store.get("company", cid, cid) for cid in user["Companies"]]
        return Response(
            200,
            {
                "Email": user["Email"],
                "FirstName": user["FirstName"],
                "LastName": user["LastName"],
                "PhoneNumber": None,
                "ExternalProviderID": None,
                "ExternalProviderTC": None,
                "LoginOrRegisterNeeded": False,
                "NationalIdentityNumber": None,
                "CardNumber": None,
                "UniqueReference": f"U{user['UserID']:06d}",
                "Companies": companies,
                "UserCompanyRoles": [{"PartyID": cid, "UserRoleTypes": ["Admin"]} for cid in user["Companies"]],
            },
        )

    def sequences(self, context: Context) -> Response:
        body = _object(context.request.json())
        sequence_type = body.get("SequenceType")
        consume = body.get("Consume", False)
        if not isinstance(consume, bool):
            raise bad_request("GenericError", "Consume must be true or false.")
        number = self.orders.next_number(context.company_id, sequence_type, consume=consume)
        return Response(200, number)

    # parties ------------------------------------------------------------------------------------------------
    def list_parties(self, context: Context) -> Response:
        return self.page(context.request, self.store.list("party", context.company_id))

    def get_party(self, context: Context, pid: str) -> Response:
        party = self.store.get("party", context.company_id, int(pid))
        if party is None:
            raise not_found(f"Party {pid} was not found.")
        return Response(200, party)

    def post_party(self, context: Context) -> Response:
        party_id, created = self.parties.create_or_update(context.company_id, _object(context.request.json()))
        return Response(200, party_id)

    def patch_party(self, context: Context, pid: str) -> Response:
        self.parties.patch(context.company_id, int(pid), _object(context.request.json()))
        return Response(200, empty=True)

    # products -----------------------------------------------------------------------------------------------
    def list_products(self, context: Context) -> Response:
        return self.page(context.request, self.store.list("product", context.company_id))

    def get_product(self, context: Context, pid: str) -> Response:
        product = self.store.get("product", context.company_id, int(pid))
        if product is None:
            raise not_found(f"Product {pid} was not found.")
        return Response(200, product)

    def post_product(self, context: Context) -> Response:
        return Response(200, self.parties.create_or_update_product(context.company_id, _object(context.request.json())))

    # orders -------------------------------------------------------------------------------------------------
    def list_orders(self, context: Context) -> Response:
        # A lookup by number (how a client resolves a replayed create) reads its candidates through the index
        # instead of every order of the company; the whole filter still decides.
        number = odata.required_equal(context.request.query.get("$filter", ""), "OrderNumber")
        if number is None:
            stored = self.store.list("order", context.company_id)
        else:
            stored = self.store.orders_numbered(context.company_id, number)
        return self.page(context.request, [self.orders.present(order) for order in stored])

    def list_deleted_orders(self, context: Context) -> Response:
        return self.page(context.request, self.store.list("deleted_order", context.company_id))

    def get_order(self, context: Context, oid: str) -> Response:
        return Response(200, self.orders.present(self.orders.get(context.company_id, int(oid))))

    def post_order(self, context: Context) -> Response:
        order_id = self.orders.create_or_update(context, _object(context.request.json()))
        return Response(200, order_id)

    def patch_order(self, context: Context, oid: str) -> Response:
        self.orders.patch(context, int(oid), _object(context.request.json()))
        return Response(200, empty=True)

    def delete_order(self, context: Context, oid: str) -> Response:
        self.orders.delete(context.company_id, int(oid))
        return Response(200, True)

    def post_payment(self, context: Context, oid: str) -> Response:
        self.orders.add_payment(context, int(oid), _object(context.request.json()))
        return Response(200, empty=True)

    def send_orders(self, context: Context) -> Response:
        strict = context.request.headers.get("stricttransporttype", "").strip().lower() == "true"
        self.orders.send(context, _object(context.request.json()), strict=strict)
        return Response(200, empty=True)

    # files --------------------------------------------------------------------------------------------------
    def get_file(self, context: Context, fid: str) -> Response:
        found = self.store.get_file(fid.lower(), context.company_id)
        if found is None:
            raise not_found(f"File {fid} was not found.")
        name, mime, content = found
        return Response(
            200,
            {
                "FileID": fid.lower(),
                "FileName": name,
                "MimeType": mime,
                "FileContent": base64.b64encode(content).decode("ascii"),
            },
        )

    # peppol -------------------------------------------------------------------------------------------------
    def participant_information(self, request: Request, ident: str) -> Response:
        canonical = identifiers.canonical(ident)
        registered = self.store.is_participant(canonical)
        return Response(
            200,
            {
                "Registered": registered,
                "Identifier": canonical,
                "DocumentTypes": ["BISv3Invoice", "BISv3CreditNote"] if registered else [],
                "ServiceDetails": [],
                "ServiceProviderID": "PBE000000" if registered else None,
                "ServiceProviderName": "Billit sandbox access point" if registered else None,
            },
        )

    # webhooks -----------------------------------------------------------------------------------------------
    def list_webhooks(self, context: Context) -> Response:
        return Response(200, self.store.list("webhook", context.company_id))

    def post_webhook(self, context: Context) -> Response:
        body = _object(context.request.json())
        entity_type = body.get("EntityType")
        if entity_type not in ("Order", "Message"):
            raise bad_request("GenericError", "EntityType must be 'Order' or 'Message'.")
        update_type = body.get("EntityUpdateType")
        if update_type not in (None, "", "I", "U", "D"):
            raise bad_request("GenericError", "EntityUpdateType must be 'I', 'U' or 'D' (or left out for all).")
        url = body.get("WebhookURL")
        # Billit accepts HTTPS only; the sandbox also accepts http:// so tests can listen on loopback.
        if not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url):
            raise bad_request("GenericError", "WebhookURL must be an absolute https:// URL.")
        webhook_id = self.store.next_value("webhook", start=901)
        webhook = {
            "WebhookID": webhook_id,
            "CompanyID": context.company_id,
            "UserID": context.user["UserID"],
            "EntityType": entity_type,
            "EntityUpdateType": update_type or None,
            "WebhookURL": url,
            "Secret": secrets.token_hex(32),
        }
        self.store.put("webhook", context.company_id, webhook_id, webhook)
        return Response(200, webhook)

    def delete_webhook(self, context: Context, wid: str) -> Response:
        if not self.store.delete("webhook", context.company_id, int(wid)):
            raise not_found(f"Webhook {wid} was not found.")
        return Response(200, True)

    def refresh_webhook(self, context: Context, wid: str) -> Response:
        webhook = self.store.get("webhook", context.company_id, int(wid))
        if webhook is None:
            raise not_found(f"Webhook {wid} was not found.")
        webhook["Secret"] = secrets.token_hex(32)
        self.store.put("webhook", context.company_id, int(wid), webhook)
        return Response(200, webhook["Secret"])


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request("GenericError", "The request body must be a JSON object.")
    return value


def _searchable(item: dict[str, Any]) -> str:
    parts: list[str] = []
    for value in item.values():
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, dict):
            parts.extend(v for v in value.values() if isinstance(v, str))
    return "\n".join(parts).lower()


def now_text() -> str:
    return wire.format_datetime(datetime.now())
