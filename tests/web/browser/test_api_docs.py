"""The browsable API documentation renders with no internet access (issue 18): Chromium with
every request that leaves 127.0.0.1 refused, /docs shows Swagger UI and /redoc shows ReDoc,
both with Parley's API, and neither page asks for anything from elsewhere."""

from urllib.parse import urlsplit


def _offline(page) -> list[str]:
    """Refuse every request to another host; the list of those asked for."""
    outside: list[str] = []

    def route(r):
        where = urlsplit(r.request.url)
        if where.scheme in ("data", "blob") or where.hostname == "127.0.0.1":
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return outside


def test_swagger_ui_renders_offline(page, demo):
    outside = _offline(page)

    page.goto(f"{demo.base_url}/docs")

    title = page.locator(".swagger-ui .info .title")
    title.wait_for()
    assert "Parley" in title.inner_text()
    # The operations, tag by tag (Swagger UI draws the sections as they are scrolled to).
    page.locator(".opblock-summary-path", has_text="/partyInteraction").first.wait_for()
    page.get_by_role("button", name="Authorize").first.wait_for()
    assert outside == []


def test_redoc_renders_offline(page, demo):
    outside = _offline(page)

    page.goto(f"{demo.base_url}/redoc")

    heading = page.locator("h1").first
    heading.wait_for(timeout=90_000)  # ReDoc works through 300 schemas first
    assert "Parley" in heading.inner_text()
    assert outside == []
