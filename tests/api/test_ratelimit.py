from django.test import override_settings

from tests.api.conftest import api_client_for, member


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_it_answers_429_with_retry_after_once_a_token_is_over_its_limit(api):
    statuses = [api.get("/api/v1/customers").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = api.get("/api/v1/customers")
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60


@override_settings(API_RATE_LIMIT_PER_MINUTE=2)
def test_it_counts_each_token_separately(api, company):
    other = api_client_for(member(company, "viewer"))
    for _ in range(3):
        api.get("/api/v1/customers")
    assert api.get("/api/v1/customers").status_code == 429
    assert other.get("/api/v1/customers").status_code == 200
