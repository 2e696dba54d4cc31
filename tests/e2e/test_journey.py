"""The whole journey of issue #9 in one browser session, through the pages only.

The starting data is the demo's (`seed_demo`, shaped after the Billit sandbox's demo company): a carrier whose
TMS already sent done transports, one of them with a price line without item code. From there everything is
clicks and form fills: enable the extension, connect Billit (the sandbox), synchronise the catalog, link the
address book and review the one proposal, fix the line the pre-flight reports, invoice, watch the push, download
the PDF and the UBL, issue a credit note. Every step leaves a numbered screenshot in test-results/journey/.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from haulbill.core.demo import DEMO_PASSWORD, DEMO_USERNAME, UNCODED_LINE, seed_demo

pytestmark = pytest.mark.e2e

CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


def download(page: Any, link: Any) -> bytes:
    """Click a download link and return the file's bytes."""
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()


@pytest.mark.django_db(transaction=True)
def test_it_goes_from_sign_in_to_a_credit_note_through_the_pages(live_server, billit_sandbox, page, shots):
    started = time.monotonic()
    seed_demo(transports=12, customers=4)

    # Sign in: the dashboard is the landing page, with the set-up checklist.
    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill(DEMO_USERNAME)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Password").press("Enter")  # the keyboard is enough to sign in
    page.wait_for_url("**/dashboard/")
    checklist = page.locator(".checklist")
    assert "Invoicing extension enabled" in checklist.inner_text()
    assert page.locator("#work").get_by_text("Verified transports to invoice").is_visible()
    shots.take(page, "dashboard-checklist")
    page.keyboard.press("Tab")  # the first Tab offers to skip the navigation
    assert page.evaluate("document.activeElement.className") == "skip-link"

    # Enable the invoicing extension (the demo admin is platform staff).
    checklist.get_by_role("link", name="Invoicing extension enabled").click()
    page.wait_for_url("**/settings/extensions/invoicing/")
    assert page.get_by_text("The invoicing extension is not enabled for your company.").is_visible()
    shots.take(page, "extension-disabled")
    page.get_by_role("button", name="Enable the invoicing extension for this company").click()
    assert page.get_by_text("Invoicing extension enabled.").is_visible()

    # Choose Billit and connect it to the sandbox.
    page.get_by_label("Billit", exact=True).check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Provider saved.").is_visible()
    connect = page.locator("#billit form")
    connect.get_by_label("API key").fill(billit_sandbox.api_key)
    connect.get_by_label("Environment").select_option("custom")
    connect.get_by_label("Custom base URL").fill(billit_sandbox.base_url)
    shots.take(page, "billit-connect-form")
    connect.get_by_role("button", name="Connect").click()
    assert page.get_by_text("Billit connected: Demo Transport BV.").is_visible()
    assert page.locator("#next-invoice-number").inner_text().strip() != ""
    shots.take(page, "billit-connected")

    # Synchronise the catalog: the sandbox's items, two of which the transports already use.
    page.get_by_role("button", name="Synchronize VAT rates and product catalog").click()
    sync = page.locator("#catalog-sync-job .job-progress")
    sync.locator(".flash-success").wait_for()
    assert sync.locator("progress").get_attribute("value") == "100"
    assert "1 added" in sync.inner_text()
    shots.take(page, "catalog-synchronised")

    # Link the address book: same VAT numbers are linked at once, a similar name waits for review.
    page.get_by_role("link", name="Link the address book").click()
    page.wait_for_url("**/linking/")
    page.get_by_role("button", name="Find matches").click()
    job = page.locator("#linking-job .job-progress")
    job.locator(".flash-success").wait_for()
    page.reload()
    proposals = page.locator("#proposals tbody tr")
    assert proposals.count() == 1
    assert "Brasserie Wallonne SPRL" in proposals.first.inner_text()
    assert "Brasserie Wallonne SA" in proposals.first.inner_text()
    assert page.get_by_text("3 of 4 active customers have an invoicing ID.").is_visible()
    shots.take(page, "linking-proposal")
    proposals.first.get_by_role("button", name="Accept").click()
    assert page.get_by_text(re.compile(r"Brasserie Wallonne SPRL linked to \d+\.")).is_visible()
    assert page.get_by_text("4 of 4 active customers have an invoicing ID.").is_visible()
    assert page.get_by_text("Nothing to review.").is_visible()
    shots.take(page, "linking-done")

    # A first invoicing run: the pre-flight holds back the transport whose line has no item code.
    page.get_by_role("link", name="Invoices").first.click()
    page.wait_for_url("**/invoices/")
    page.get_by_role("button", name="Start an invoicing run").click()
    page.get_by_role("button", name="Check and draft the invoices").click()
    page.wait_for_url("**/invoices/runs/*/")
    held = page.locator("article", has=page.get_by_text(UNCODED_LINE))
    assert "Logistiek Vlaanderen NV" in held.inner_text()
    assert "has no item code" in held.inner_text()
    shots.take(page, "preflight-reports-missing-item-code")

    # Fix it on the transport page: choose the product of that line.
    held.get_by_role("link", name="Fix it").first.click()
    page.wait_for_url("**/transports/*/")
    row = page.locator("tr", has=page.get_by_text(UNCODED_LINE, exact=True))
    assert row.get_by_text("no item code").is_visible()
    shots.take(page, "transport-line-without-item-code")
    row.get_by_label("Product (item code)").select_option(label="WAIT-H · Waiting hours")
    row.get_by_role("button", name="Save").click()
    assert page.get_by_text("Item code saved.").is_visible()
    row = page.locator("tr", has=page.get_by_text(UNCODED_LINE, exact=True))
    assert row.get_by_label("Product (item code)").locator("option:checked").inner_text() == "WAIT-H · Waiting hours"
    shots.take(page, "transport-line-fixed")

    # Run again: the pre-flight passes, every customer is ready.
    page.get_by_role("link", name="Invoices").first.click()
    page.get_by_role("button", name="Start an invoicing run").click()
    page.get_by_role("button", name="Check and draft the invoices").click()
    page.wait_for_url("**/invoices/runs/*/")
    assert page.locator("#company-problems").count() == 0
    assert page.get_by_role("heading", name="Held back").count() == 0
    assert page.get_by_role("heading", name="Ready to finalise").is_visible()
    shots.take(page, "preflight-passes")

    # Finalise: the run's progress, the numbers given, and the push to Billit.
    page.get_by_role("button", name=re.compile(r"Finalise the invoices of \d+ customers")).click()
    progress = page.locator("#run-progress .job-progress")
    progress.locator(".flash-success").wait_for()
    assert progress.locator("progress").get_attribute("value") == "100"
    assert re.search(r"\d+ invoices finalised, 0 held back, 0 failed\.", progress.inner_text())
    page.reload()
    numbers = sorted(n.strip() for n in page.locator("table tbody td a").all_inner_texts())
    assert len(numbers) == 4
    first_number = numbers[0]
    assert re.fullmatch(r"\d{4}-00001", first_number)
    assert numbers[-1] == first_number.replace("00001", "00004")
    push = page.locator(".push-progress")
    push.wait_for()
    assert "0 to push" in push.inner_text()
    assert "4 pushed" in push.inner_text()
    assert re.search(r"\b0 failed", push.inner_text())
    shots.take(page, "run-finalised-and-pushed")
    page.get_by_role("link", name="Sending to the invoicing platform").click()
    page.wait_for_url("**/push/")
    assert "4 pushed" in page.locator(".push-progress").inner_text()

    # The first invoice: numbered, pushed, with its PDF and its UBL.
    page.goto(live_server.url + "/invoices/")
    page.get_by_role("link", name=first_number, exact=True).click()
    page.wait_for_url("**/invoices/*/")
    assert page.get_by_role("heading", name=f"Invoice {first_number}").is_visible()
    assert "Pushed" in page.locator("dd", has_text="Pushed").inner_text()
    shots.take(page, "invoice-pushed")
    pdf = download(page, page.get_by_role("button", name="Download the PDF"))
    assert pdf.startswith(b"%PDF")
    ubl = download(page, page.get_by_role("button", name="UBL (Peppol)"))
    root = ET.fromstring(ubl)  # noqa: S314 - our own server's answer in a test
    assert root.find(f"{CBC}ID") is not None
    assert root.find(f"{CBC}ID").text == first_number  # type: ignore[union-attr]

    # A full credit note: it gets its own number and the invoice lists it.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Full credit note").click()
    assert page.get_by_text(re.compile(r"Credit note CN\d{4}-00001 issued\.")).is_visible()
    credit_number = page.locator("h1").inner_text().split()[-1]
    assert page.get_by_role("heading", name=f"Credit note {credit_number}").is_visible()
    assert page.get_by_role("link", name=first_number).is_visible()
    shots.take(page, "credit-note")
    page.get_by_role("link", name=first_number).click()
    assert page.get_by_role("link", name=credit_number).is_visible()
    shots.take(page, "invoice-with-credit-note")

    assert time.monotonic() - started < 90
