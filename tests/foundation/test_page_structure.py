"""Every page of the web UI is built the same way (issue #9): one landmark and heading, labelled controls, CSRF on
every form, names on every link and button, no tab trap; an empty list says what to do; a refused form shows its
error next to the field and keeps what was typed.

The URL list is read from the resolver and the detail pages are opened with the rows that tests/cross_company.py
makes, so a page added tomorrow is checked without editing this test. The pages are walked once per module (inside a
transaction that is rolled back) and each route is reported as its own test, naming the URL and the element.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import lxml.html
import pytest
from django.db import transaction
from django.test import Client
from django.utils import translation

from haulbill.invoicing.models import InvoicingSettings, Provider
from tests.cross_company import populate
from tests.factories import CompanyFactory, CustomerFactory, InvoicingSettingsFactory, MembershipFactory
from tests.foundation.test_cross_company import build_path, tenant_rows, web_patterns

# The walk runs in a module fixture; the mark is what makes pytest-django create the test database for it.
pytestmark = pytest.mark.django_db

# A route is opened with up to this many different objects, so pages whose markup depends on the row (a linked and
# an unlinked customer, a draft with and without transports) are seen in more than one state.
PAGES_PER_ROUTE = 3
NAMELESS_INPUT_TYPES = {"hidden", "submit", "button", "image", "reset"}

# Pages in templates another change is rewriting: the lead fixes them after the merge. The test is strict, so it
# fails as soon as a page is fixed and the entry can go.
LEAD_FIXES: dict[str, str] = {}
LEAD_EMPTY_STATE_FIXES: dict[str, str] = {}


def routes() -> list[str]:
    """Every web page route, the login page included (web_patterns() leaves it out: it belongs to no company)."""
    return ["login/"] + [route for route, _pattern in web_patterns()]


# --- the checks -----------------------------------------------------------------------------------------------------


def describe(el: Any) -> str:
    """How a failure names an element: its tag and the first identifying attribute it has."""
    for attr in ("name", "id", "href", "action", "aria-label", "class"):
        if el.get(attr):
            return f"<{el.tag} {attr}={el.get(attr)!r}>"
    text = " ".join(el.text_content().split())[:40]
    return f"<{el.tag}>{text}</{el.tag}>" if text else lxml.html.tostring(el, encoding="unicode")[:80]


def accessible_name(el: Any, ids: set[str]) -> bool:
    root = el.getroottree().getroot()
    if el.get("id") and root.xpath("//label[@for=$id]", id=el.get("id")):
        return True
    if any(a.tag == "label" for a in el.iterancestors()):
        return True
    if (el.get("aria-label") or "").strip():
        return True
    labelledby = (el.get("aria-labelledby") or "").split()
    return bool(labelledby) and all(i in ids for i in labelledby)


def has_text_or_label(el: Any) -> bool:
    if " ".join(el.text_content().split()) or (el.get("aria-label") or "").strip():
        return True
    return any((img.get("alt") or "").strip() for img in el.iter("img"))


def is_empty_table(table: Any) -> bool:
    """A table with a head but not one body row: a list that should have said it is empty."""
    return not table.xpath(".//tr[not(ancestor::thead)]")


def structure_failures(content: bytes) -> list[str]:
    text = content.decode()
    is_document = bool(re.search(r"<html[\s>]", text[:600], re.IGNORECASE))
    root = (
        lxml.html.document_fromstring(text) if is_document else lxml.html.fragment_fromstring(text, create_parent="div")
    )
    out: list[str] = []
    if is_document:
        if not (root.get("lang") or "").strip():
            out.append('<html> has no lang="..."')
        h1s = root.xpath("//h1")
        if len(h1s) != 1:
            out.append(f"{len(h1s)} <h1> instead of exactly one")
        if len(root.xpath("//main")) != 1:
            out.append("no single <main> landmark")
        if not " ".join("".join(root.xpath("//title//text()")).split()):
            out.append("no <title>")
    ids = list(root.xpath("//@id"))
    out += [f"id {i!r} used {n} times" for i, n in Counter(ids).items() if n > 1]
    id_set = set(ids)
    for el in root.xpath("//input | //select | //textarea"):
        if el.tag == "input" and (el.get("type") or "text").lower() in NAMELESS_INPUT_TYPES:
            continue
        if not accessible_name(el, id_set):
            out.append(f"{describe(el)} has no label (label for=, wrapping label, aria-label or aria-labelledby)")
    for form in root.xpath("//form"):
        if (form.get("method") or "get").lower() == "post" and not form.xpath(".//input[@name='csrfmiddlewaretoken']"):
            out.append(f"{describe(form)} posts without a csrfmiddlewaretoken")
    if is_document and root.xpath("//*[@hx-post or @hx-put or @hx-patch or @hx-delete]"):
        headers = [e for e in root.xpath("//*[@hx-headers]") if "X-CSRFToken" in e.get("hx-headers")]
        if len(headers) != 1 or headers[0].tag != "body":
            out.append("htmx posts, but <body hx-headers> does not send the X-CSRFToken header exactly once")
    out += [f"{describe(img)} has no alt" for img in root.xpath("//img[not(@alt)]")]
    for a in root.iter("a"):
        if not a.get("href"):
            out.append(f"{describe(a)} has no href")
        elif not has_text_or_label(a):
            out.append(f"{describe(a)} has no text or aria-label")
    for b in root.xpath("//button | //input[@type='submit' or @type='button' or @type='reset']"):
        if b.tag == "input" and not (b.get("value") or b.get("aria-label") or "").strip():
            out.append(f"{describe(b)} has no value or aria-label")
        elif b.tag == "button" and not has_text_or_label(b):
            out.append(f"{describe(b)} has no text or aria-label")
    for el in root.xpath("//*[@tabindex]"):
        if el.get("tabindex").strip().lstrip("+").isdigit() and int(el.get("tabindex")) > 0:
            out.append(f"{describe(el)} has a positive tabindex={el.get('tabindex')}: it breaks the reading order")
    out += [
        f"{describe(t)} is an empty table: say so in a sentence instead"
        for t in root.iter("table")
        if is_empty_table(t)
    ]
    return out


def lists_with_rows(content: bytes) -> int:
    root = lxml.html.document_fromstring(content.decode())
    return sum(1 for t in root.iter("table") if not is_empty_table(t))


def empty_state_failures(path: str, full: bytes, empty: bytes) -> list[str]:
    """A list that has rows for a company with data must say what to do, in an .empty-state sentence, when empty."""
    root = lxml.html.document_fromstring(empty.decode())
    lists_gone = lists_with_rows(full) - lists_with_rows(empty)
    sentences = [" ".join(e.text_content().split()) for e in root.find_class("empty-state")]
    out = [f"{path}: an .empty-state element has no text" for s in sentences if not s]
    if lists_gone > len(sentences):
        out.append(
            f"{path}: {lists_gone} list(s) empty for a new company, but {len(sentences)} .empty-state sentence(s) "
            "saying what to do"
        )
    return out


# --- the walk -------------------------------------------------------------------------------------------------------


@dataclass(repr=False)
class Walk:
    failures: dict[str, list[str]] = field(default_factory=dict)  # route -> "URL: problem"
    opened: dict[str, list[str]] = field(default_factory=dict)  # route -> URLs checked
    skipped: dict[str, str] = field(default_factory=dict)  # route -> why no HTML page was checked
    empty: dict[str, list[str]] = field(default_factory=dict)  # parameterless route -> empty-state problems

    def __repr__(self) -> str:
        return f"<Walk of {sum(len(v) for v in self.opened.values())} pages>"


def _is_html(response: Any) -> bool:
    """A page of ours: 200, or a refusal we render ourselves (forbidden, e-invoice unavailable), not a 404 or 405."""
    ours = response.status_code == 200 or (400 <= response.status_code < 500 and response.status_code not in (404, 405))
    return ours and response.get("Content-Type", "").startswith("text/html")


def _check(walk: Walk, route: str, path: str, response: Any) -> None:
    walk.opened.setdefault(route, []).append(path)
    walk.failures.setdefault(route, []).extend(f"{path}: {f}" for f in structure_failures(response.content))


def _walk_company_pages(walk: Walk) -> None:
    company = CompanyFactory(legal_name="Carrier A NV")
    InvoicingSettingsFactory(company=company, extension_enabled=True)
    populate(company)
    membership = MembershipFactory(company=company, role="admin", user__is_staff=True)
    from haulbill.api import tokens

    tokens.create_token(membership, "TMS production")  # the token list and the audit log have rows
    client = Client()
    client.force_login(membership.user)
    ids = sorted({pk for pks in tenant_rows(company).values() for pk in pks if isinstance(pk, int)})

    fresh = CompanyFactory(legal_name="Fresh Carrier NV")
    InvoicingSettingsFactory(company=fresh, extension_enabled=True)
    fresh_client = Client()
    fresh_client.force_login(MembershipFactory(company=fresh, role="admin").user)

    for route, pattern in web_patterns():
        names = list(pattern.pattern.regex.groupindex)
        statuses = Counter()
        combos = itertools.islice(itertools.product(ids, repeat=len(names)), 400) if names else [()]
        for combo in combos:
            path = build_path(route, dict(zip(names, combo, strict=True)))
            response = client.get(path)
            statuses[response.status_code] += 1
            if _is_html(response):
                _check(walk, route, path, response)
                if not names:
                    empty = fresh_client.get(path)
                    if _is_html(empty):
                        _check(walk, route, f"{path} (new company)", empty)
                        walk.empty[route] = empty_state_failures(path, response.content, empty.content)
                if len(walk.opened[route]) >= PAGES_PER_ROUTE:
                    break
        if route not in walk.opened:
            walk.skipped[route] = f"no HTML page (answers {dict(statuses)})"

    # The Billit connection form only shows once Billit is the chosen provider.
    InvoicingSettings.objects.filter(company=company).update(provider=Provider.BILLIT)
    path = "/settings/extensions/invoicing/"
    _check(walk, "settings/extensions/invoicing/", f"{path} (Billit, not connected)", client.get(path))


def _walk_login(walk: Walk) -> None:
    response = Client().get("/login/")
    assert _is_html(response)
    _check(walk, "login/", "/login/", response)


@pytest.fixture(scope="module")
def walk(django_db_setup: Any, django_db_blocker: Any) -> Walk:
    from django.core.cache import cache

    result = Walk()
    with django_db_blocker.unblock(), transaction.atomic():
        cache.clear()
        try:
            _walk_login(result)
            _walk_company_pages(result)
        finally:
            transaction.set_rollback(True)
            cache.clear()
            translation.deactivate()
    return result


def _params(lead: dict[str, str], routes: list[str]) -> list[Any]:
    return [
        pytest.param(
            route, marks=pytest.mark.xfail(strict=True, reason=f"fixed by the lead after merge: {lead[route]}")
        )
        if route in lead
        else route
        for route in routes
    ]


@pytest.mark.parametrize("route", _params(LEAD_FIXES, routes()))
def test_it_builds_the_page_for_keyboards_and_screen_readers(walk: Walk, route: str) -> None:
    if route in walk.skipped:
        pytest.skip(f"/{route}: {walk.skipped[route]}")
    failures = walk.failures.get(route, [])
    assert not failures, f"{len(failures)} problem(s) on {route}:\n" + "\n".join(failures)


@pytest.mark.parametrize("route", _params(LEAD_EMPTY_STATE_FIXES, [r for r in routes() if "<" not in r]))
def test_it_says_what_to_do_on_a_list_a_new_company_has_nothing_in(walk: Walk, route: str) -> None:
    if route not in walk.empty:
        pytest.skip(f"/{route}: not a list page of a company (the login page, a redirect, a POST action or a file)")
    assert not walk.empty[route], "\n".join(walk.empty[route])


def test_it_walks_every_kind_of_page(walk: Walk) -> None:
    """The walk must open the pages it claims to: detail pages included, not only the lists."""
    assert len(walk.opened) >= 30, sorted(walk.opened)
    assert any("<" in r for r in walk.opened)


def test_it_names_every_problem_of_a_bad_page() -> None:
    """The walk's silence means something: the checks catch each kind of fault, naming the element."""
    bad = b"""<!doctype html><html><head></head><body>
      <h1>One</h1><h1>Two</h1>
      <form method="post"><input name="amount"><select name="unit"></select><input type="hidden" name="x">
        <label>Ok<input name="wrapped"></label><input name="named" aria-label="Named"></form>
      <img src="a.png"><a href="/x"></a><a>no href</a><button></button><span tabindex="3" id="d"></span><i id="d"></i>
      <table><thead><tr><th>A</th></tr></thead><tbody></tbody></table>
      <div hx-post="/y">x</div>
    </body></html>"""
    failures = "\n".join(structure_failures(bad))
    for expected in [
        "no lang",
        "2 <h1>",
        "<main>",
        "<title>",
        "<input name='amount'> has no label",
        "<select name='unit'> has no label",
        "posts without a csrfmiddlewaretoken",
        "<img",
        "<a href='/x'> has no text",
        "has no href",
        "<button>",
        "positive tabindex=3",
        "id 'd' used 2 times",
        "empty table",
        "X-CSRFToken",
    ]:
        assert expected in failures, f"{expected!r} not reported in:\n{failures}"
    assert "wrapped" not in failures and "named" not in failures and "'x'" not in failures


# --- inline errors --------------------------------------------------------------------------------------------------


def field_and_error(content: bytes, name: str, error: str) -> Any:
    """The control `name`, after checking that `error` is tied to it: aria-invalid, and the error in its container or
    in an element its aria-describedby names."""
    root = lxml.html.document_fromstring(content.decode())
    (control,) = root.xpath("//*[@name=$n][self::input or self::select or self::textarea]", n=name)
    assert control.get("aria-invalid") == "true", f"{describe(control)} is not marked aria-invalid"
    described = [root.get_element_by_id(i, None) for i in (control.get("aria-describedby") or "").split()]
    container = control.getparent()
    texts = [" ".join(e.text_content().split()) for e in [*described, container] if e is not None]
    assert any(error in t for t in texts), f"{error!r} is not next to {describe(control)}: {texts}"
    return control


@pytest.fixture
def billit_chosen(company: Any) -> Any:
    InvoicingSettings.objects.filter(company=company).update(provider=Provider.BILLIT)
    return company


def test_it_shows_an_empty_billit_key_refused_next_to_the_key_and_keeps_the_environment(billit_chosen, user_client):
    response = user_client.post(
        "/settings/extensions/invoicing/",
        {"action": "connect", "api_key": "", "environment": "custom", "base_url": "http://127.0.0.1:8765"},
    )
    assert response.status_code == 400
    key = field_and_error(response.content, "api_key", "This field is required.")
    assert not key.get("value")  # the key is never rendered back
    root = lxml.html.document_fromstring(response.content.decode())
    assert root.xpath("//select[@name='environment']/option[@selected]/@value") == ["custom"]
    assert root.xpath("//input[@name='base_url']/@value") == ["http://127.0.0.1:8765"]


def test_it_shows_a_taken_invoicing_id_next_to_the_field_and_keeps_it(company, user_client):
    CustomerFactory(company=company, name="Kroon BV", invoicing_id="200001")
    customer = CustomerFactory(company=company, name="Kroon Transport")
    response = user_client.post(
        f"/customers/{customer.pk}/invoicing-id/", {"action": "lookup", "invoicing_id": "200001"}
    )
    assert response.status_code == 400
    field = field_and_error(response.content, "invoicing_id", "already linked to Kroon BV")
    assert field.get("value") == "200001"


def test_it_shows_a_wrong_quantity_next_to_the_field_and_keeps_the_line_as_typed(company, user_client):
    from haulbill.invoicing import services
    from haulbill.invoicing.models import Invoice
    from haulbill.invoicing.selection import Selection
    from tests.factories import PriceLineFactory, TransportFactory

    customer = CustomerFactory(company=company)
    PriceLineFactory(transport=TransportFactory(company=company, customer=customer))
    draft = Invoice.objects.for_company(company).get(
        run=services.start_run(company, Selection(customer_ids=(customer.pk,)))
    )
    response = user_client.post(
        f"/drafts/{draft.pk}/lines/new/",
        {"description": "Waiting time in Liège", "quantity": "two", "unit_price": "45", "unit": "HUR"},
    )
    assert response.status_code == 400
    field_and_error(response.content, "quantity", "“two” is not a number.")
    root = lxml.html.document_fromstring(response.content.decode())
    assert root.xpath("//input[@name='description']/@value") == ["Waiting time in Liège"]
    assert root.xpath("//input[@name='quantity']/@value") == ["two"]
    assert root.xpath("//input[@name='unit_price']/@value") == ["45"]
    assert root.xpath("//select[@name='unit']/option[@selected]/@value") == ["HUR"]
