"""Interactive API docs without a CDN: Swagger UI from the swagger-ui bundle that ships inside django-ninja.

Ninja serves its bundled copy only when "ninja" is in INSTALLED_APPS (through staticfiles) and otherwise points
the page at a CDN. Rather than add ninja as an app, this renderer uses our own template, and the few asset files
are served by an API route straight from the installed package (ninja/static/ninja), so the docs work offline,
behind a strict firewall and with the same version as the installed Ninja.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

ASSET_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png"})


class LocalSwagger(DocsBase):
    settings: dict[str, Any] = {"layout": "BaseLayout", "deepLinking": True, "persistAuthorization": False}

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = dict(self.settings, url=self.get_openapi_url(api, kwargs))
        asset_base = reverse(f"{api.urls_namespace}:docs-asset", kwargs={"name": "x"})[:-1]
        return render(
            request,
            "api/docs.html",
            # "<" escaped so nothing in the settings can close the <script> block it sits in.
            {"api": api, "swagger_settings": json.dumps(settings).replace("<", "\\u003c"), "asset_base": asset_base},
        )


def asset(name: str) -> FileResponse:
    """One file of the bundled Swagger UI; anything else is 404 (no path is ever joined from user input)."""
    if name not in ASSETS:
        raise Http404(name)
    path = ASSET_DIR / name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
