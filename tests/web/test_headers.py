"""Security headers on every console answer; no inline script or style for the CSP to allow;
static files under content-hashed URLs, cached for a year."""

import re

from tests.web.conftest import CONSOLE

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def _assert_secured(response) -> None:
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name


def _assert_no_inline_code(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert "<style" not in html, "an inline style sheet"
    assert not re.search(r"\sstyle=", html), "a style attribute"
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler"


def test_pages_and_error_pages_carry_the_security_headers_and_are_not_stored(signed_in):
    pages = ["/", "/search?q=anna", "/admin/users", "/no-such-page", "/customers/nobody"]
    for path in pages:
        response = signed_in.get(f"{CONSOLE}{path}")
        _assert_secured(response)
        assert response.headers["cache-control"] == "no-store", path
        _assert_no_inline_code(response.text)


def test_the_sign_in_page_and_redirects_are_secured_too(browser):
    for response in (browser.get(f"{CONSOLE}/sign-in"), browser.get(f"{CONSOLE}/")):
        _assert_secured(response)
    _assert_no_inline_code(browser.get(f"{CONSOLE}/sign-in").text)


def test_static_files_have_hashed_urls_and_are_kept_for_a_year(browser):
    page = browser.get(f"{CONSOLE}/sign-in").text
    urls = re.findall(r'(?:href|src)="(/console/static/[0-9a-f]{12}/[^"]+)"', page)
    assert {url.rsplit("/", 1)[1] for url in urls} >= {"parley.css", "htmx.min.js", "parley.js"}

    for url in urls:
        response = browser.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        again = browser.get(url, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304
    css = browser.get(
        next(u for u in urls if u.endswith(".css")), headers={"Accept-Encoding": "gzip"}
    )
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert css.headers["content-encoding"] == "gzip"


def test_an_old_version_is_still_served_but_not_kept_and_an_unknown_file_is_not_found(browser):
    old = browser.get(f"{CONSOLE}/static/000000000000/parley.css")
    assert old.status_code == 200 and old.headers["cache-control"] == "no-cache"
    assert browser.get(f"{CONSOLE}/static/000000000000/nothing.js").status_code == 404
    assert browser.get(f"{CONSOLE}/static/000000000000/vendor/README.md").status_code == 404
