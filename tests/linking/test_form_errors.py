"""A refused "accept above" comes back on the review page (status 400), the threshold as typed with its error under
it; no proposal is accepted."""

from __future__ import annotations

import lxml.html
import pytest

from haulbill.addressbook.models import LinkProposal, ProposalStatus
from tests.factories import CustomerFactory
from tests.foundation.test_page_structure import field_and_error

RANGE = "The threshold is a score from 0 to 100."


@pytest.fixture
def proposal(company):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(company=company, name="Logistiek Vlaanderen")
    return LinkProposal.objects.create(
        company=company, customer=customer, provider="billit", remote_id="200001", method="name", score=95
    )


@pytest.mark.parametrize("typed", ["abc", "150", "-5", "", "²"])
def test_it_shows_a_threshold_out_of_range_next_to_it_and_keeps_it(user_client, proposal, typed):
    response = user_client.post("/linking/accept-above/", {"threshold": typed})
    assert response.status_code == 400
    field = field_and_error(response.content, "threshold", RANGE)
    assert field.get("value") == typed
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    assert proposal.customer.invoicing_id == ""


def test_it_shows_the_threshold_error_even_with_nothing_left_to_review(user_client, company):
    response = user_client.post("/linking/accept-above/", {"threshold": "101"})
    assert response.status_code == 400
    field_and_error(response.content, "threshold", RANGE)


def test_a_decision_from_the_refused_page_comes_back_to_the_review(user_client, proposal):
    response = user_client.post("/linking/accept-above/", {"threshold": "abc"})
    root = lxml.html.document_fromstring(response.content.decode())
    assert root.xpath("//form[@action='/linking/decide/']//input[@name='next']/@value") == ["/linking/"]


def test_the_refused_page_links_to_the_review_pages(user_client, company):
    response = user_client.get("/linking/accept-above/?page=2")
    assert response.status_code == 302
    assert response["Location"] == "/linking/?page=2"


def test_a_right_threshold_goes_back_to_the_review(user_client, proposal):
    response = user_client.post("/linking/accept-above/", {"threshold": "100"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING  # scored 95: below the threshold
