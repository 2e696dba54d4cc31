from tests.providers.fixtures import billit, billit_company, other_company  # noqa: F401
