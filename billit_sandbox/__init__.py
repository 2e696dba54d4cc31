"""A Billit-compatible API server for tests and the demo. The product never imports it."""

from billit_sandbox.seed import DEMO_COMPANY_ID, DEMO_KEY, TWIN_COMPANY_IDS, TWO_COMPANIES_KEY

__all__ = ["DEMO_COMPANY_ID", "DEMO_KEY", "TWIN_COMPANY_IDS", "TWO_COMPANIES_KEY"]
