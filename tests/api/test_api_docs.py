"""/docs and /redoc are served from assets shipped in the package (issue 18: /docs was a blank
page without internet access, Swagger UI being loaded from a CDN). The browser test in
tests/web/browser/test_api_docs.py renders both pages with every outside request blocked."""

import hashlib
import re
from pathlib import Path

import pytest

from parley.api.api_docs import ASSETS, VENDOR

OUTSIDE = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")
README = VENDOR / "README.md"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_load_nothing_from_elsewhere(anonymous_client, page):
    html = anonymous_client.get(page)

    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert not OUTSIDE.search(html.text), html.text
    for marker in ("cdn.jsdelivr", "unpkg", "fonts.googleapis", "tiangolo"):
        assert marker not in html.text
    assets = re.findall(r"""(?:src|href)=["'](/docs/assets/[^"']+)["']""", html.text)
    assert assets
    for url in assets:
        got = anonymous_client.get(url)
        assert got.status_code == 200, url
        assert got.content == (VENDOR / Path(url).name).read_bytes()
    assert "/openapi.json" in html.text


def test_swagger_ui_asks_no_outside_validator(anonymous_client):
    assert '"validatorUrl": null' in anonymous_client.get("/docs").text


def test_redoc_reads_the_description_without_its_discriminator_mappings(anonymous_client):
    full = anonymous_client.get("/openapi.json").text
    for_redoc = anonymous_client.get("/redoc/openapi.json")

    assert '"discriminator"' in full
    assert for_redoc.status_code == 200 and '"discriminator"' not in for_redoc.text
    assert (
        for_redoc.json()["paths"].keys()
        == anonymous_client.get("/openapi.json").json()["paths"].keys()
    )
    assert "/redoc/openapi.json" in anonymous_client.get("/redoc").text


def test_only_the_listed_assets_are_served(anonymous_client):
    for name in ("README.md", "redoc-LICENSE", "..%2F..%2Fapp.py", "nothing.js"):
        assert anonymous_client.get(f"/docs/assets/{name}").status_code == 404


def test_every_vendored_file_is_listed_with_its_checksum():
    listed = README.read_text()
    for path in VENDOR.iterdir():
        if path.name == "README.md":
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"`{path.name}`" in listed and digest in listed, path.name
    assert set(ASSETS) <= {p.name for p in VENDOR.iterdir()}
