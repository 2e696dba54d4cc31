"""Billit (api.billit.be): the HTTP client and its wire models. The provider maps them to our domain."""
