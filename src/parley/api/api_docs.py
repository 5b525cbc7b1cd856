"""The browsable API documentation, ``/docs`` (Swagger UI) and ``/redoc``, from assets shipped
in the package (``api/vendor/``, listed with their versions and licences in its README), so it
works with no internet access: FastAPI's own pages load them from a CDN and were blank offline.
Nothing is fetched from elsewhere: no CDN, no web fonts, no Swagger validator badge, no
Redocly logo (the one outside URL in ReDoc's bundle is emptied: vendor/README.md).

ReDoc gets the API description without its ``discriminator`` mappings (``/redoc/openapi.json``):
the TMF schemas' mappings name one another in circles, and ReDoc 2 expanding them never
finishes (the page stayed blank, or the browser tab crashed). /openapi.json keeps them."""

import copy
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException

from parley.api.security import public

VENDOR = Path(__file__).resolve().parent / "vendor"
ASSETS_PATH = "/docs/assets"
DOCS, REDOC, OAUTH2_REDIRECT = "/docs", "/redoc", "/docs/oauth2-redirect"
REDOC_SPEC = "/redoc/openapi.json"
# The files served, and their media types: nothing else under the directory is.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
}


def install_api_docs(app: FastAPI) -> None:
    """The pages FastAPI would make at /docs, /docs/oauth2-redirect and /redoc, with the
    vendored assets; the app is made with ``docs_url=None, redoc_url=None``."""
    title = f"{app.title} – API documentation"

    def asset(request: Request, name: str) -> str:
        return f"{request.scope.get('root_path', '')}{ASSETS_PATH}/{name}"

    def openapi_url(request: Request, path: str | None = None) -> str:
        return f"{request.scope.get('root_path', '')}{path or app.openapi_url}"

    @app.get(DOCS, include_in_schema=False, dependencies=[public()])
    def swagger_ui(request: Request):
        return get_swagger_ui_html(
            openapi_url=openapi_url(request),
            title=title,
            swagger_js_url=asset(request, "swagger-ui-bundle.js"),
            swagger_css_url=asset(request, "swagger-ui.css"),
            swagger_favicon_url=asset(request, "favicon-32x32.png"),
            oauth2_redirect_url=f"{request.scope.get('root_path', '')}{OAUTH2_REDIRECT}",
            init_oauth=app.swagger_ui_init_oauth,
            # No validator badge: it would send the spec's URL to validator.swagger.io.
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False, dependencies=[public()])
    def swagger_ui_redirect():
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC, include_in_schema=False, dependencies=[public()])
    def redoc(request: Request):
        return get_redoc_html(
            openapi_url=openapi_url(request, REDOC_SPEC),
            title=title,
            redoc_js_url=asset(request, "redoc.standalone.js"),
            redoc_favicon_url=asset(request, "favicon-32x32.png"),
            with_google_fonts=False,
        )

    without_mappings: list[dict] = []  # made once, on first use

    @app.get(REDOC_SPEC, include_in_schema=False, dependencies=[public()])
    def redoc_spec():
        if not without_mappings:
            without_mappings.append(_without_discriminators(copy.deepcopy(app.openapi())))
        return without_mappings[0]

    @app.get(f"{ASSETS_PATH}/{{name}}", include_in_schema=False, dependencies=[public()])
    def docs_asset(name: str):
        media_type = ASSETS.get(name)
        if media_type is None:
            raise HTTPException(404, "Not Found")
        return FileResponse(
            VENDOR / name, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"}
        )


def _without_discriminators(node):
    """The description with every ``discriminator`` left out (the schemas stay, with their
    ``@type``; only the mappings ReDoc cannot finish expanding go)."""
    if isinstance(node, dict):
        node.pop("discriminator", None)
        for value in node.values():
            _without_discriminators(value)
    elif isinstance(node, list):
        for value in node:
            _without_discriminators(value)
    return node
